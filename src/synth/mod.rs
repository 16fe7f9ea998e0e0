//! Synth: writes realistic synthetic reports from the template, in every
//! layout xxgk reads, with a ground-truth file of every cell. It makes the
//! bundled samples in `data/samples` and corpora for tests and benchmarks.
//! Values follow the template's arithmetic, so a parsed report checks out.

mod render;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::template::{Catalog, Table, Template};
use crate::tokenize::Layout;

/// The layouts synth writes, in turn.
pub const LAYOUTS: [Layout; 5] =
    [Layout::Html, Layout::CellLines, Layout::TabRows, Layout::PipeCells, Layout::Markdown];

/// A cell as printed.
#[derive(Debug, Clone, PartialEq)]
pub enum Printed {
    Number(u64),
    Blank,
    Dash,
}

impl Printed {
    fn text(&self) -> String {
        match self {
            Printed::Number(n) => n.to_string(),
            Printed::Blank => String::new(),
            Printed::Dash => "—".to_string(),
        }
    }

    /// The ground-truth notation of `../shared/corpus/expected`.
    fn truth(&self) -> String {
        match self {
            Printed::Number(n) => n.to_string(),
            Printed::Blank => "BLANK".to_string(),
            Printed::Dash => "DASH".to_string(),
        }
    }
}

/// One synthetic report before rendering.
pub struct Document<'t> {
    pub agency: String,
    pub year: i16,
    pub template: &'t Template,
    pub layout: Layout,
    pub gbk: bool,
    /// Values by table, row and column, in template order.
    pub values: Vec<Vec<Vec<Printed>>>,
}

const PLACES: [&str; 12] = [
    "岳普湖县",
    "五台县耿镇镇",
    "郾城区裴城镇",
    "二道江区铁厂镇",
    "乌拉特中旗甘其毛都镇",
    "平潭综合实验区",
    "洪泽区",
    "南湖新区",
    "雄县",
    "耒阳市",
    "通榆县团结乡",
    "高陵区",
];
const BODIES: [&str; 4] = ["人民政府", "人民政府办公室", "财政局", "生态环境局"];

/// Generates document `index` of a corpus made with `seed`.
pub fn document<'t>(catalog: &'t Catalog, seed: u64, index: usize) -> Document<'t> {
    let mut rng = fastrand::Rng::with_seed(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ index as u64);
    let layout = LAYOUTS[index % LAYOUTS.len()];
    // Both versions for every layout: the version alternates every full turn of layouts.
    let template = &catalog.templates[(index / LAYOUTS.len()) % catalog.templates.len()];
    let year: i16 = if template.code == "gov2019" { rng.i16(2019..=2020) } else { rng.i16(2021..=2025) };
    let agency = format!("{}{}", PLACES[rng.usize(..PLACES.len())], BODIES[rng.usize(..BODIES.len())]);
    let values = template.tables.iter().map(|t| table_values(t, &mut rng)).collect();
    Document { agency, year, template, layout, gbk: index % 4 == 3, values }
}

/// Values for one table: small counts, mostly zero, some blank or dashed;
/// requests and appeals obey the template's sums.
fn table_values(table: &Table, rng: &mut fastrand::Rng) -> Vec<Vec<Printed>> {
    let count = |rng: &mut fastrand::Rng| if rng.u8(..3) == 0 { rng.u64(1..40) } else { 0 };
    let mut rows: Vec<Vec<u64>> = table
        .rows
        .iter()
        .filter(|r| r.replaces.is_empty())
        .map(|r| r.cols.iter().map(|_| count(rng)).collect())
        .collect();
    let codes: Vec<&str> = table.rows.iter().filter(|r| r.replaces.is_empty()).map(|r| r.code.as_str()).collect();
    let at = |code: &str| codes.iter().position(|c| *c == code);
    match table.code.as_str() {
        "requests" => {
            if let (Some(new), Some(carried), Some(total), Some(forward)) =
                (at("new"), at("carried_over"), at("result.total"), at("carried_forward"))
            {
                // Column by column across several rows.
                #[allow(clippy::needless_range_loop)]
                for col in 0..6 {
                    let results: u64 = codes
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.starts_with("result.") && **c != "result.total")
                        .map(|(i, _)| rows[i][col])
                        .sum();
                    rows[total][col] = results;
                    rows[forward][col] = rng.u64(0..3);
                    rows[carried][col] = rng.u64(0..3);
                    rows[new][col] = (results + rows[forward][col]).saturating_sub(rows[carried][col]);
                    rows[carried][col] = results + rows[forward][col] - rows[new][col];
                }
                for row in rows.iter_mut() {
                    row[6] = row[..6].iter().sum();
                }
            }
        }
        "appeals" => {
            for row in rows.iter_mut() {
                row[4] = row[..4].iter().sum();
            }
        }
        _ => {}
    }
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|n| match (n, rng.u8(..20)) {
                    (0, 0) => Printed::Blank,
                    (0, 1) => Printed::Dash,
                    (n, _) => Printed::Number(n),
                })
                .collect()
        })
        .collect()
}

/// Writes `n` documents and `ground-truth.csv` into `out`.
pub fn write_corpus(catalog: &Catalog, n: usize, seed: u64, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let truth_path = out.join("ground-truth.csv");
    let mut truth =
        csv::Writer::from_path(&truth_path).with_context(|| format!("cannot create {}", truth_path.display()))?;
    truth.write_record(["file", "table", "row", "col", "value"])?;
    for index in 0..n {
        let doc = document(catalog, seed, index);
        let (text, ext) = render::render(&doc);
        let name = format!(
            "{index:06}-{}-{}{}.{ext}",
            doc.layout.as_str(),
            doc.template.code,
            if doc.gbk { "-gbk" } else { "" }
        );
        let bytes = if doc.gbk { encoding_rs::GBK.encode(&text).0.into_owned() } else { text.into_bytes() };
        let path = out.join(&name);
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(&bytes))
            .with_context(|| format!("cannot write {}", path.display()))?;
        for (table, values) in doc.template.tables.iter().zip(&doc.values) {
            let rows = table.rows.iter().filter(|r| r.replaces.is_empty());
            for (row, row_values) in rows.zip(values) {
                for (col, value) in row.cols.iter().zip(row_values) {
                    truth.write_record([name.as_str(), &table.code, &row.code, &col.code, &value.truth()])?;
                }
            }
        }
    }
    truth.flush()?;
    Ok(())
}

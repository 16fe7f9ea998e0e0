//! Synth: writes realistic synthetic reports from the template, in every
//! layout xxgk reads, with a ground-truth file of every cell. It makes the
//! bundled samples in `data/samples` and corpora for tests and benchmarks.
//! Values follow the template's arithmetic, so a parsed report checks out.

mod render;

use render::Rendered;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::config::Reference;
use crate::parse::tokenize::flow::Mode;
use crate::parse::tokenize::Layout;
use crate::template::{Table, Template};
use crate::words::WORDS;

/// The layouts synth writes, in turn.
pub const LAYOUTS: [Layout; 6] =
    [Layout::Html, Layout::CellLines, Layout::TabRows, Layout::PipeCells, Layout::Markdown, Layout::Docx];

/// The layouts crawlers hand over, written by `xxgk synth --crawler`: tags
/// stripped, PDF text, one text node per line.
pub const CRAWLER_LAYOUTS: [Layout; 3] =
    [Layout::Flow(Mode::Fused), Layout::Flow(Mode::Spaced), Layout::Flow(Mode::NodeLines)];

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

/// The first documents cycle through every layout with both versions, so a
/// small corpus has them all; later ones are drawn as scrapes are: mostly HTML.
const COVERAGE: usize = 2 * LAYOUTS.len();
/// One document in this many prints an arithmetic error.
const ERROR_ONE_IN: u32 = 20;

/// Generates document `index` of a corpus made with `seed`.
pub fn document<'t>(reference: &'t Reference, seed: u64, index: usize) -> Document<'t> {
    let catalog = &reference.catalog;
    let mut rng = fastrand::Rng::with_seed(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ index as u64);
    let (layout, template) = if index < COVERAGE {
        (LAYOUTS[index % LAYOUTS.len()], &catalog.templates[(index / LAYOUTS.len()) % catalog.templates.len()])
    } else {
        // Six in ten HTML, one in ten each of Word and the four text layouts.
        let layout = match rng.u8(..10) {
            0 => Layout::Docx,
            1..=5 => Layout::Html,
            n => LAYOUTS[usize::from(n - 5)],
        };
        let template = if rng.u8(..5) == 0 { catalog.templates.last() } else { catalog.templates.first() };
        (layout, template.unwrap_or_else(|| catalog.default_template()))
    };
    let year: i16 = if template.code == "gov2019" { rng.i16(2019..=2020) } else { rng.i16(2021..=2025) };
    let words = &WORDS.synth;
    let place = reference.divisions.random_place(&mut rng).unwrap_or_else(|| words.fallback_place.clone());
    let agency = format!("{place}{}", words.bodies[rng.usize(..words.bodies.len())]);
    let mut values: Vec<Vec<Vec<Printed>>> = template.tables.iter().map(|t| table_values(t, &mut rng)).collect();
    if rng.u32(..ERROR_ONE_IN) == 0 {
        misprint(&mut values, &mut rng);
    }
    // Word files are XML in UTF-8 whatever the agency's site uses.
    let gbk = index % 4 == 3 && layout != Layout::Docx;
    Document { agency, year, template, layout, gbk, values }
}

/// Document `index` of a corpus made with `seed`, in one of the crawler
/// layouts. Its empty cells are printed one way throughout (0, blank or a
/// dash), as real reports print them: these layouts drop an empty cell's
/// place, so a row mixing printed zeros with empty cells cannot be read.
pub fn crawler_document<'t>(reference: &'t Reference, seed: u64, index: usize) -> Document<'t> {
    let mut doc =
        Document { layout: CRAWLER_LAYOUTS[index % CRAWLER_LAYOUTS.len()], ..document(reference, seed, index) };
    let empty = match index / CRAWLER_LAYOUTS.len() % 4 {
        0 => Printed::Blank,
        1 => Printed::Dash,
        _ => Printed::Number(0),
    };
    for cell in doc.values.iter_mut().flatten().flatten() {
        if matches!(cell, Printed::Number(0) | Printed::Blank | Printed::Dash) {
            *cell = empty.clone();
        }
    }
    doc
}

/// Adds one to a random printed number, as a report with an arithmetic error would.
fn misprint(values: &mut [Vec<Vec<Printed>>], rng: &mut fastrand::Rng) {
    let numbers: Vec<(usize, usize, usize)> = values
        .iter()
        .enumerate()
        .flat_map(|(t, rows)| {
            rows.iter().enumerate().flat_map(move |(r, cells)| (0..cells.len()).map(move |c| (t, r, c)))
        })
        .filter(|&(t, r, c)| t > 0 && matches!(values[t][r][c], Printed::Number(_)))
        .collect();
    if numbers.is_empty() {
        return;
    }
    let (t, r, c) = numbers[rng.usize(..numbers.len())];
    if let Printed::Number(n) = &mut values[t][r][c] {
        *n += 1;
    }
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

/// A document's file bytes (GBK when it is a GBK text document) and extension.
pub fn encode(doc: &Document) -> Result<(Vec<u8>, &'static str)> {
    Ok(match render::render(doc) {
        Rendered::Text(text, ext) if doc.gbk => (encoding_rs::GBK.encode(&text).0.into_owned(), ext),
        Rendered::Text(text, ext) => (text.into_bytes(), ext),
        Rendered::WordXml(xml) => (docx_package(&xml)?, "docx"),
    })
}

/// A `.docx`: the document part and the two parts Word needs to open it.
fn docx_package(document_xml: &str) -> Result<Vec<u8>> {
    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in
        [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS), ("word/document.xml", document_xml)]
    {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Writes `n` documents and `ground-truth.csv` into `out`, in the crawler
/// layouts when `crawler` is set.
pub fn write_corpus(reference: &Reference, n: usize, seed: u64, crawler: bool, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let truth_path = out.join("ground-truth.csv");
    let mut truth =
        csv::Writer::from_path(&truth_path).with_context(|| format!("cannot create {}", truth_path.display()))?;
    truth.write_record(["file", "table", "row", "col", "value"])?;
    for index in 0..n {
        let doc = if crawler { crawler_document(reference, seed, index) } else { document(reference, seed, index) };
        let (bytes, ext) = encode(&doc)?;
        let name = format!(
            "{index:06}-{}-{}{}.{ext}",
            doc.layout.as_str(),
            doc.template.code,
            if doc.gbk { "-gbk" } else { "" }
        );
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

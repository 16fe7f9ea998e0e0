//! The compiled template: for each national format version, its tables, rows
//! and columns with normalised match keys. Built once from the template file
//! and immutable afterwards; every error in the file is reported at once.
//! The template owns its file format (`file`), its arithmetic (`checks`)
//! and the claims its prose may make (`claims`); later stages only apply them.

use std::collections::{HashMap, HashSet};

pub mod checks;
pub mod claims;
pub mod file;

use checks::{Bound, Check};
use claims::{ClaimRules, Vocabulary};
use file::{RowCols, TableDef, TemplateFile};

use crate::label;

/// All template versions, the narrative section titles and how prose is read.
#[derive(Debug)]
pub struct Catalog {
    pub templates: Vec<Template>,
    pub sections: Vec<Section>,
    /// How prose is read for claims.
    pub narrative: Vocabulary,
    /// Every template's markers in one automaton; pattern `i` is `marker_owner[i]`'s.
    markers: aho_corasick::AhoCorasick,
    marker_owner: Vec<(usize, usize)>,
}

/// One version of the national format, e.g. `gov2021`.
#[derive(Debug)]
pub struct Template {
    pub code: String,
    pub name: String,
    pub is_default: bool,
    /// Normalised header texts only this version prints.
    pub markers: Vec<String>,
    pub tables: Vec<Table>,
    /// The template's arithmetic.
    pub checks: Vec<Check>,
    /// Plausibility bounds on single cells.
    pub bounds: Vec<Bound>,
    /// (table, row, col) of every cell the checks across years read: what a
    /// report leaves in the dataset's fact file for them.
    pub year_cells: Vec<(String, String, String)>,
    /// The numbers the prose may state that the tables hold.
    pub claims: ClaimRules,
}

#[derive(Debug)]
pub struct Table {
    pub code: String,
    pub label: String,
    /// Rows print as one unlabelled line of values after the header.
    pub unlabelled: bool,
    /// Normalised texts that mark the start of an unlabelled table.
    pub anchors: Vec<String>,
    pub rows: Vec<Row>,
    /// Each normalised row key to the index of the first row it names.
    pub row_keys: rustc_hash::FxHashMap<String, usize>,
}

#[derive(Debug)]
pub struct Row {
    pub code: String,
    /// The template's label path, e.g. `三、本年度办理结果/（一）予以公开`.
    pub label: String,
    /// Normalised keys a document cell may carry to name this row.
    pub keys: Vec<String>,
    pub cols: Vec<Col>,
    /// Rows this one stands for when printed (`result.other` in a 2021 report).
    pub replaces: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Col {
    pub code: String,
    pub label: String,
    pub unit: String,
    /// Normalised texts a column-header cell names this column by: the
    /// whole label and its last part (`自然人` of `申请人情况/自然人`).
    pub header_keys: Vec<String>,
}

/// A narrative section of the report (一 to 六).
#[derive(Debug)]
pub struct Section {
    pub number: u8,
    pub keys: Vec<String>,
}

impl Section {
    /// Whether a normalised text is this section's heading: it begins with
    /// one of the titles (`收到和处理政府信息公开申请情况`).
    pub fn heads(&self, key: &str) -> bool {
        self.keys.iter().any(|k| key.starts_with(k.as_str()))
    }
}

impl Catalog {
    /// Compiles the template file, collecting every error.
    pub fn compile(file: &TemplateFile) -> Result<Catalog, Vec<String>> {
        let mut errors = Vec::new();
        let vocabulary = claims::compile_vocabulary(&file.narrative, &mut errors);
        let codes: Vec<&str> = file.template.iter().map(|t| t.code.as_str()).collect();
        let known: HashSet<&str> = codes.iter().copied().collect();
        if known.len() != codes.len() {
            errors.push("template codes must be unique".to_string());
        }
        if file.template.iter().filter(|t| t.default).count() != 1 {
            errors.push("exactly one [[template]] must have default = true".to_string());
        }
        let mut templates = Vec::new();
        for version in &file.template {
            // Column headers of this version: a row whose bare label is one of
            // them (`总计`, `其他`) is matched only with its enumerator.
            let headers: HashSet<String> = file
                .table
                .iter()
                .flat_map(|t| &t.col)
                .filter(|c| applies(&c.templates, &version.code))
                .flat_map(|c| c.label.split('/').map(label::normalize).collect::<Vec<_>>())
                .collect();
            let tables: Vec<Table> =
                file.table.iter().map(|t| compile_table(t, &version.code, &known, &headers, &mut errors)).collect();
            let checks = checks::compile_checks(&file.check, &version.code, &tables, &mut errors);
            let bounds = checks::compile_bounds(&file.bound, &version.code, &tables, &mut errors);
            let year_cells = checks::year_cells(&checks, &tables);
            let claims = claims::compile_rules(&file.claim, &vocabulary, &version.code, &tables, &mut errors);
            templates.push(Template {
                code: version.code.clone(),
                name: version.name.clone(),
                is_default: version.default,
                markers: version.markers.iter().map(|m| label::normalize(m)).collect(),
                tables,
                checks,
                bounds,
                year_cells,
                claims,
            });
        }
        let sections = file
            .section
            .iter()
            .map(|s| Section { number: s.number, keys: s.titles.iter().map(|t| label::normalize(t)).collect() })
            .collect();
        let mut patterns = Vec::new();
        let mut marker_owner = Vec::new();
        for (t, template) in templates.iter().enumerate() {
            for (m, marker) in template.markers.iter().enumerate() {
                patterns.push(marker.clone());
                marker_owner.push((t, m));
            }
        }
        let markers = aho_corasick::AhoCorasick::new(&patterns).map_err(|e| vec![format!("markers: {e}")])?;
        if errors.is_empty() {
            Ok(Catalog { templates, sections, narrative: vocabulary, markers, marker_owner })
        } else {
            errors.sort();
            errors.dedup();
            Err(errors)
        }
    }

    /// How many distinct markers of each template the texts contain.
    pub fn marker_counts<'a>(&self, texts: impl Iterator<Item = &'a str>) -> Vec<usize> {
        let mut seen: Vec<Vec<bool>> = self.templates.iter().map(|t| vec![false; t.markers.len()]).collect();
        for text in texts {
            for found in self.markers.find_overlapping_iter(text) {
                let (t, m) = self.marker_owner[found.pattern().as_usize()];
                seen[t][m] = true;
            }
        }
        seen.iter().map(|s| s.iter().filter(|&&b| b).count()).collect()
    }

    pub fn template(&self, code: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.code == code)
    }

    pub fn default_template(&self) -> &Template {
        // compile() guarantees exactly one default.
        self.templates.iter().find(|t| t.is_default).unwrap_or(&self.templates[0])
    }
}

/// Whether an entry limited to `templates` (none: every version) is in `version`.
pub(crate) fn applies(templates: &Option<Vec<String>>, version: &str) -> bool {
    templates.as_ref().is_none_or(|list| list.iter().any(|t| t == version))
}

fn compile_table(
    def: &TableDef,
    version: &str,
    known: &HashSet<&str>,
    headers: &HashSet<String>,
    errors: &mut Vec<String>,
) -> Table {
    let at = |what: &str| format!("table {}: {what}", def.code);
    let mut cols: HashMap<&str, Col> = HashMap::new();
    for col in &def.col {
        check_versions(&col.templates, known, &at(&format!("col {}", col.code)), errors);
        if !applies(&col.templates, version) {
            continue;
        }
        let leaf = col.label.rsplit('/').next().unwrap_or(&col.label);
        let mut header_keys = vec![label::normalize(&col.label), label::normalize(leaf)];
        header_keys.dedup();
        let compiled = Col { code: col.code.clone(), label: col.label.clone(), unit: col.unit.clone(), header_keys };
        if cols.insert(col.code.as_str(), compiled).is_some() {
            errors.push(at(&format!("col {} defined twice for {version}", col.code)));
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    for row in &def.row {
        let here = at(&format!("row {}", row.code));
        check_versions(&row.templates, known, &here, errors);
        if !applies(&row.templates, version) {
            continue;
        }
        let col_codes = match &row.cols {
            None => def.cols.clone(),
            Some(RowCols::Same(list)) => list.clone(),
            Some(RowCols::PerTemplate(map)) => {
                for key in map.keys() {
                    if !known.contains(key.as_str()) {
                        errors.push(format!("{here}: cols for unknown template {key}"));
                    }
                }
                map.get(version).cloned().unwrap_or_default()
            }
        };
        if col_codes.is_empty() {
            errors.push(format!("{here}: no columns for {version}"));
        }
        let row_cols: Vec<Col> = col_codes
            .iter()
            .filter_map(|code| {
                let col = cols.get(code.as_str()).cloned();
                if col.is_none() {
                    errors.push(format!("{here}: column {code} is not defined for {version}"));
                }
                col
            })
            .collect();
        let last_segment = row.label.rsplit('/').next().unwrap_or(&row.label);
        let mut keys: Vec<String> = std::iter::once(last_segment)
            .chain(row.aliases.iter().map(String::as_str))
            .flat_map(|text| {
                if headers.contains(&label::normalize(text)) {
                    vec![label::normalize_enumerated(text)]
                } else {
                    label::match_keys(text)
                }
            })
            .collect();
        keys.sort();
        keys.dedup();
        if rows.iter().any(|r| r.code == row.code) {
            errors.push(format!("{here}: defined twice for {version}"));
        }
        rows.push(Row {
            code: row.code.clone(),
            label: row.label.clone(),
            keys,
            cols: row_cols,
            replaces: row.replaces.clone(),
        });
    }
    for row in &rows {
        for replaced in &row.replaces {
            if !rows.iter().any(|r| &r.code == replaced) {
                errors.push(at(&format!("row {} replaces unknown row {replaced} in {version}", row.code)));
            }
        }
    }
    if def.unlabelled && def.anchors.is_empty() {
        errors.push(at("an unlabelled table needs anchors"));
    }
    let mut row_keys = rustc_hash::FxHashMap::default();
    for (i, row) in rows.iter().enumerate() {
        for key in &row.keys {
            row_keys.entry(key.clone()).or_insert(i);
        }
    }
    Table {
        code: def.code.clone(),
        label: def.label.clone(),
        unlabelled: def.unlabelled,
        anchors: def.anchors.iter().map(|a| label::normalize(a)).collect(),
        rows,
        row_keys,
    }
}

fn check_versions(list: &Option<Vec<String>>, known: &HashSet<&str>, at: &str, errors: &mut Vec<String>) {
    for code in list.iter().flatten() {
        if !known.contains(code.as_str()) {
            errors.push(format!("{at}: unknown template {code}"));
        }
    }
}

/// The built-in templates, compiled once for every unit test that reads them.
#[cfg(test)]
pub(crate) fn built_in() -> &'static Catalog {
    static CATALOG: std::sync::LazyLock<Catalog> = std::sync::LazyLock::new(|| {
        Catalog::compile(&toml::from_str(include_str!("../../config/template.toml")).unwrap()).unwrap()
    });
    &CATALOG
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> &'static Catalog {
        built_in()
    }

    #[test]
    fn cell_counts_match_the_format() {
        let c = catalog();
        let count = |code: &str, table: &str| {
            let t = c.template(code).unwrap().tables.iter().find(|t| t.code == table).unwrap();
            t.rows.iter().filter(|r| r.replaces.is_empty()).map(|r| r.cols.len()).sum::<usize>()
        };
        assert_eq!(count("gov2021", "proactive"), 10);
        assert_eq!(count("gov2019", "proactive"), 22);
        assert_eq!(count("gov2021", "requests"), 175);
        assert_eq!(count("gov2019", "requests"), 161);
        assert_eq!(count("gov2021", "appeals"), 15);
    }

    #[test]
    fn errors_are_collected() {
        let text = include_str!("../../config/template.toml")
            .replacen("cols = [\"projects\", \"amount\"]", "cols = [\"projects\", \"nope\"]", 1)
            .replacen("templates = [\"gov2019\"]", "templates = [\"gov2018\"]", 1);
        let errors = Catalog::compile(&toml::from_str(&text).unwrap()).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("column nope")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("unknown template gov2018")), "{errors:?}");
    }
}

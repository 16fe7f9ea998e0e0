//! The template file as written (`config/template.toml`), read with serde,
//! unknown keys rejected. `Catalog::compile` turns it into the template.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

/// The template file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    pub template: Vec<VersionDef>,
    #[serde(default)]
    pub section: Vec<SectionDef>,
    pub table: Vec<TableDef>,
    #[serde(default)]
    pub check: Vec<CheckDef>,
    #[serde(default)]
    pub bound: Vec<BoundDef>,
    #[serde(default)]
    pub narrative: NarrativeDef,
    #[serde(default)]
    pub claim: Vec<ClaimDef>,
}

/// How prose is read for claims (`narrative`): numerals and scope words.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NarrativeDef {
    #[serde(default)]
    pub digits: HashMap<String, u64>,
    #[serde(default)]
    pub multipliers: HashMap<String, u64>,
    #[serde(default)]
    pub approximate: Vec<String>,
    #[serde(default)]
    pub about: Vec<String>,
    #[serde(default)]
    pub approximate_after: Vec<String>,
    #[serde(default)]
    pub not_after: Vec<String>,
    #[serde(default)]
    pub clause_ends: Vec<String>,
    #[serde(default)]
    pub name_starts: String,
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub whole: Vec<String>,
    #[serde(default)]
    pub agency_abbreviations: HashMap<String, String>,
}

/// One kind of number the prose states: the cells it sums and its phrasings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimDef {
    pub kind: String,
    pub table: String,
    pub rows: Vec<String>,
    /// Other sums the same words may mean (收到 may count the carried over).
    #[serde(default)]
    pub or_rows: Vec<Vec<String>>,
    pub col: String,
    pub patterns: Vec<String>,
    pub templates: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub code: String,
    pub table: String,
    /// `col`: one result per column, terms are rows; `row`: per row, terms are columns.
    pub each: String,
    #[serde(default)]
    pub rows: Vec<String>,
    pub lhs: Vec<String>,
    pub rhs: Vec<String>,
    pub templates: Option<Vec<String>>,
    #[serde(default)]
    pub soft: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundDef {
    pub table: String,
    pub row: String,
    pub col: String,
    pub max: f64,
    pub templates: Option<Vec<String>>,
    pub warning: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionDef {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub default: bool,
    pub markers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub number: u8,
    pub titles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub unlabelled: bool,
    #[serde(default)]
    pub anchors: Vec<String>,
    /// Default columns of every row, in printed order.
    #[serde(default)]
    pub cols: Vec<String>,
    pub col: Vec<ColDef>,
    pub row: Vec<RowDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColDef {
    pub code: String,
    pub label: String,
    pub unit: String,
    pub templates: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowDef {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub cols: Option<RowCols>,
    pub templates: Option<Vec<String>>,
    #[serde(default)]
    pub replaces: Vec<String>,
}

/// A row's columns: the same in every version, or per version.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RowCols {
    Same(Vec<String>),
    PerTemplate(BTreeMap<String, Vec<String>>),
}

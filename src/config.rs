//! Configuration as written: `config/xxgk.toml` and the template file it
//! names, read with serde (unknown keys rejected) and compiled into the
//! runtime [`Settings`] and [`Catalog`]. Nothing else reads config files.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::digest;
use crate::meta::AgencyRules;
use crate::region::Divisions;
use crate::template::Catalog;

/// The default configuration, built in so the binary works outside a checkout.
const BUILTIN_CONFIG: &str = include_str!("../config/xxgk.toml");
const BUILTIN_TEMPLATE: &str = include_str!("../config/template.toml");
/// Where the configuration is looked for when `--config` is not given.
pub const DEFAULT_CONFIG_PATH: &str = "config/xxgk.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    template: PathBuf,
    ingest: IngestFile,
    regions: RegionsFile,
    agencies: AgenciesFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    divisions: PathBuf,
    #[serde(default)]
    aliases: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgenciesFile {
    #[serde(default)]
    opening_patterns: Vec<String>,
    #[serde(default)]
    signature_endings: Vec<String>,
    #[serde(default)]
    abbreviations: HashMap<String, String>,
}

/// What parsing needs besides the document: the templates, the division
/// list and the rules for naming agencies.
pub struct Reference {
    pub catalog: Catalog,
    pub divisions: Divisions,
    pub agencies: AgencyRules,
    /// Identifies this reference data and parser build (see [`fingerprint`]).
    pub fingerprint: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IngestFile {
    inputs: Vec<PathBuf>,
    out: PathBuf,
    extensions: Vec<String>,
    max_file_bytes: u64,
    batch_size: usize,
}

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

/// Settings for a run, independent of how they were given.
#[derive(Debug, Clone)]
pub struct Settings {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub extensions: Vec<String>,
    pub max_file_bytes: u64,
    pub batch_size: usize,
    /// Where the configuration came from, for messages and the manifest.
    pub source: String,
    /// The division table; `None` means the built-in copy.
    pub divisions: Option<PathBuf>,
}

/// Loads settings and reference data from `path`, or from
/// `config/xxgk.toml` when it exists, or from the built-in copy.
pub fn load(path: Option<&Path>) -> Result<(Settings, Reference)> {
    let default = Path::new(DEFAULT_CONFIG_PATH);
    match path {
        Some(p) => load_file(Some(p)),
        None if default.exists() => load_file(Some(default)),
        None => load_file(None),
    }
}

/// The built-in settings and reference data, whatever the working folder holds.
pub fn load_builtin() -> Result<(Settings, Reference)> {
    load_file(None)
}

/// Loads settings and reference data from `path`, or the built-in copy.
fn load_file(path: Option<&Path>) -> Result<(Settings, Reference)> {
    let (config_text, config_dir, source) = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read config {}", p.display()))?;
            let dir = p.parent().unwrap_or(Path::new(".")).to_path_buf();
            (text, Some(dir), p.display().to_string())
        }
        None => (BUILTIN_CONFIG.to_string(), None, "built-in config".to_string()),
    };
    let parsed: ConfigFile = toml::from_str(&config_text).with_context(|| format!("invalid config {source}"))?;
    let (template_text, template_source) = match &config_dir {
        Some(dir) => {
            let path = dir.join(&parsed.template);
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("cannot read template {}", path.display()))?;
            (text, path.display().to_string())
        }
        None => (BUILTIN_TEMPLATE.to_string(), "built-in template".to_string()),
    };
    let template_file: TemplateFile =
        toml::from_str(&template_text).with_context(|| format!("invalid template file {template_source}"))?;
    let catalog = Catalog::compile(&template_file)
        .map_err(|errors| anyhow::anyhow!("{template_source}:\n  {}", errors.join("\n  ")))?;
    let divisions = config_dir.as_ref().map(|dir| dir.join(&parsed.regions.divisions));
    let ingest = parsed.ingest;
    if ingest.batch_size == 0 {
        anyhow::bail!("{source}: ingest.batch_size must be at least 1");
    }
    let settings = Settings {
        inputs: ingest.inputs,
        out: ingest.out,
        extensions: ingest.extensions.iter().map(|e| e.trim_start_matches('.').to_lowercase()).collect(),
        max_file_bytes: ingest.max_file_bytes,
        batch_size: ingest.batch_size,
        source,
        divisions,
    };
    let divisions_text = Divisions::read(settings.divisions.as_deref())?;
    let fingerprint = fingerprint(&config_text, &template_text, &divisions_text)?;
    let divisions = Divisions::parse(&divisions_text, &parsed.regions.aliases)?;
    let agencies = agency_rules(parsed.agencies)
        .map_err(|errors| anyhow::anyhow!("{}:\n  {}", settings.source, errors.join("\n  ")))?;
    Ok((settings, Reference { catalog, divisions, agencies, fingerprint }))
}

/// A hash of everything that decides what a document parses to: this
/// build, the template, the division table and the config's `[regions]` and
/// `[agencies]` (not `[ingest]`, which only says where to read and write).
/// Rows parsed under one fingerprint are not mixed with rows of another.
fn fingerprint(config_text: &str, template_text: &str, divisions_text: &str) -> Result<String> {
    let mut config: toml::Table = toml::from_str(config_text)?;
    config.remove("ingest");
    Ok(digest::parts([env!("CARGO_PKG_VERSION"), &config.to_string(), template_text, divisions_text]))
}

/// Compiles the `[agencies]` patterns, collecting every error.
fn agency_rules(file: AgenciesFile) -> Result<AgencyRules, Vec<String>> {
    let mut errors = Vec::new();
    let opening_patterns = file
        .opening_patterns
        .iter()
        .filter_map(|p| match regex::Regex::new(p) {
            Ok(re) if re.capture_names().any(|n| n == Some("agency")) => Some(re),
            Ok(_) => {
                errors.push(format!("agencies.opening_patterns: {p:?} has no (?P<agency>…) group"));
                None
            }
            Err(e) => {
                errors.push(format!("agencies.opening_patterns: {e}"));
                None
            }
        })
        .collect();
    let mut abbreviations: Vec<(String, String)> = file.abbreviations.into_iter().collect();
    abbreviations.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    if errors.is_empty() {
        Ok(AgencyRules { opening_patterns, signature_endings: file.signature_endings, abbreviations })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_compiles() {
        let file: TemplateFile = toml::from_str(BUILTIN_TEMPLATE).unwrap();
        let catalog = Catalog::compile(&file).unwrap();
        assert_eq!(catalog.templates.len(), 2);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = BUILTIN_TEMPLATE.replacen("unlabelled = true", "unlabeled = true", 1);
        let err = toml::from_str::<TemplateFile>(&text).unwrap_err();
        assert!(err.to_string().contains("unlabeled"), "{err}");
    }
}

//! Configuration as written: `config/xxgk.toml` and the template file it
//! names, read with serde (unknown keys rejected) and compiled into the
//! runtime [`Settings`] and [`Catalog`]. Nothing else reads config files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::digest;
use crate::parse::meta::AgencyRules;
use crate::parse::region::Divisions;
use crate::template::file::TemplateFile;
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

/// A configuration read but not yet compiled: the settings, and what the
/// reference data is built from. Each command builds only what it needs,
/// so `xxgk divisions` can rebuild a broken division table.
pub struct Config {
    pub settings: Settings,
    text: String,
    file: ConfigFile,
    /// The folder the config's paths are relative to; `None` when built in.
    dir: Option<PathBuf>,
}

/// Reads the configuration at `path`, or `config/xxgk.toml` when it
/// exists, or the built-in copy.
pub fn open(path: Option<&Path>) -> Result<Config> {
    let default = Path::new(DEFAULT_CONFIG_PATH);
    match path {
        Some(p) => open_file(Some(p)),
        None if default.exists() => open_file(Some(default)),
        None => open_file(None),
    }
}

/// Loads settings and reference data: [`open`], then [`Config::reference`].
pub fn load(path: Option<&Path>) -> Result<(Settings, Reference)> {
    let config = open(path)?;
    let reference = config.reference()?;
    Ok((config.settings, reference))
}

/// The built-in settings and reference data, whatever the working folder holds.
pub fn load_builtin() -> Result<(Settings, Reference)> {
    let config = open_file(None)?;
    let reference = config.reference()?;
    Ok((config.settings, reference))
}

/// Reads the config file at `path`, or the built-in copy.
fn open_file(path: Option<&Path>) -> Result<Config> {
    let (text, dir, source) = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read config {}", p.display()))?;
            let dir = p.parent().unwrap_or(Path::new(".")).to_path_buf();
            (text, Some(dir), p.display().to_string())
        }
        None => (BUILTIN_CONFIG.to_string(), None, "built-in config".to_string()),
    };
    let file: ConfigFile = toml::from_str(&text).with_context(|| format!("invalid config {source}"))?;
    let ingest = &file.ingest;
    if ingest.batch_size == 0 {
        anyhow::bail!("{source}: ingest.batch_size must be at least 1");
    }
    let settings = Settings {
        inputs: ingest.inputs.clone(),
        out: ingest.out.clone(),
        extensions: ingest.extensions.iter().map(|e| e.trim_start_matches('.').to_lowercase()).collect(),
        max_file_bytes: ingest.max_file_bytes,
        batch_size: ingest.batch_size,
        source,
        divisions: dir.as_ref().map(|dir| dir.join(&file.regions.divisions)),
    };
    Ok(Config { settings, text, file, dir })
}

impl Config {
    /// The compiled templates.
    pub fn catalog(&self) -> Result<Catalog> {
        Ok(self.template()?.0)
    }

    /// Everything parsing needs: templates, divisions and agency rules.
    pub fn reference(&self) -> Result<Reference> {
        let (catalog, template_text) = self.template()?;
        let divisions_text = Divisions::read(self.settings.divisions.as_deref())?;
        let fingerprint = fingerprint(&self.text, &template_text, &divisions_text)?;
        let source = self.settings.divisions.as_ref().map_or("built-in divisions".into(), |p| p.display().to_string());
        let divisions = Divisions::parse(&divisions_text, &self.file.regions.aliases, &source)?;
        let agencies = agency_rules(&self.file.agencies)
            .map_err(|errors| anyhow::anyhow!("{}:\n  {}", self.settings.source, errors.join("\n  ")))?;
        Ok(Reference { catalog, divisions, agencies, fingerprint })
    }

    /// The compiled templates and the text they were compiled from.
    fn template(&self) -> Result<(Catalog, String)> {
        let (text, source) = match &self.dir {
            Some(dir) => {
                let path = dir.join(&self.file.template);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read template {}", path.display()))?;
                (text, path.display().to_string())
            }
            None => (BUILTIN_TEMPLATE.to_string(), "built-in template".to_string()),
        };
        let file: TemplateFile = toml::from_str(&text).with_context(|| format!("invalid template file {source}"))?;
        let catalog =
            Catalog::compile(&file).map_err(|errors| anyhow::anyhow!("{source}:\n  {}", errors.join("\n  ")))?;
        Ok((catalog, text))
    }
}

/// A hash of everything that decides what a document parses to: this
/// build and its words (`config/words.toml`), the template, the division
/// table and the config's `[regions]` and `[agencies]` (not `[ingest]`,
/// which only says where to read and write).
/// Rows parsed under one fingerprint are not mixed with rows of another.
fn fingerprint(config_text: &str, template_text: &str, divisions_text: &str) -> Result<String> {
    let mut config: toml::Table = toml::from_str(config_text)?;
    config.remove("ingest");
    Ok(digest::parts([
        env!("CARGO_PKG_VERSION"),
        crate::words::TEXT,
        &config.to_string(),
        template_text,
        divisions_text,
    ]))
}

/// Compiles the `[agencies]` patterns, collecting every error.
fn agency_rules(file: &AgenciesFile) -> Result<AgencyRules, Vec<String>> {
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
    let mut abbreviations: Vec<(String, String)> = file.abbreviations.clone().into_iter().collect();
    abbreviations.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    if errors.is_empty() {
        Ok(AgencyRules { opening_patterns, signature_endings: file.signature_endings.clone(), abbreviations })
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

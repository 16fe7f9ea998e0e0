//! Sidecar: what the crawler knew about each file (`--meta FILE`, CSV with a
//! header or JSON Lines), matched to inputs by path. Its fields win over what
//! the text suggests; disagreements become warnings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::diagnostics::{Warning, WarningKind};
use crate::parse::meta::Meta;

/// One file's crawler metadata.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Hints {
    pub path: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// Publication date, `YYYY-MM-DD` (a time after it is ignored).
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default, deserialize_with = "year_field")]
    pub year: Option<i16>,
}

/// CSV gives every field as text; an empty year is none.
fn year_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Year {
        Number(i16),
        Text(String),
    }
    match Option::<Year>::deserialize(d)? {
        None => Ok(None),
        Some(Year::Number(y)) => Ok(Some(y)),
        Some(Year::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Year::Text(t)) => t.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[derive(Debug, Default)]
pub struct Sidecar {
    by_path: HashMap<PathBuf, Hints>,
    /// File name → rows with that name, for sidecars written elsewhere.
    by_name: HashMap<String, Vec<PathBuf>>,
}

impl Hints {
    /// A hash of what the hints say (not of how the path was written), so a
    /// later run can tell when a file's metadata changed.
    pub fn fingerprint(&self) -> String {
        let year = self.year.map(|y| y.to_string());
        let fields = [&self.url, &self.title, &self.published, &self.site, &self.agency, &year];
        // An absent field hashes apart from an empty one.
        crate::digest::parts(fields.map(|field| field.as_deref().unwrap_or("\u{0}")))
    }
}

impl Sidecar {
    /// Reads `path`: JSON Lines when it ends in `.jsonl`/`.json`, else CSV.
    pub fn load(path: &Path) -> Result<Sidecar> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read sidecar {}", path.display()))?;
        let is_json = path.extension().is_some_and(|e| e == "jsonl" || e == "json");
        let rows: Vec<Hints> = if is_json {
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l).with_context(|| format!("{}:{}: bad sidecar line", path.display(), i + 1))
                })
                .collect::<Result<_>>()?
        } else {
            csv::Reader::from_reader(text.as_bytes())
                .deserialize()
                .enumerate()
                .map(|(i, r)| r.with_context(|| format!("{}: bad sidecar record {}", path.display(), i + 1)))
                .collect::<Result<_>>()?
        };
        let mut sidecar = Sidecar::default();
        for row in rows {
            let key = normalize(Path::new(&row.path));
            if let Some(name) = key.file_name() {
                sidecar.by_name.entry(name.to_string_lossy().into_owned()).or_default().push(key.clone());
            }
            sidecar.by_path.insert(key, row);
        }
        Ok(sidecar)
    }

    /// The hints for an input: by its path, else by its file name when only
    /// one sidecar row has that name.
    pub fn lookup(&self, path: &Path) -> Option<&Hints> {
        if self.by_path.is_empty() {
            return None; // no sidecar: spare every file a canonicalize
        }
        self.by_path.get(&normalize(path)).or_else(|| {
            let name = path.file_name()?.to_string_lossy();
            match self.by_name.get(name.as_ref())?.as_slice() {
                [only] => self.by_path.get(only),
                _ => None,
            }
        })
    }
}

/// Paths compare without `./` and, where the file exists, as canonical paths.
fn normalize(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.components().collect())
}

/// Applies the hints to what the text gave: hints win, differences are warned.
pub fn apply(meta: &mut Meta, hints: &Hints, warnings: &mut Vec<Warning>) {
    fn take<T: PartialEq + std::fmt::Display + Clone>(
        field: &str,
        text: &mut Option<T>,
        hint: &Option<T>,
        warnings: &mut Vec<Warning>,
    ) {
        if let Some(hint) = hint {
            if let Some(found) = text.as_ref().filter(|t| *t != hint) {
                warnings.push(Warning::new(
                    WarningKind::SidecarDiffers,
                    format!("sidecar {field} {hint} differs from the document's {found}"),
                ));
            }
            *text = Some(hint.clone());
        }
    }
    take("title", &mut meta.title, &hints.title, warnings);
    take("agency", &mut meta.agency, &hints.agency, warnings);
    take("year", &mut meta.year, &hints.year, warnings);
    let published = hints
        .published
        .as_deref()
        .and_then(|p| p.get(..10))
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
    if hints.published.is_some() && published.is_none() {
        let text =
            format!("sidecar published {:?} is not a YYYY-MM-DD date", hints.published.as_deref().unwrap_or_default());
        warnings.push(Warning::new(WarningKind::SidecarBadDate, text));
    }
    take("published date", &mut meta.page_date, &published.map(str::to_string), warnings);
    if published.is_some() && meta.signature_date.is_none() {
        meta.published_date = meta.page_date.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_win_and_differences_are_warned() {
        let mut meta = Meta { title: Some("甲".into()), year: Some(2022), ..Meta::default() };
        let hints = Hints {
            path: "a.html".into(),
            title: Some("乙".into()),
            year: Some(2023),
            published: Some("2024-01-25 16:04".into()),
            ..Hints::default()
        };
        let mut warnings = Vec::new();
        apply(&mut meta, &hints, &mut warnings);
        assert_eq!((meta.title.as_deref(), meta.year), (Some("乙"), Some(2023)));
        assert_eq!(meta.published_date.as_deref(), Some("2024-01-25"));
        assert_eq!(
            warnings,
            [
                Warning::new(WarningKind::SidecarDiffers, "sidecar title 乙 differs from the document's 甲"),
                Warning::new(WarningKind::SidecarDiffers, "sidecar year 2023 differs from the document's 2022")
            ]
        );
    }
}

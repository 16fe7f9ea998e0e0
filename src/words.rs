//! The words and characters of Chinese reports that xxgk reads outside the
//! template: dashes, units, enumerators, title words, place endings, the
//! Chinese headers of summaries. They live in `config/words.toml`, built in
//! and read once: the innermost loops that use them (a cell's value, text
//! split into labels and values) see no configuration.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

/// The file as built in; part of the parser's fingerprint.
pub const TEXT: &str = include_str!("../config/words.toml");

/// The words, read from [`TEXT`] on first use.
pub static WORDS: LazyLock<Words> =
    LazyLock::new(|| toml::from_str(TEXT).unwrap_or_else(|e| panic!("config/words.toml: {e} (cargo test checks it)")));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub cells: Cells,
    pub enumerators: Enumerators,
    pub title: Title,
    pub places: Places,
    pub summary: Summary,
    pub synth: Synth,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cells {
    pub dashes: Vec<String>,
    pub dash_chars: String,
    pub units: Vec<String>,
    pub currency: Vec<String>,
    pub note_units: String,
    pub sign_words: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enumerators {
    pub numerals: String,
    pub marks: String,
    #[serde(deserialize_with = "one_char")]
    pub heading_mark: char,
    pub label_marks: String,
    #[serde(deserialize_with = "one_char")]
    pub clause_word: char,
    pub page_before: String,
    pub page_after: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Title {
    pub report: String,
    pub disclosure: String,
    pub annual_report: String,
    pub crawler_field: String,
    pub sentence_marks: String,
    pub about: String,
    pub site_separators: String,
    #[serde(deserialize_with = "regex")]
    pub year: Regex,
    #[serde(deserialize_with = "regex")]
    pub period_year: Regex,
    #[serde(deserialize_with = "regex")]
    pub report_year: Regex,
    #[serde(deserialize_with = "regex")]
    pub date: Regex,
    #[serde(deserialize_with = "regex")]
    pub page_date: Regex,
    #[serde(deserialize_with = "regex")]
    pub title_tail: Regex,
    #[serde(deserialize_with = "regex")]
    pub leading_year: Regex,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Places {
    pub endings: String,
    pub government: Vec<String>,
    pub place_government: String,
    pub not_places: Vec<String>,
    pub not_places_containing: Vec<String>,
}

/// The texts of synthetic reports (`tools::synth`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Synth {
    pub bodies: Vec<String>,
    pub fallback_place: String,
    pub title: String,
    pub sections: Vec<(String, String)>,
    pub requests_note: String,
    pub applicants: String,
    pub natural_persons: String,
    pub organisations: String,
    pub total: String,
    pub proactive_content: String,
    pub page_title: String,
    pub navigation: Vec<String>,
    pub heading_font: String,
    pub footer: Vec<String>,
}

impl Synth {
    /// `text` with `{agency}`, `{year}` and `{next_year}` filled in.
    pub fn fill(&self, text: &str, agency: &str, year: i16) -> String {
        text.replace("{agency}", agency)
            .replace("{year}", &year.to_string())
            .replace("{next_year}", &(year + 1).to_string())
    }
}

impl Places {
    /// Whether a division's name is no place an agency names (市辖区).
    pub fn is_not_a_place(&self, name: &str) -> bool {
        self.not_places.iter().any(|n| n == name)
            || self.not_places_containing.iter().any(|n| name.contains(n.as_str()))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub headers: Vec<(String, String)>,
    pub check_failed: String,
    pub share: String,
}

/// A regular expression written as a string.
fn regex<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Regex, D::Error> {
    let pattern = String::deserialize(deserializer)?;
    Regex::new(&pattern).map_err(serde::de::Error::custom)
}

/// A single character written as a string.
fn one_char<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<char, D::Error> {
    let text = String::deserialize(deserializer)?;
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(serde::de::Error::custom(format!("{text:?} is not one character"))),
    }
}

impl Enumerators {
    pub fn is_numeral(&self, c: char) -> bool {
        self.numerals.contains(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_words_read() {
        let words: Words = toml::from_str(TEXT).unwrap();
        assert_eq!(words.cells.currency, ["万元", "元"]);
        assert!(words.title.year.is_match("2023年"));
        assert!(WORDS.places.is_not_a_place("市辖区") && !WORDS.places.is_not_a_place("平潭县"));
    }
}

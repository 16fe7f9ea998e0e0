//! Report metadata from the text: title, agency, year and publication date.
//! A first pass: the title and its year, the stated statistics period, and
//! the signature date. Pure: tokens in, metadata out.

use std::sync::LazyLock;

use regex::Regex;

use crate::tokenize::Token;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub title: Option<String>,
    pub agency: Option<String>,
    pub year: Option<i16>,
    /// `YYYY-MM-DD` of the signature or page date.
    pub published_date: Option<String>,
}

static YEAR_IN_TITLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"((?:19|20)\d\d)\s*年").unwrap());
static PERIOD_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日\s*(?:至|到|-|—)").unwrap());
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").unwrap());
/// Page titles carry the site after a separator: `报告_政府信息公开年报_某某网`.
static TITLE_SITE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*[_|｜]\s*.*$").unwrap());

/// How many leading prose tokens may hold the title.
const TITLE_SEARCH_TOKENS: usize = 40;
/// How many trailing prose tokens may hold the signature date.
const SIGNATURE_SEARCH_TOKENS: usize = 12;

pub fn extract(tokens: &[Token], html_title: Option<&str>) -> Meta {
    let prose: Vec<&Token> = tokens.iter().filter(|t| !t.is_cell()).collect();
    let title = html_title
        .map(|t| TITLE_SITE_SUFFIX.replace(t.trim(), "").to_string())
        .filter(|t| t.contains("报告"))
        .or_else(|| title_from_text(&prose));
    let year = title
        .as_deref()
        .and_then(|t| YEAR_IN_TITLE.captures(t))
        .or_else(|| prose.iter().find_map(|t| PERIOD_YEAR.captures(&t.text)))
        .and_then(|c| c[1].parse::<i16>().ok());
    let agency = title.as_deref().and_then(agency_from_title);
    let published_date = prose
        .iter()
        .rev()
        .take(SIGNATURE_SEARCH_TOKENS)
        .filter(|t| t.text.chars().count() <= 20)
        .find_map(|t| DATE.captures(&t.text))
        .and_then(|c| {
            let (y, m, d): (u32, u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
            ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
        });
    Meta { title, agency, year, published_date }
}

/// The first prose line naming the report, joined with a wrapped `年度报告`.
fn title_from_text(prose: &[&Token]) -> Option<String> {
    let head = &prose[..prose.len().min(TITLE_SEARCH_TOKENS)];
    let at = head.iter().position(|t| t.text.contains("政府信息公开") && t.text.chars().count() <= 60)?;
    let mut title = head[at].text.clone();
    if !title.contains("报告") {
        let next = head.get(at + 1).filter(|t| t.text.chars().count() <= 10 && t.text.contains("报告"))?;
        title.push_str(&next.text);
    }
    Some(title.split_whitespace().collect::<Vec<_>>().join(""))
}

/// The issuing body is what the title says before the year.
fn agency_from_title(title: &str) -> Option<String> {
    let m = YEAR_IN_TITLE.find(title)?;
    let agency = title[..m.start()].trim().trim_end_matches(['关', '于']);
    (!agency.is_empty() && agency.chars().count() <= 40).then(|| agency.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::Place;

    fn prose(lines: &[&str]) -> Vec<Token> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| Token { text: l.to_string(), line: i as u32 + 1, place: Place::Text })
            .collect()
    }

    #[test]
    fn title_year_agency_and_date() {
        let tokens =
            prose(&["岳普湖县人民政府2023年政府信息公开工作", "年度报告", "正文", "岳普湖县人民政府", "2024年1月20日"]);
        let meta = extract(&tokens, None);
        assert_eq!(meta.title.as_deref(), Some("岳普湖县人民政府2023年政府信息公开工作年度报告"));
        assert_eq!(meta.year, Some(2023));
        assert_eq!(meta.agency.as_deref(), Some("岳普湖县人民政府"));
        assert_eq!(meta.published_date.as_deref(), Some("2024-01-20"));
    }

    #[test]
    fn html_title_loses_the_site_name() {
        let meta = extract(&[], Some("平潭综合实验区2019年度政府信息公开工作年度报告_政府信息公开年报_平潭"));
        assert_eq!(meta.title.as_deref(), Some("平潭综合实验区2019年度政府信息公开工作年度报告"));
        assert_eq!((meta.year, meta.agency.as_deref()), (Some(2019), Some("平潭综合实验区")));
    }

    #[test]
    fn year_from_the_statistics_period() {
        let tokens = prose(&["根据条例规定，本报告采用数据的起始时间为2024年1月1日至2024年12月31日。"]);
        assert_eq!(extract(&tokens, None).year, Some(2024));
    }
}

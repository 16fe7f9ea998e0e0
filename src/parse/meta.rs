//! Report metadata from the text: title, issuing agency, report year and
//! dates. The agency is taken from the title, then an opening sentence, then
//! the signature block, in that order of trust; a fuller form of the same
//! name found lower down refines it. Pure: tokens in, metadata out.

use regex::Regex;

use crate::diagnostics::{Warning, WarningKind};
use crate::label::to_half_width;
use crate::parse::tokenize::Token;
use crate::words::WORDS;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub title: Option<String>,
    pub agency: Option<String>,
    /// The year the statistics cover.
    pub year: Option<i16>,
    /// `YYYY-MM-DD`: the signature date, else the page date.
    pub published_date: Option<String>,
    pub signature_date: Option<String>,
    /// The date the page shows (`发布日期：2020-01-31`).
    pub page_date: Option<String>,
    pub warnings: Vec<Warning>,
}

/// How agencies are named, from the configuration.
#[derive(Debug, Clone, Default)]
pub struct AgencyRules {
    /// Sentences naming the issuing body; the `agency` group is the name.
    pub opening_patterns: Vec<Regex>,
    /// Endings of a signature line that names the issuing body.
    pub signature_endings: Vec<String>,
    /// Abbreviation → full form, longest first.
    pub abbreviations: Vec<(String, String)>,
}

/// How many leading prose tokens may hold the title and opening sentence.
const HEAD_TOKENS: usize = 40;
/// How many trailing prose tokens may hold the signature.
const SIGNATURE_TOKENS: usize = 12;
/// Title and signature lines are short.
const MAX_TITLE_CHARS: usize = 60;
const MAX_SIGNATURE_CHARS: usize = 40;
/// Agency names are short.
const MAX_AGENCY_CHARS: usize = 40;

pub fn extract(tokens: &[Token], html_title: Option<&str>, rules: &AgencyRules) -> Meta {
    let words = &WORDS.title;
    let prose: Vec<&str> = tokens.iter().filter(|t| !t.is_cell()).map(|t| t.text.as_str()).collect();
    let head = &prose[..prose.len().min(HEAD_TOKENS)];
    let tail = &prose[prose.len().saturating_sub(SIGNATURE_TOKENS)..];
    let title = html_title
        // Page titles carry the site after a separator: `报告_政府信息公开年报_某某网`.
        .map(|t| {
            t.trim().split(|c| words.site_separators.contains(c)).next().unwrap_or_default().trim_end().to_string()
        })
        .filter(|t| t.contains(words.report.as_str()))
        .or_else(|| title_from_text(head, rules));
    let year = title
        .as_deref()
        .and_then(|t| words.year.captures(t))
        .or_else(|| prose.iter().find_map(|t| words.period_year.captures(t)))
        .or_else(|| head.iter().find_map(|t| words.report_year.captures(t)))
        .and_then(|c| c[1].parse::<i16>().ok());

    let opening = head.iter().find_map(|t| {
        rules.opening_patterns.iter().find_map(|p| p.captures(t)?.name("agency").map(|m| m.as_str().trim().to_string()))
    });
    let signature = tail.iter().rev().map(|t| t.trim()).find(|t| {
        t.chars().count() <= MAX_SIGNATURE_CHARS
            && !t.chars().any(|c| words.sentence_marks.contains(c))
            && rules.signature_endings.iter().any(|e| t.ends_with(e.as_str()))
    });
    let from_title = title.as_deref().and_then(agency_from_title);
    let mut agency = from_title.clone().or_else(|| opening.clone()).or_else(|| signature.map(str::to_string));
    for fuller in [opening.as_deref(), signature].into_iter().flatten() {
        if let Some(base) = &agency {
            agency = Some(refine(base, fuller));
        }
    }
    let agency = agency.map(|a| expand(&a, &rules.abbreviations)).filter(|a| a.chars().count() <= MAX_AGENCY_CHARS);

    let signature_date = tail.iter().rev().filter(|t| t.chars().count() <= 20).find_map(|t| date(&words.date, t));
    let page_date = head.iter().find_map(|t| date(&words.page_date, t));
    let mut warnings = Vec::new();
    if let (Some(s), Some(p)) = (&signature_date, &page_date) {
        if s != p {
            warnings
                .push(Warning::new(WarningKind::DatesDiffer, format!("signature date {s} and page date {p} differ")));
        }
    }
    let published_date = signature_date.clone().or_else(|| page_date.clone());
    Meta { title, agency, year, published_date, signature_date, page_date, warnings }
}

fn date(pattern: &Regex, text: &str) -> Option<String> {
    let c = pattern.captures(text)?;
    let (y, m, d): (u32, u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(|d| d.format("%Y-%m-%d").to_string())
}

/// The first lines naming the report: the line that mentions it, with the
/// agency's line before it when it starts with the year (`洪泽区人民政府`,
/// then `2023 年政府信息公开工作年度报告`) and a wrapped `年度报告` after it;
/// or the start of a long line up to 年度报告.
fn title_from_text(head: &[&str], rules: &AgencyRules) -> Option<String> {
    // A line naming the whole report comes first: site navigation above it
    // may already say 政府信息公开.
    let words = &WORDS.title;
    let (disclosure, annual_report) = (words.disclosure.as_str(), words.annual_report.as_str());
    let names_report =
        |t: &&str| t.contains(disclosure) && t.contains(annual_report) && t.chars().count() <= MAX_TITLE_CHARS;
    let at = head
        .iter()
        .position(names_report)
        .or_else(|| head.iter().position(|t| t.contains(disclosure) || t.contains(annual_report)))?;
    // Crawler text opens with fields such as `标题: …`.
    let line = head[at]
        .strip_prefix(words.crawler_field.as_str())
        .map_or(head[at], |rest| rest.trim_start_matches(|c: char| to_half_width(c) == ':' || c == ' '));
    if line.chars().count() > MAX_TITLE_CHARS {
        let end = line.find(annual_report)? + annual_report.len();
        return Some(compact(&line[..end]));
    }
    let mut title = String::new();
    let starts_with_year = words.year.find(line).is_some_and(|m| m.start() == 0);
    if let Some(before) = at.checked_sub(1).map(|i| head[i].trim()) {
        if starts_with_year && rules.signature_endings.iter().any(|e| before.ends_with(e.as_str())) {
            title.push_str(before);
        }
    }
    title.push_str(line);
    if !title.contains(words.report.as_str()) {
        let next = head.get(at + 1).filter(|t| t.chars().count() <= 10 && t.contains(words.report.as_str()))?;
        title.push_str(next);
    }
    Some(compact(&title))
}

fn compact(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The issuing body is what the title says around the year and the report's name.
fn agency_from_title(title: &str) -> Option<String> {
    let words = &WORDS.title;
    let without_year = words.leading_year.replace(title, "");
    let rest = words.title_tail.replace(&without_year, "");
    // `关于` is a word (`…局关于2023年…`); its characters alone end names (南京海关).
    let agency = rest.trim().strip_suffix(words.about.as_str()).unwrap_or(rest.trim()).trim().to_string();
    (!agency.is_empty() && agency.chars().count() <= MAX_AGENCY_CHARS).then_some(agency)
}

/// A fuller name containing `base` (`五台县耿镇镇人民政府` for `耿镇镇`,
/// `淮安市洪泽区人民政府办公室` for `洪泽区人民政府`) lends its place prefix,
/// and its `人民政府` when `base` is a bare place name.
fn refine(base: &str, fuller: &str) -> String {
    let Some(at) = fuller.find(base) else { return base.to_string() };
    let mut refined = fuller[..at + base.len()].to_string();
    let rest = &fuller[at + base.len()..];
    let places = &WORDS.places;
    let government = places.place_government.as_str();
    if base.ends_with(|c| places.endings.contains(c)) && rest.starts_with(government) {
        refined.push_str(government);
    }
    refined
}

/// `agency` with its abbreviations written out (市科委 → 市科学技术委员会).
pub fn expand(agency: &str, abbreviations: &[(String, String)]) -> String {
    abbreviations.iter().fold(agency.to_string(), |a, (short, full)| {
        if a.contains(full.as_str()) {
            a
        } else {
            a.replace(short.as_str(), full)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::tokenize::Place;

    #[test]
    fn the_word_guanyu_ends_no_name_by_its_characters() {
        assert_eq!(agency_from_title("南京海关2023年政府信息公开工作年度报告").as_deref(), Some("南京海关"));
        assert_eq!(
            agency_from_title("平潭综合实验区公安局关于2020年政府信息公开工作年度报告").as_deref(),
            Some("平潭综合实验区公安局")
        );
    }

    fn prose(lines: &[&str]) -> Vec<Token> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| Token { text: l.to_string(), line: i as u32 + 1, place: Place::Text })
            .collect()
    }

    fn rules() -> AgencyRules {
        AgencyRules {
            opening_patterns: vec![
                Regex::new(r"本报告由(?P<agency>[^，,。]{2,40}?)(?:根据|依据|按照|编制)").unwrap(),
                Regex::new(r"结合(?P<agency>[^，,。]{2,30}?)\s*\d{4}\s*年").unwrap(),
            ],
            signature_endings: vec!["人民政府".into(), "局".into()],
            abbreviations: vec![("市科委".into(), "市科学技术委员会".into())],
        }
    }

    #[test]
    fn title_year_agency_and_date() {
        let tokens =
            prose(&["岳普湖县人民政府2023年政府信息公开工作", "年度报告", "正文", "岳普湖县人民政府", "2024年1月20日"]);
        let meta = extract(&tokens, None, &rules());
        assert_eq!(meta.title.as_deref(), Some("岳普湖县人民政府2023年政府信息公开工作年度报告"));
        assert_eq!(meta.year, Some(2023));
        assert_eq!(meta.agency.as_deref(), Some("岳普湖县人民政府"));
        assert_eq!(meta.published_date.as_deref(), Some("2024-01-20"));
    }

    #[test]
    fn a_signature_refines_a_bare_place() {
        let tokens =
            prose(&["耿镇镇2023年度政府信息公开工作年度报告", "正文。", "五台县耿镇镇人民政府", "2023年12月25日"]);
        assert_eq!(extract(&tokens, None, &rules()).agency.as_deref(), Some("五台县耿镇镇人民政府"));
    }

    #[test]
    fn agency_on_its_own_line_and_the_opening_sentence() {
        let tokens = prose(&[
            "洪泽区人民政府",
            "2023 年政府信息公开工作年度报告",
            "本报告由淮安市洪泽区人民政府办公室根据《条例》编制。",
        ]);
        let meta = extract(&tokens, None, &rules());
        assert_eq!(meta.agency.as_deref(), Some("淮安市洪泽区人民政府"));
        assert_eq!(meta.year, Some(2023));
    }

    #[test]
    fn abbreviations_are_written_out() {
        let tokens = prose(&["正文", "2024 年上海市科委政府信息公开工作", "年度报告"]);
        let meta = extract(&tokens, None, &rules());
        assert_eq!(meta.agency.as_deref(), Some("上海市科学技术委员会"));
        assert_eq!(meta.year, Some(2024));
    }

    #[test]
    fn no_title_uses_the_opening_and_the_period() {
        let tokens = prose(&["根据《条例》规定,结合铁厂镇2024年度政府信息公开工作开展情况,制发本报告。本报告采用数据的起始时间为2024年1月1日至2024年12月31日。"]);
        let meta = extract(&tokens, None, &rules());
        assert_eq!((meta.agency.as_deref(), meta.year), (Some("铁厂镇"), Some(2024)));
    }

    #[test]
    fn html_title_loses_the_site_name_and_page_dates_are_kept() {
        let tokens = prose(&["发布日期：2020-01-31", "正文", "平潭综合实验区", "2020年2月1日"]);
        let meta =
            extract(&tokens, Some("平潭综合实验区2019年度政府信息公开工作年度报告_政府信息公开年报_平潭"), &rules());
        assert_eq!(meta.title.as_deref(), Some("平潭综合实验区2019年度政府信息公开工作年度报告"));
        assert_eq!((meta.year, meta.agency.as_deref()), (Some(2019), Some("平潭综合实验区")));
        assert_eq!(
            (meta.page_date.as_deref(), meta.signature_date.as_deref()),
            (Some("2020-01-31"), Some("2020-02-01"))
        );
        assert_eq!(
            meta.warnings,
            [Warning::new(WarningKind::DatesDiffer, "signature date 2020-02-01 and page date 2020-01-31 differ")]
        );
    }

    #[test]
    fn a_long_first_line_holds_the_title() {
        let tokens = prose(&["2019年上海市人民政府办公厅政府信息公开工作年度报告\t发布日期：2020-01-31本年度报告根据《中华人民共和国政府信息公开条例》的要求编制，全文包括总体情况。"]);
        let meta = extract(&tokens, None, &rules());
        assert_eq!(meta.agency.as_deref(), Some("上海市人民政府办公厅"));
        assert_eq!(meta.page_date.as_deref(), Some("2020-01-31"));
    }
}

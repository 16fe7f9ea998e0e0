//! Narrative: the numbers a report's prose states that its tables also hold
//! (本年度共收到政府信息公开申请34件), read as claims and checked against the
//! cells. The phrasings, numerals and scope words are the template file's
//! (`template::claims`); this module only applies them, and
//! `validate::narrative` checks what it reads. Pure.
//!
//! A claim is checked only when it surely speaks for the whole report: its
//! number is exact (not 100余件), its subject names no office other than the
//! report's agency (区政府办代表区政府受理… in a county's report is one
//! office's share), and the prose gives no other number for the same thing.
//! Otherwise it is kept, with the reason its check was skipped.

use super::meta;
use super::sections::Span;
use super::tokenize::Token;
use crate::template::claims::{ClaimRule, ClaimRules, Vocabulary};

/// Claims are read in sections 一 to 四: the overview and the tables'.
const MAX_SECTION: u8 = 4;

/// A line shorter than this (in characters) ends its paragraph: lines a
/// PDF wrapped run to the page width, some 30 characters or more.
const MIN_WRAPPED_CHARS: usize = 20;

/// Who the report speaks for: what a claim's subject is compared with.
#[derive(Debug, Clone, Copy)]
pub struct Speaker<'a> {
    pub agency: Option<&'a str>,
    /// Abbreviations of agency names, written out (市科委 → 市科学技术委员会).
    pub abbreviations: &'a [(String, String)],
}

/// A number the prose states, and what it states it of.
#[derive(Debug, Clone)]
pub struct Claim<'t> {
    pub rule: &'t ClaimRule,
    pub line: u32,
    /// The clause that states it.
    pub text: String,
    /// The number as printed (`三十四`, `100余`).
    pub quantity: String,
    pub value: f64,
    /// A lower bound (100余件), not a count.
    pub approximate: bool,
    /// Why the claim may not speak for the whole report; `None` when it does.
    pub unclear: Option<String>,
}

/// The claims in the prose of sections 一 to 四, in document order.
pub fn extract<'t>(
    tokens: &[Token],
    sections: &[Span],
    vocabulary: &Vocabulary,
    rules: &'t ClaimRules,
    speaker: Speaker,
) -> Vec<Claim<'t>> {
    let mut claims = Vec::new();
    // Text whose headings run into its prose (tags stripped) shows none:
    // then all of it is read.
    let spans: Vec<(usize, usize)> = if sections.is_empty() {
        vec![(0, tokens.len())]
    } else {
        sections.iter().filter(|s| s.number <= MAX_SECTION).map(|s| (s.start, s.end)).collect()
    };
    for (start, end) in spans {
        let (text, lines) = prose(&tokens[start..end], vocabulary);
        for clause in clauses(&text, vocabulary) {
            let mut read = read_clause(&text[clause.clone()], vocabulary, rules, speaker);
            // Listed in the order their numbers are printed.
            read.sort_by_key(|&(at, _)| at);
            claims.extend(read.into_iter().map(|(at, mut claim)| {
                claim.line = line_at(&lines, clause.start + at);
                claim
            }));
        }
    }
    claims
}

/// The claims of one clause, each with where its number stands. A number is
/// one claim, read by the first pattern (in the rules' order) that reads it.
fn read_clause<'t>(
    clause: &str,
    vocabulary: &Vocabulary,
    rules: &'t ClaimRules,
    speaker: Speaker,
) -> Vec<(usize, Claim<'t>)> {
    let mut read: Vec<(usize, Claim)> = Vec::new();
    for (rule, pattern) in rules.any.matches(clause).iter().map(|i| rules.owner[i]) {
        let rule = &rules.rules[rule];
        for found in rule.patterns[pattern].captures_iter(clause) {
            let (Some(all), Some(number)) = (found.get(0), found.name("n")) else { continue };
            let (before, after) = (&clause[..all.start()], &clause[all.end()..]);
            if read.iter().any(|(at, _)| *at == number.start())
                || vocabulary.not_after.iter().any(|w| before.ends_with(w.as_str()))
            {
                continue;
            }
            let Some((value, range)) = vocabulary.number(number.as_str()) else { continue };
            let marks = [found.name("about"), found.name("n"), found.name("approx")];
            let quantity: String = marks.iter().flatten().map(|m| m.as_str()).collect();
            let approximate = range
                || found.name("about").is_some()
                || found.name("approx").is_some()
                || vocabulary.approximate_after.iter().any(|w| after.starts_with(w.as_str()));
            read.push((
                number.start(),
                Claim {
                    rule,
                    line: 0,
                    text: clause.trim().to_string(),
                    quantity,
                    value,
                    approximate,
                    unclear: unclear_scope(vocabulary, before, speaker),
                },
            ));
        }
    }
    read
}

/// A section's prose as one text: lines a PDF or a page wrapped are joined
/// (a clause may run over several), and the line each byte came from.
fn prose(tokens: &[Token], vocabulary: &Vocabulary) -> (String, Vec<(usize, u32)>) {
    let mut text = String::new();
    let mut lines = Vec::new();
    let mut last_chars = 0;
    for token in tokens.iter().filter(|t| !t.is_cell()) {
        let piece = token.text.trim();
        // A line that runs to the page width without ending its clause was
        // wrapped; any other line break ends the clause (a heading, a list).
        let ended = text.chars().last().is_none_or(|c| vocabulary.clause_ends.contains(&c));
        // A number may wrap too (`…办结69件，1` `1件结转…` is 11).
        let wrapped = !ended && last_chars >= MIN_WRAPPED_CHARS;
        if !text.is_empty() && !wrapped {
            text.push('\n');
        }
        lines.push((text.len(), token.line));
        text.push_str(piece);
        last_chars = piece.chars().count();
    }
    (text, lines)
}

/// Byte ranges of the clauses of `text`: up to a clause end or a line break.
fn clauses(text: &str, vocabulary: &Vocabulary) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' || vocabulary.clause_ends.contains(&c) {
            ranges.push(start..i);
            start = i + c.len_utf8();
        }
    }
    ranges.push(start..text.len());
    ranges.retain(|r| !r.is_empty());
    ranges
}

fn line_at(lines: &[(usize, u32)], at: usize) -> u32 {
    let i = lines.partition_point(|&(start, _)| start <= at);
    lines.get(i.saturating_sub(1)).map_or(0, |&(_, line)| line)
}

/// Why `subject` (the clause before a claim) may not be the report's own
/// agency: it names an office or unit that is not the agency.
fn unclear_scope(vocabulary: &Vocabulary, subject: &str, speaker: Speaker) -> Option<String> {
    // The scope word nearest the verb decides: 区政府办公室作为全区…主管部门，
    // 受理… is the office's, 全区各级行政机关共受理… the whole region's.
    let subject = vocabulary.abbreviate(&meta::expand(subject, speaker.abbreviations));
    let last_end =
        |words: &[String]| words.iter().filter_map(|w| subject.rfind(w.as_str()).map(|at| at + w.len())).max();
    let unit_end = last_end(&vocabulary.units)?;
    if last_end(&vocabulary.whole).is_some_and(|end| end >= unit_end) {
        return None;
    }
    // The unit's name: back to the last separator before it.
    let start = subject[..unit_end]
        .char_indices()
        .rfind(|&(_, c)| vocabulary.name_starts.contains(&c) || c.is_whitespace() || c.is_ascii_digit())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let named = &subject[start..unit_end];
    let own = speaker.agency.is_some_and(|a| vocabulary.abbreviate(a).contains(named));
    (!own).then(|| format!("the subject names {named}, not the report's agency"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::sections;
    use crate::parse::solve::solve_cells as align;
    use crate::parse::tokenize::tokenize;
    use crate::template::Catalog;
    use crate::validate::narrative::check;
    use crate::validate::Operands;

    fn catalog() -> &'static Catalog {
        crate::template::built_in()
    }

    const NO_ABBREVIATIONS: &[(String, String)] = &[];

    /// (kind, value, approximate, unclear) of the claims in `prose`, read as
    /// the 总体情况 of a report by `agency`.
    fn claims_in(prose: &str, agency: &str) -> Vec<(String, f64, bool, bool)> {
        let catalog = catalog();
        let text = format!("一、总体情况\n{prose}\n二、主动公开政府信息情况\n");
        let tokens = tokenize(&text, false).tokens;
        let template = catalog.template("gov2021").unwrap();
        let speaker = Speaker { agency: Some(agency), abbreviations: NO_ABBREVIATIONS };
        extract(&tokens, &sections::spans(&tokens, catalog), &catalog.narrative, &template.claims, speaker)
            .into_iter()
            .map(|c| (c.rule.kind.clone(), c.value, c.approximate, c.unclear.is_some()))
            .collect()
    }

    #[test]
    fn chinese_numerals_are_read() {
        let catalog = catalog();
        let number = |text: &str| catalog.narrative.number(text);
        let exact = |n: f64| Some((n, false));
        assert_eq!(number("34"), exact(34.0));
        assert_eq!(number("三十四"), exact(34.0));
        assert_eq!(number("十五"), exact(15.0));
        assert_eq!(number("一百零五"), exact(105.0));
        assert_eq!(number("两千三百"), exact(2300.0));
        assert_eq!(number("一万二千"), exact(12000.0));
        assert_eq!(number("二十万"), exact(200_000.0));
        assert_eq!(number("万"), exact(10_000.0));
        assert_eq!(number("二〇二三"), exact(2023.0));
        // Two digits side by side: three or four.
        assert_eq!(number("三四"), Some((34.0, true)));
        assert_eq!(number("三十四件"), None);
        // Too large to be a count, never an overflow.
        assert_eq!(number("二〇二三二〇二三二〇二三二〇二三二〇二三"), None);
        assert_eq!(number("万万万万万"), None);
    }

    #[test]
    fn a_clause_states_each_number_once_in_its_own_words() {
        let claims = claims_in(
            "本年度全区共收到政府信息公开申请三十四件，办结32件，2件结转下年度办理。予以公开及部分公开20件，不予公开3件。",
            "某某区人民政府",
        );
        let kinds: Vec<(&str, f64)> = claims.iter().map(|c| (c.0.as_str(), c.1)).collect();
        assert_eq!(
            kinds,
            [
                ("requests.received", 34.0),
                ("requests.handled", 32.0),
                ("requests.carried_forward", 2.0),
                ("requests.granted_or_partial", 20.0),
                ("requests.withheld", 3.0),
            ]
        );
        assert!(claims.iter().all(|c| !c.2 && !c.3));
        // By applicant, in the clause that gives the applications received.
        let claims = claims_in(
            "全年收到政府信息公开申请10件，其中自然人6件、商业企业2件、科研机构1件、法律服务机构1件。",
            "某某区人民政府",
        );
        let kinds: Vec<(&str, f64)> = claims.iter().map(|c| (c.0.as_str(), c.1)).collect();
        assert_eq!(
            kinds,
            [
                ("requests.received", 10.0),
                ("requests.received.natural_person", 6.0),
                ("requests.received.commercial", 2.0),
                ("requests.received.research", 1.0),
                ("requests.received.legal_service", 1.0),
            ]
        );
    }

    #[test]
    fn an_office_inside_the_report_and_a_rough_number_are_kept_but_not_checked() {
        // An office's share, in a district's report: scope unclear.
        let claims = claims_in("区政府办代表区政府受理政府信息公开申请17件。", "某某区人民政府");
        assert_eq!(claims, [("requests.received".to_string(), 17.0, false, true)]);
        // The same words in the office's own report speak for it.
        let claims = claims_in("市政府办公厅代表市政府共受理政府信息公开申请859件。", "上海市人民政府办公厅");
        assert_eq!(claims, [("requests.received".to_string(), 859.0, false, false)]);
        // The whole district, whatever office it names too.
        let claims = claims_in("全区各级行政机关共受理政府信息公开申请21件。", "某某区人民政府");
        assert_eq!(claims, [("requests.received".to_string(), 21.0, false, false)]);
        let claims = claims_in("全年受理政府信息公开申请100余件。", "某某区人民政府");
        assert_eq!(claims, [("requests.received".to_string(), 100.0, true, false)]);
        let claims = claims_in("全年受理政府信息公开申请约100件，办结申请90件左右。", "某某区人民政府");
        assert!(claims.iter().all(|c| c.2), "{claims:?}");
        // The scope word nearest the verb decides: the office speaks here.
        let claims = claims_in("区政府办公室作为全区政务公开主管部门，受理政府信息公开申请17件。", "某某区人民政府");
        assert_eq!(claims, [("requests.received".to_string(), 17.0, false, true)]);
        // A township government, named in full, in its own report and in its county's.
        let claims = claims_in("某某镇人民政府收到政府信息公开申请3件。", "某某镇人民政府");
        assert_eq!(claims, [("requests.received".to_string(), 3.0, false, false)]);
        let claims = claims_in("某某镇人民政府收到政府信息公开申请3件。", "某某县人民政府");
        assert_eq!(claims, [("requests.received".to_string(), 3.0, false, true)]);
    }

    #[test]
    fn other_counts_in_the_same_words_are_no_claim() {
        // A kind of application, a subset, a negation, another court.
        for (prose, kinds) in [
            ("收到行政复议申请3件。", vec![]),
            ("延期答复申请3件。", vec![]),
            ("全年收到政府信息公开申请70件，均已办结，无结转下年度办理的申请。", vec!["requests.received"]),
            ("处理申请5件，均未引起行政复议。", vec![]),
            ("发生民事诉讼2件。", vec![]),
            ("减免行政事业性收费120万元。", vec![]),
        ] {
            let claims = claims_in(prose, "某某区人民政府");
            let found: Vec<&str> = claims.iter().map(|c| c.0.as_str()).collect();
            assert_eq!(found, kinds, "{prose}");
        }
        // A number a PDF wrapped over two lines is read whole.
        let wrapped = "本年度全区共收到政府信息公开申请80件，及时依法依规办结69件，1\n1件结转下年度继续办理。";
        let claims = claims_in(wrapped, "某某区人民政府");
        assert!(claims.contains(&("requests.carried_forward".to_string(), 11.0, false, false)), "{claims:?}");
    }

    #[test]
    fn a_claim_passes_fails_or_is_skipped_against_the_table() {
        let catalog = catalog();
        let template = catalog.template("gov2021").unwrap();
        let table = "本年制发件数\n一、本年新收政府信息公开申请数量\t30\t0\t0\t0\t0\t0\t30\n\
                     二、上年结转政府信息公开申请数量\t4\t0\t0\t0\t0\t0\t4\n";
        let cells = align(&tokenize(table, false).tokens, catalog).cells;
        let operands = Operands::from_cells(&cells);
        let speaker = Speaker { agency: Some("某某区人民政府"), abbreviations: NO_ABBREVIATIONS };
        let status = |prose: &str| -> Vec<&'static str> {
            let tokens = tokenize(&format!("一、总体情况\n{prose}\n"), false).tokens;
            let claims =
                extract(&tokens, &sections::spans(&tokens, catalog), &catalog.narrative, &template.claims, speaker);
            check(&claims, &operands).0.iter().map(|r| r.status.as_str()).collect()
        };
        assert_eq!(status("全年收到政府信息公开申请30件。"), ["pass"]);
        // The new and the carried over together: the other sum the words may mean.
        assert_eq!(status("全年收到政府信息公开申请34件。"), ["pass"]);
        assert_eq!(status("全年收到政府信息公开申请31件。"), ["fail"]);
        assert_eq!(status("全年收到政府信息公开申请30余件。"), ["skipped"]);
        // Two numbers for one thing: neither is held to the table.
        assert_eq!(status("全年收到政府信息公开申请31件。其中区本级收到申请30件。"), ["skipped", "skipped"]);
        // The results are not printed: nothing to hold the claim to.
        assert_eq!(status("办结政府信息公开申请30件。"), ["skipped"]);
    }
}

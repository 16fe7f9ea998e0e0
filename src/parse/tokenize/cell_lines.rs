//! One table cell per line, tab-indented, as text exports of Word tables
//! write them. A cell's text may wrap onto following unindented lines
//! (`\t自然` + `人`), sometimes across one blank line. Unindented lines that
//! do not continue a label are prose. Row boundaries are not shown.

use super::{line_no, Place, Token};
use crate::parse::value::is_value_like;
use crate::words::WORDS;

/// A wrapped piece of a label is short; longer unindented lines are prose.
const MAX_CONTINUATION_CHARS: usize = 24;

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut blank_run = 0;
    // Whether the last token is a cell that a following line may continue.
    let mut can_continue = false;
    for (i, line) in text.lines().enumerate() {
        let line_number = line_no(i);
        if let Some(cell) = line.strip_prefix('\t') {
            let text = cell.trim().to_string();
            can_continue = !is_value_like(&text);
            tokens.push(Token { text, line: line_number, place: Place::Cell });
            blank_run = 0;
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blank_run += 1;
            continue;
        }
        let continues = can_continue
            && blank_run <= 1
            && trimmed.chars().count() <= MAX_CONTINUATION_CHARS
            && !starts_like_heading(trimmed);
        match tokens.last_mut() {
            Some(last) if continues => last.text.push_str(trimmed),
            _ => {
                tokens.push(Token { text: trimmed.to_string(), line: line_number, place: Place::Text });
                can_continue = false;
            }
        }
        blank_run = 0;
    }
    tokens
}

/// `五、存在的主要问题…` starts a section, never the rest of a cell.
fn starts_like_heading(line: &str) -> bool {
    let mut chars = line.chars();
    let enumerators = &WORDS.enumerators;
    chars.next().is_some_and(|c| enumerators.is_numeral(c)) && chars.next() == Some(enumerators.heading_mark)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn wrapped_labels_are_joined() {
        let tokens = tokenize("\t自然\n\n人\n\t结果\n纠正\n\t0\n");
        assert_eq!(texts(&tokens), ["自然人", "结果纠正", "0"]);
        assert_eq!(tokens[1].line, 4);
    }

    #[test]
    fn prose_after_a_table_stays_prose() {
        let tokens = tokenize("\t总计\n\t0\n\n\n五、存在的主要问题及改进情况\n\t其他\n六、其他需要报告的事项\n");
        assert_eq!(texts(&tokens), ["总计", "0", "五、存在的主要问题及改进情况", "其他", "六、其他需要报告的事项"]);
        assert_eq!(tokens[2].place, Place::Text);
    }

    #[test]
    fn empty_cells_are_kept() {
        let tokens = tokenize("\t\n\t规章\n");
        assert_eq!(texts(&tokens), ["", "规章"]);
    }
}

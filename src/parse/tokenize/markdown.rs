//! Markdown pipe tables, as PDF-to-Markdown converters write them: one row per
//! `| a | b |` line; separator lines are dropped; other lines are prose,
//! except a short `label value` line, which converters write for a table
//! row they did not recognise as one (`行政许可 97`).

use super::{line_no, Place, Token};

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let line_number = line_no(i);
        if trimmed.is_empty() || is_separator(trimmed) {
            continue;
        }
        if trimmed.starts_with('|') {
            let inner = trimmed.trim_start_matches('|');
            let inner = inner.strip_suffix('|').unwrap_or(inner);
            for cell in inner.split('|') {
                let cell = cell.replace("<br>", "").replace("<br/>", "");
                tokens.push(Token {
                    text: cell.trim().to_string(),
                    line: line_number,
                    place: Place::RowCell(line_number),
                });
            }
        } else if let Some((label, value)) = label_and_value(trimmed) {
            for cell in [label, value] {
                tokens.push(Token { text: cell.to_string(), line: line_number, place: Place::RowCell(line_number) });
            }
        } else {
            let prose = trimmed.trim_start_matches('#').trim();
            tokens.push(Token { text: prose.to_string(), line: line_number, place: Place::Text });
        }
    }
    tokens
}

/// Labels longer than this (in characters) on a `label value` line are prose.
const MAX_ROW_LABEL_CHARS: usize = 20;

/// `行政许可 97`: a short label without digits, one space, a number.
fn label_and_value(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.rsplit_once(char::is_whitespace)?;
    let label = label.trim();
    let short =
        label.chars().count() <= MAX_ROW_LABEL_CHARS && !label.chars().any(|c| c.is_ascii_digit() || c.is_whitespace());
    let number = value.bytes().all(|b| b.is_ascii_digit() || b == b'.') && value.bytes().any(|b| b.is_ascii_digit());
    (short && number && !label.is_empty()).then_some((label, value))
}

fn is_separator(line: &str) -> bool {
    line.starts_with('|') && line.contains('-') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_separators() {
        let tokens = tokenize("## 表二\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["表二", "信息内容", "本年制发件数", "规章", "0"]);
        assert_eq!(tokens[3].place, Place::RowCell(4));
    }

    #[test]
    fn a_label_and_value_line_outside_a_table_is_a_row() {
        let tokens = tokenize(
            "行政许可 97
为 2024 年 1 月 1 日
",
        );
        assert_eq!(tokens[0].place, Place::RowCell(1));
        assert_eq!((tokens[0].text.as_str(), tokens[1].text.as_str()), ("行政许可", "97"));
        assert_eq!(tokens[2].place, Place::Text);
    }
}

//! Markdown pipe tables, as PDF-to-Markdown converters write them: one row per
//! `| a | b |` line; separator lines are dropped; other lines are prose.

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
        } else {
            let prose = trimmed.trim_start_matches('#').trim();
            tokens.push(Token { text: prose.to_string(), line: line_number, place: Place::Text });
        }
    }
    tokens
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
}

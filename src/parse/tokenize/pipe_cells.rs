//! One cell per line ending in ` |`, as some Word-to-text converters write
//! tables. A line of bare pipes holds one empty cell per pipe (spanned grid
//! cells). Row boundaries are not shown.

use super::{line_no, Place, Token};

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let line_number = line_no(i);
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.chars().all(|c| c == '|') {
            for _ in 0..trimmed.len() {
                tokens.push(Token { text: String::new(), line: line_number, place: Place::Cell });
            }
        } else if let Some(cell) = trimmed.strip_suffix('|') {
            tokens.push(Token { text: cell.trim().to_string(), line: line_number, place: Place::Cell });
        } else {
            tokens.push(Token { text: trimmed.to_string(), line: line_number, place: Place::Text });
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_are_cells() {
        let tokens = tokenize("二、主动公开\n规章 |\n0 |\n||\n");
        let texts: Vec<(&str, Place)> = tokens.iter().map(|t| (t.text.as_str(), t.place)).collect();
        assert_eq!(
            texts,
            [
                ("二、主动公开", Place::Text),
                ("规章", Place::Cell),
                ("0", Place::Cell),
                ("", Place::Cell),
                ("", Place::Cell)
            ]
        );
        assert_eq!(tokens[2].line, 3);
    }
}

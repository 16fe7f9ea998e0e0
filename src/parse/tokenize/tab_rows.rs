//! Tab-separated rows: one table row per line. Lines without a tab are prose.

use super::{line_no, Place, Token};

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_number = line_no(i);
        if line.contains('\t') {
            for cell in line.split('\t') {
                tokens.push(Token {
                    text: cell.trim().to_string(),
                    line: line_number,
                    place: Place::RowCell(line_number),
                });
            }
        } else if !line.trim().is_empty() {
            tokens.push(Token { text: line.trim().to_string(), line: line_number, place: Place::Text });
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_their_row_and_blanks() {
        let tokens = tokenize("标题\n规章\t0\t\t3\n");
        assert_eq!(tokens[0].place, Place::Text);
        let cells: Vec<&str> = tokens[1..].iter().map(|t| t.text.as_str()).collect();
        assert_eq!(cells, ["规章", "0", "", "3"]);
        assert!(tokens[1..].iter().all(|t| t.place == Place::RowCell(2)));
    }
}

//! Reads one printed cell: `34,754`, `251000元`, `20.3`, `—`, blank. Pure;
//! knows nothing of where the cell came from.

use std::borrow::Cow;

use crate::label::to_half_width;
use crate::words::WORDS;

/// How a cell reads, per the data contract's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Blank,
    Dash,
    Invalid,
    Missing,
    /// Recovered from values printed without cell boundaries, by the only
    /// reading the template's arithmetic leaves.
    Inferred,
}

impl Status {
    /// The status whose `as u8` is `index`.
    pub fn from_index(index: u8) -> Option<Status> {
        [Status::Ok, Status::Blank, Status::Dash, Status::Invalid, Status::Missing, Status::Inferred]
            .get(usize::from(index))
            .copied()
    }

    /// The number the template's checks count for a cell read as `value`:
    /// blank and dash cells count as 0; missing and invalid ones as nothing.
    pub fn counted(self, value: Option<f64>) -> Option<f64> {
        match self {
            Status::Ok | Status::Inferred => Some(value.unwrap_or(0.0)),
            Status::Blank | Status::Dash => Some(0.0),
            Status::Missing | Status::Invalid => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Blank => "blank",
            Status::Dash => "dash",
            Status::Invalid => "invalid",
            Status::Missing => "missing",
            Status::Inferred => "inferred",
        }
    }
}

/// A cell's reading: the number, its status and a unit printed in the cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub value: Option<f64>,
    pub status: Status,
    pub unit: Option<&'static str>,
}

/// Reads a cell's trimmed text.
pub fn read(raw: &str) -> Reading {
    // Most cells are plain ASCII integers: read them without copying.
    if !raw.is_empty() && raw.len() <= 15 && raw.bytes().all(|b| b.is_ascii_digit()) {
        return Reading { value: raw.parse::<u64>().ok().map(|v| v as f64), status: Status::Ok, unit: None };
    }
    let text = compact(raw);
    // Converters leave a stray `?` for characters they could not map (`? 0`).
    let text = text.trim_start_matches('?');
    if text.is_empty() {
        return Reading { value: None, status: Status::Blank, unit: None };
    }
    let cells = &WORDS.cells;
    if cells.dashes.iter().any(|d| d == text) {
        return Reading { value: None, status: Status::Dash, unit: None };
    }
    let (number, unit) = match cells.units.iter().find(|u| text.ends_with(u.as_str())) {
        Some(u) => (&text[..text.len() - u.len()], Some(u.as_str())),
        None => (text, None),
    };
    match parse_number(number) {
        Some(v) => Reading { value: Some(v), status: Status::Ok, unit },
        None => Reading { value: None, status: Status::Invalid, unit: None },
    }
}

/// The text half-width and without white space; borrowed when it already
/// is, as most labels are (every label cell is read to tell it from a value).
fn compact(raw: &str) -> Cow<'_, str> {
    if raw.chars().all(|c| to_half_width(c) == c && !c.is_whitespace()) {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(raw.chars().map(to_half_width).filter(|c| !c.is_whitespace()).collect())
    }
}

/// True when the text reads as a value cell (number, dash or blank), the
/// test that separates values from labels in a token stream.
pub fn is_value_like(raw: &str) -> bool {
    !matches!(read(raw).status, Status::Invalid)
}

/// Parses `-18`, `34,754`, `24252.311082` (half-width, as `read` makes it);
/// rejects anything else, including
/// NaN, infinities and numbers with more than 15 significant digits, which
/// f64 cannot hold exactly.
fn parse_number(s: &str) -> Option<f64> {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut seen_digit = false;
    let mut seen_point = false;
    let mut digits = 0;
    for c in unsigned.chars() {
        match c {
            '0'..='9' => {
                seen_digit = true;
                digits += 1;
            }
            '.' if !seen_point => seen_point = true,
            ',' if seen_digit && !seen_point => {}
            _ => return None,
        }
    }
    if !seen_digit || digits > 15 {
        return None;
    }
    let cleaned: Cow<str> =
        if s.contains(',') { Cow::Owned(s.chars().filter(|c| *c != ',').collect()) } else { Cow::Borrowed(s) };
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(raw: &str) -> Option<f64> {
        read(raw).value
    }

    #[test]
    fn numbers() {
        assert_eq!(value("0"), Some(0.0));
        assert_eq!(value("34,754"), Some(34754.0));
        assert_eq!(value("20.3"), Some(20.3));
        assert_eq!(value("-18"), Some(-18.0));
        assert_eq!(value("１２"), Some(12.0));
        assert_eq!(value(" 519 "), Some(519.0));
        assert_eq!(value("? 0"), Some(0.0));
    }

    #[test]
    fn units_in_cells() {
        let r = read("251000元");
        assert_eq!((r.value, r.status, r.unit), (Some(251000.0), Status::Ok, Some("元")));
        assert_eq!(read("73802895.90元").value, Some(73802895.9));
    }

    #[test]
    fn blanks_dashes_and_text() {
        assert_eq!(read("").status, Status::Blank);
        assert_eq!(read("\u{a0}").status, Status::Blank);
        for dash in ["—", "-", "/", "无", "－"] {
            assert_eq!(read(dash).status, Status::Dash, "{dash}");
        }
        for bad in ["NaN", "inf", "十二", "1.2.3", "99999999999999999999", "12abc"] {
            assert_eq!(read(bad).status, Status::Invalid, "{bad}");
        }
    }
}

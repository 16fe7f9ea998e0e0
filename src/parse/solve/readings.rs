//! Readings: every way a run of printed values can stand for a row's cells,
//! by the rule of the text's mode. Each rule is a function with its test.

use crate::label::to_half_width;
use crate::parse::tokenize::flow::Mode;
use crate::words::WORDS;

/// A printed value and the line it is on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chunk<'a> {
    pub text: &'a str,
    pub line: u32,
}

/// One cell of a reading: its text and line; `None` for a cell the row
/// does not print at all (a short row of delimited cells).
pub type Slot = Option<(String, u32)>;

/// One reading of a run of chunks: each cell's text and line.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub cells: Vec<Slot>,
    /// Each chunk read as exactly one cell: nothing was inferred.
    pub as_printed: bool,
    /// A non-zero value stood for several cells, which a dropped empty cell
    /// could equally explain; only an identity can confirm such a reading.
    pub repeats_value: bool,
}

/// Every reading of `chunks` as exactly `cells` cells; `None` when there are
/// more than `cap`, or finding them takes more than a hundred steps per
/// reading allowed (the run is then too ambiguous to solve).
pub fn read_all(chunks: &[Chunk], cells: usize, mode: Mode, cap: usize) -> Option<Vec<Reading>> {
    let mut out = Vec::new();
    let mut cells_so_far = Vec::new();
    let mut steps = cap.saturating_mul(100);
    let ok = walk(chunks, cells, mode, cap, &mut steps, &mut cells_so_far, true, false, &mut out);
    ok.then_some(out)
}

/// [`read_all`] for a document that leaves no trace of an empty cell: the
/// chunks are read as any number of printed cells, with empty cells
/// (text `""`) at every choice of the other places.
pub fn read_all_with_empty_cells(chunks: &[Chunk], cells: usize, mode: Mode, cap: usize) -> Option<Vec<Reading>> {
    let line = chunks.first().map_or(0, |c| c.line);
    let mut out = Vec::new();
    for printed in 1..=cells {
        for reading in read_all(chunks, printed, mode, cap)? {
            let mut places = Vec::new();
            let ok = place_empties(&reading.cells, cells, 0, &mut places, &mut |places: &[bool]| {
                let mut printed = reading.cells.iter();
                let cells =
                    places
                        .iter()
                        .map(|&empty| {
                            if empty {
                                Some((String::new(), line))
                            } else {
                                printed.next().cloned().unwrap_or_default()
                            }
                        })
                        .collect();
                out.push(Reading {
                    cells,
                    as_printed: reading.as_printed && printed_all(places),
                    repeats_value: reading.repeats_value,
                });
                out.len() <= cap
            });
            if !ok {
                return None;
            }
        }
    }
    Some(out)
}

fn printed_all(places: &[bool]) -> bool {
    !places.contains(&true)
}

/// Calls `emit` with every way to mark `cells - printed.len()` of `cells`
/// places empty, keeping the printed ones in order; stops when it says so.
fn place_empties(
    printed: &[Slot],
    cells: usize,
    filled: usize,
    places: &mut Vec<bool>,
    emit: &mut dyn FnMut(&[bool]) -> bool,
) -> bool {
    if places.len() == cells {
        return emit(places);
    }
    let empties_left = cells - places.len() - (printed.len() - filled);
    if filled < printed.len() {
        places.push(false);
        let ok = place_empties(printed, cells, filled + 1, places, emit);
        places.pop();
        if !ok {
            return false;
        }
    }
    if empties_left > 0 {
        places.push(true);
        let ok = place_empties(printed, cells, filled, places, emit);
        places.pop();
        if !ok {
            return false;
        }
    }
    true
}

#[allow(clippy::too_many_arguments)]
fn walk(
    chunks: &[Chunk],
    left: usize,
    mode: Mode,
    cap: usize,
    steps: &mut usize,
    taken: &mut Vec<Slot>,
    as_printed: bool,
    repeats_value: bool,
    out: &mut Vec<Reading>,
) -> bool {
    let Some((chunk, rest)) = chunks.split_first() else {
        if left == 0 {
            if out.len() >= cap {
                return false;
            }
            out.push(Reading { cells: taken.clone(), as_printed, repeats_value });
        }
        return true;
    };
    // Every later chunk needs a cell of its own.
    let Some(most) = left.checked_sub(rest.len()) else { return true };
    for n in 1..=most {
        let Some(options) = cells_of(chunk.text, n, mode, steps) else { return false };
        for parts in options {
            let n = parts.len();
            let repeats = mode == Mode::NodeLines && n > 1 && !is_zero(chunk.text);
            let before = taken.len();
            taken.extend(parts.into_iter().map(|p| Some((p, chunk.line))));
            let ok = walk(rest, left - n, mode, cap, steps, taken, as_printed && n == 1, repeats_value || repeats, out);
            taken.truncate(before);
            if !ok {
                return false;
            }
        }
    }
    true
}

fn is_zero(text: &str) -> bool {
    text.trim_start_matches(['-', '+']).bytes().all(|b| b == b'0' || b == b'.') && text.contains('0')
}

/// The ways one printed value is `n` cells; `None` when `steps` run out.
fn cells_of(text: &str, n: usize, mode: Mode, steps: &mut usize) -> Option<Vec<Vec<String>>> {
    *steps = steps.checked_sub(1)?;
    match mode {
        Mode::Spaced => Some(if n == 1 { vec![vec![text.to_string()]] } else { Vec::new() }),
        Mode::NodeLines => Some(vec![vec![text.to_string(); n]]),
        Mode::Fused => splits(text, n, steps),
    }
}

/// Cuts a run of fused digits into `n` numbers. A number never starts with
/// 0 unless it is 0 (or `0.x`); a sign stays with the first number and a
/// decimal part and unit with the last, since a cut inside them would leave
/// text no cell prints. Text that is not a digit run is one cell.
pub fn splits(text: &str, n: usize, steps: &mut usize) -> Option<Vec<Vec<String>>> {
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    // A run of dashes is that many empty cells or fewer: `——` may be one.
    if !text.is_empty() && text.chars().all(is_dash) {
        let dashes: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut cuts = Vec::new();
        let as_text = |parts: &[&str]| parts.iter().map(|p| p.to_string()).collect();
        let ascii: String = "-".repeat(dashes.len());
        let finished = cut(&ascii, 0, n, steps, &mut cuts, &mut out, &as_text);
        let dash = dashes[0].to_string();
        return finished
            .then(|| out.into_iter().map(|parts| parts.iter().map(|p| dash.repeat(p.len())).collect()).collect());
    }
    let int_len = body.bytes().take_while(u8::is_ascii_digit).count();
    let tail = &body[int_len..];
    let fraction = match tail.strip_prefix('.') {
        Some(rest) => 1 + rest.bytes().take_while(u8::is_ascii_digit).count(),
        None => 0,
    };
    let unit = &tail[fraction..];
    let tail_ok = fraction != 1 && (unit.is_empty() || WORDS.cells.currency.iter().any(|c| c == unit));
    if int_len == 0 || !tail_ok {
        return Some(if n == 1 { vec![vec![text.to_string()]] } else { Vec::new() });
    }
    let digits = &body[..int_len];
    let mut out = Vec::new();
    let mut cuts = Vec::new();
    let finished = cut(digits, 0, n, steps, &mut cuts, &mut out, &|parts: &[&str]| {
        let last = parts.len() - 1;
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}{p}{}", if i == 0 { sign } else { "" }, if i == last { tail } else { "" }))
            .collect()
    });
    finished.then_some(out)
}

pub(super) fn is_dash(c: char) -> bool {
    matches!(to_half_width(c), '-' | '/') || WORDS.cells.dash_chars.contains(c)
}

fn cut(
    digits: &str,
    from: usize,
    n: usize,
    steps: &mut usize,
    cuts: &mut Vec<usize>,
    out: &mut Vec<Vec<String>>,
    build: &dyn Fn(&[&str]) -> Vec<String>,
) -> bool {
    let Some(left) = steps.checked_sub(1) else { return false };
    *steps = left;
    if n == 1 {
        let part = &digits[from..];
        if part.is_empty() || (part.len() > 1 && part.starts_with('0')) {
            return true;
        }
        let mut parts = Vec::with_capacity(cuts.len() + 1);
        let mut start = 0;
        for &c in cuts.iter() {
            parts.push(&digits[start..c]);
            start = c;
        }
        parts.push(part);
        out.push(build(&parts));
        return true;
    }
    // A part starting with 0 is that 0 alone.
    let longest = if digits.as_bytes().get(from) == Some(&b'0') { 1 } else { digits.len() - from };
    for len in 1..=longest {
        let end = from + len;
        if digits.len() - end < n - 1 {
            break;
        }
        cuts.push(end);
        let finished = cut(digits, end, n - 1, steps, cuts, out, build);
        cuts.pop();
        if !finished {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(text: &str, n: usize) -> Vec<Vec<String>> {
        splits(text, n, &mut 1000).unwrap()
    }

    fn chunks<'a>(texts: &[&'a str]) -> Vec<Chunk<'a>> {
        texts.iter().map(|t| Chunk { text: t, line: 1 }).collect()
    }

    fn values(readings: &[Reading]) -> Vec<Vec<&str>> {
        readings.iter().map(|r| r.cells.iter().map(|c| c.as_ref().map_or("", |(t, _)| t.as_str())).collect()).collect()
    }

    #[test]
    fn fused_digits_split_without_leading_zeros() {
        assert_eq!(split_all("000", 3), [["0", "0", "0"]]);
        assert_eq!(split_all("007", 3), [["0", "0", "7"]]);
        assert!(split_all("007", 2).is_empty());
        assert_eq!(split_all("350", 2), [["3", "50"], ["35", "0"]]);
        assert_eq!(split_all("-18538", 2), [["-1", "8538"], ["-18", "538"], ["-185", "38"], ["-1853", "8"]]);
    }

    #[test]
    fn a_decimal_part_and_unit_stay_with_the_last_number() {
        assert_eq!(
            split_all("13575.52元", 2),
            [["1", "3575.52元"], ["13", "575.52元"], ["135", "75.52元"], ["1357", "5.52元"]]
        );
        assert_eq!(split_all("24252.311082", 1), [["24252.311082"]]);
        assert_eq!(split_all("———", 2), [["—", "——"], ["——", "—"]]);
        assert_eq!(split_all("增3", 1), [["增3"]]);
        assert!(split_all("增3", 2).is_empty());
    }

    #[test]
    fn spaced_values_are_one_cell_each() {
        let r = read_all(&chunks(&["10", "0", "10"]), 3, Mode::Spaced, 100).unwrap();
        assert_eq!(values(&r), [["10", "0", "10"]]);
        assert!(r[0].as_printed);
        assert!(read_all(&chunks(&["10", "0"]), 3, Mode::Spaced, 100).unwrap().is_empty());
    }

    #[test]
    fn node_lines_expand_collapsed_runs() {
        let r = read_all(&chunks(&["4", "0", "4"]), 4, Mode::NodeLines, 100).unwrap();
        assert_eq!(values(&r), [["4", "0", "4", "4"], ["4", "0", "0", "4"], ["4", "4", "0", "4"]]);
        assert!(r[0].repeats_value && !r[1].repeats_value && r[2].repeats_value);
        let zeros = read_all(&chunks(&["0"]), 3, Mode::NodeLines, 100).unwrap();
        assert_eq!(values(&zeros), [["0", "0", "0"]]);
        assert!(!zeros[0].as_printed && !zeros[0].repeats_value);
    }

    #[test]
    fn empty_cells_may_stand_anywhere_when_the_document_drops_them() {
        let r = read_all_with_empty_cells(&chunks(&["5"]), 3, Mode::Spaced, 100).unwrap();
        assert_eq!(values(&r), [["5", "", ""], ["", "5", ""], ["", "", "5"]]);
        assert!(r.iter().all(|r| !r.as_printed));
        let r = read_all_with_empty_cells(&chunks(&["1", "2"]), 2, Mode::Spaced, 100).unwrap();
        assert_eq!(values(&r), [["1", "2"]]);
        assert!(r[0].as_printed);
    }

    #[test]
    fn fused_chunks_share_the_cells_of_a_row() {
        let r = read_all(&chunks(&["230", "000023"]), 7, Mode::Fused, 100).unwrap();
        assert!(values(&r).contains(&vec!["23", "0", "0", "0", "0", "0", "23"]));
        assert!(r.iter().all(|r| !r.as_printed));
        assert_eq!(read_all(&chunks(&["1234567890"]), 7, Mode::Fused, 10), None);
    }
}

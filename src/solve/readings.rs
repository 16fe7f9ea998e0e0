//! Readings: every way a run of printed values can stand for a row's cells,
//! by the rule of the text's mode. Each rule is a function with its test.

use crate::tokenize::flow::Mode;

/// A printed value and the line it is on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chunk<'a> {
    pub text: &'a str,
    pub line: u32,
}

/// One reading of a run of chunks: each cell's text and line.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub cells: Vec<(String, u32)>,
    /// Each chunk read as exactly one cell: nothing was inferred.
    pub as_printed: bool,
    /// A non-zero value stood for several cells, which a dropped empty cell
    /// could equally explain; only an identity can confirm such a reading.
    pub repeats_value: bool,
}

/// Every reading of `chunks` as exactly `cells` cells; `None` when there are
/// more than `cap` (the run is then too ambiguous to solve).
pub fn read_all(chunks: &[Chunk], cells: usize, mode: Mode, cap: usize) -> Option<Vec<Reading>> {
    let mut out = Vec::new();
    let mut cells_so_far = Vec::new();
    let ok = walk(chunks, cells, mode, cap, &mut cells_so_far, true, false, &mut out);
    ok.then_some(out)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    chunks: &[Chunk],
    left: usize,
    mode: Mode,
    cap: usize,
    taken: &mut Vec<(String, u32)>,
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
    for parts in (1..=most).flat_map(|n| cells_of(chunk.text, n, mode)) {
        let n = parts.len();
        let repeats = mode == Mode::NodeLines && n > 1 && !is_zero(chunk.text);
        let before = taken.len();
        taken.extend(parts.into_iter().map(|p| (p, chunk.line)));
        let ok = walk(rest, left - n, mode, cap, taken, as_printed && n == 1, repeats_value || repeats, out);
        taken.truncate(before);
        if !ok {
            return false;
        }
    }
    true
}

fn is_zero(text: &str) -> bool {
    text.trim_start_matches(['-', '+']).bytes().all(|b| b == b'0' || b == b'.') && text.contains('0')
}

/// The ways one printed value is `n` cells.
fn cells_of(text: &str, n: usize, mode: Mode) -> Vec<Vec<String>> {
    match mode {
        Mode::Spaced => {
            if n == 1 {
                vec![vec![text.to_string()]]
            } else {
                Vec::new()
            }
        }
        Mode::NodeLines => vec![vec![text.to_string(); n]],
        Mode::Fused => splits(text, n),
    }
}

/// Cuts a run of fused digits into `n` numbers. A number never starts with
/// 0 unless it is 0 (or `0.x`); a sign stays with the first number and a
/// decimal part and unit with the last, since a cut inside them would leave
/// text no cell prints. Text that is not a digit run is one cell.
pub fn splits(text: &str, n: usize) -> Vec<Vec<String>> {
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let int_len = body.bytes().take_while(u8::is_ascii_digit).count();
    let tail = &body[int_len..];
    let fraction = match tail.strip_prefix('.') {
        Some(rest) => 1 + rest.bytes().take_while(u8::is_ascii_digit).count(),
        None => 0,
    };
    let unit = &tail[fraction..];
    let tail_ok = fraction != 1 && (unit.is_empty() || unit == "元" || unit == "万元");
    if int_len == 0 || !tail_ok {
        return if n == 1 { vec![vec![text.to_string()]] } else { Vec::new() };
    }
    let digits = &body[..int_len];
    let mut out = Vec::new();
    let mut cuts = Vec::new();
    cut(digits, 0, n, &mut cuts, &mut out, &|parts: &[&str]| {
        let last = parts.len() - 1;
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}{p}{}", if i == 0 { sign } else { "" }, if i == last { tail } else { "" }))
            .collect()
    });
    out
}

fn cut(
    digits: &str,
    from: usize,
    n: usize,
    cuts: &mut Vec<usize>,
    out: &mut Vec<Vec<String>>,
    build: &dyn Fn(&[&str]) -> Vec<String>,
) {
    if n == 1 {
        let part = &digits[from..];
        if part.is_empty() || (part.len() > 1 && part.starts_with('0')) {
            return;
        }
        let mut parts = Vec::with_capacity(cuts.len() + 1);
        let mut start = 0;
        for &c in cuts.iter() {
            parts.push(&digits[start..c]);
            start = c;
        }
        parts.push(part);
        out.push(build(&parts));
        return;
    }
    // A part starting with 0 is that 0 alone.
    let longest = if digits.as_bytes().get(from) == Some(&b'0') { 1 } else { digits.len() - from };
    for len in 1..=longest {
        let end = from + len;
        if digits.len() - end < n - 1 {
            break;
        }
        cuts.push(end);
        cut(digits, end, n - 1, cuts, out, build);
        cuts.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks<'a>(texts: &[&'a str]) -> Vec<Chunk<'a>> {
        texts.iter().map(|t| Chunk { text: t, line: 1 }).collect()
    }

    fn values(readings: &[Reading]) -> Vec<Vec<&str>> {
        readings.iter().map(|r| r.cells.iter().map(|(t, _)| t.as_str()).collect()).collect()
    }

    #[test]
    fn fused_digits_split_without_leading_zeros() {
        assert_eq!(splits("000", 3), [["0", "0", "0"]]);
        assert_eq!(splits("007", 3), [["0", "0", "7"]]);
        assert!(splits("007", 2).is_empty());
        assert_eq!(splits("350", 2), [["3", "50"], ["35", "0"]]);
        assert_eq!(splits("-18538", 2), [["-1", "8538"], ["-18", "538"], ["-185", "38"], ["-1853", "8"]]);
    }

    #[test]
    fn a_decimal_part_and_unit_stay_with_the_last_number() {
        assert_eq!(
            splits("13575.52元", 2),
            [["1", "3575.52元"], ["13", "575.52元"], ["135", "75.52元"], ["1357", "5.52元"]]
        );
        assert_eq!(splits("24252.311082", 1), [["24252.311082"]]);
        assert_eq!(splits("增3", 1), [["增3"]]);
        assert!(splits("增3", 2).is_empty());
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
    fn fused_chunks_share_the_cells_of_a_row() {
        let r = read_all(&chunks(&["230", "000023"]), 7, Mode::Fused, 100).unwrap();
        assert!(values(&r).contains(&vec!["23", "0", "0", "0", "0", "0", "23"]));
        assert!(r.iter().all(|r| !r.as_printed));
        assert_eq!(read_all(&chunks(&["1234567890"]), 7, Mode::Fused, 10), None);
    }
}

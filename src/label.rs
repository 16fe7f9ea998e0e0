//! Label normalisation: turns a printed label into the key it is matched by.
//! It knows nothing of the template; the template decides what keys mean.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::words::WORDS;

/// Normalises a label for matching: full-width forms become half-width,
/// leading enumerators (`一、`, `（三）`, `2.`) are dropped, and only letters,
/// digits and CJK characters are kept.
pub fn normalize(text: &str) -> String {
    let half = half_width(text);
    keep_word_chars(strip_enumerators(half.trim()))
}

/// Like [`normalize`] but keeps the enumerator's numeral: `（七）总计` gives
/// `七总计`. Rows whose bare label is also a column header (`总计`, `其他`)
/// are matched by this key, so a header cell never names a row.
pub fn normalize_enumerated(text: &str) -> String {
    keep_word_chars(&half_width(text))
}

/// The keys a cell may be matched by: the whole text, the text with its
/// enumerator, and the text without a trailing bracketed note
/// (`规章（设区的市…）`).
pub fn match_keys(text: &str) -> Vec<String> {
    let half = half_width(text);
    let trimmed = half.trim();
    let body = strip_enumerators(trimmed);
    let mut keys = vec![keep_word_chars(body)];
    // Only a stripped enumerator can make the enumerated key differ.
    if body.len() != trimmed.len() {
        let enumerated = keep_word_chars(&half);
        if enumerated != keys[0] {
            keys.push(enumerated);
        }
    }
    if let Some(cut) = body.find('(').filter(|&cut| cut > 0) {
        let short = keep_word_chars(&body[..cut]);
        if !short.is_empty() && !keys.contains(&short) {
            keys.push(short);
        }
    }
    keys
}

/// Labels longer than this (in bytes) are not remembered by [`keys_of`].
const MAX_REMEMBERED_BYTES: usize = 160;

/// Distinct labels [`keys_of`] remembers per thread before it starts afresh.
const MAX_REMEMBERED: usize = 8192;

/// [`match_keys`], remembered per thread: documents print the same few
/// hundred labels, and working their keys out anew was a tenth of a parse.
pub fn keys_of(text: &str) -> Rc<[String]> {
    thread_local! {
        static SEEN: RefCell<FxHashMap<Box<str>, Rc<[String]>>> = RefCell::default();
    }
    if text.len() > MAX_REMEMBERED_BYTES {
        return match_keys(text).into();
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(keys) = seen.get(text) {
            return keys.clone();
        }
        if seen.len() >= MAX_REMEMBERED {
            seen.clear();
        }
        let keys: Rc<[String]> = match_keys(text).into();
        seen.insert(text.into(), keys.clone());
        keys
    })
}

fn half_width(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| to_half_width(c) == c) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(to_half_width).collect())
    }
}

/// Letters, digits and CJK characters, ASCII lower-cased.
fn keep_word_chars(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    kept.extend(text.chars().filter(|&c| is_word_char(c)).map(|c| c.to_ascii_lowercase()));
    kept
}

/// `char::is_alphanumeric`, with the common CJK block answered at once.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{4e00}'..='\u{9fff}').contains(&c) || (!c.is_ascii() && c.is_alphanumeric())
}

/// Maps full-width ASCII variants and the ideographic space to ASCII.
pub fn to_half_width(c: char) -> char {
    match c {
        '\u{3000}' | '\u{a0}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

/// Drops enumerators at the start: `一、`, `(三)`, `2.`, `3、`, repeatedly
/// (`三、(一)予以公开`). Expects half-width text.
fn strip_enumerators(mut s: &str) -> &str {
    loop {
        let trimmed = s.trim_start();
        let next = strip_one_enumerator(trimmed);
        if next.len() == trimmed.len() {
            return trimmed;
        }
        s = next;
    }
}

fn strip_one_enumerator(s: &str) -> &str {
    let enumerators = &WORDS.enumerators;
    let is_numeral = |c: char| enumerators.is_numeral(c) || c.is_ascii_digit();
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, '(')) => {
            let mut end = None;
            for (i, c) in chars.by_ref() {
                if c == ')' {
                    end = Some(i + 1);
                    break;
                }
                if !is_numeral(c) {
                    break;
                }
            }
            match end {
                Some(e) if e > 2 => &s[e..],
                _ => s,
            }
        }
        Some((_, c)) if is_numeral(c) => {
            let digits_end = s.char_indices().find(|&(_, c)| !is_numeral(c)).map(|(i, _)| i).unwrap_or(s.len());
            let rest = &s[digits_end..];
            match rest.chars().next() {
                Some(sep) if enumerators.label_marks.contains(sep) => &rest[sep.len_utf8()..],
                // "三、 本年度" is common; a bare numeral followed by text is not an enumerator.
                _ => s,
            }
        }
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_enumerators_and_punctuation() {
        assert_eq!(normalize("（三） 不予公开"), "不予公开");
        assert_eq!(normalize("三、 本年度办理结果"), "本年度办理结果");
        assert_eq!(normalize("3.危及“三安全一稳定”"), "危及三安全一稳定");
        assert_eq!(normalize("(一) 予以公开"), "予以公开");
        assert_eq!(normalize("自 然 人"), "自然人");
        assert_eq!(normalize("一、本年新收政府信息公开申请数量"), "本年新收政府信息公开申请数量");
    }

    #[test]
    fn keeps_numerals_that_are_words() {
        // 三类 is part of the label, not an enumerator.
        assert_eq!(normalize("5.属于三类内部事务信息"), "属于三类内部事务信息");
        assert_eq!(normalize("第二十条第（一）项"), "第二十条第一项");
    }

    #[test]
    fn match_keys_drop_trailing_note() {
        let keys = match_keys("规章（设区的市、自治州人民政府应提供相关数据）");
        assert!(keys.contains(&"规章".to_string()), "{keys:?}");
        let keys = match_keys("（二）部分公开（区分处理的，只计这一情形，不计其他情形）");
        assert!(keys.contains(&"部分公开".to_string()), "{keys:?}");
        assert_eq!(match_keys("(七) 总计"), ["总计", "七总计"]);
    }

    #[test]
    fn remembered_keys_are_the_keys() {
        for text in ["(七) 总计", "规章（设区的市）", "(七) 总计", "x".repeat(MAX_REMEMBERED_BYTES + 1).as_str()]
        {
            assert_eq!(*keys_of(text), match_keys(text), "{text}");
        }
    }

    #[test]
    fn full_width_digits_become_ascii() {
        assert_eq!(normalize("ＡＢ１２"), "ab12");
    }
}

//! Bytes to text: byte-order mark, then an HTML `<meta charset>`, then UTF-8
//! if the bytes are valid, else the encoding chardetng detects (GB18030/GBK
//! on most government sites). Pure: takes bytes, returns text.

use std::borrow::Cow;

use encoding_rs::{Encoding, GBK, UTF_8};

/// Decoded text with the name of the encoding it was read as.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Bytes that were not valid in that encoding were replaced by U+FFFD.
    pub had_errors: bool,
}

/// How much of a file the encoding detector reads: plenty to tell GBK from
/// the rest, and bounded for very large files.
const DETECT_SAMPLE_BYTES: usize = 16 * 1024;

/// How far into a file the `<meta charset>` is looked for.
const META_SNIFF_BYTES: usize = 4096;

pub fn decode(bytes: &[u8]) -> Decoded {
    let (text, encoding, had_errors) = match read_as(bytes) {
        Reading::Clean(text, encoding) => (text, encoding, false),
        // `decode` strips a BOM of the same encoding.
        Reading::With(encoding) => encoding.decode(bytes),
    };
    // CRLF and old Mac CR-only line ends both become LF.
    let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.into_owned() };
    Decoded { text, encoding: encoding.name(), had_errors }
}

/// The encoding a file is read as, with its text when telling it already
/// decoded the whole file without error (the text is not decoded twice).
enum Reading<'a> {
    Clean(Cow<'a, str>, &'static Encoding),
    With(&'static Encoding),
}

fn read_as(bytes: &[u8]) -> Reading<'_> {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return Reading::With(encoding);
    }
    if let Some(encoding) = meta_charset(bytes).filter(|e| *e != UTF_8) {
        return Reading::With(encoding);
    }
    // A page that declares UTF-8 but is not goes on to the tests below.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Reading::Clean(Cow::Borrowed(text), UTF_8);
    }
    if mostly_utf8(bytes) {
        return Reading::With(UTF_8);
    }
    // What Chinese government sites use when not UTF-8; a clean decode
    // settles it without the (slower) detector.
    if let Some(text) = GBK.decode_without_bom_handling_and_without_replacement(bytes) {
        return Reading::Clean(text, GBK);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(DETECT_SAMPLE_BYTES)];
    detector.feed(sample, sample.len() == bytes.len());
    // The reports are from .cn sites; the hint favours GBK over legacy Japanese or Korean.
    Reading::With(detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow))
}

/// At most one invalid sequence per this many bytes still reads as UTF-8
/// with damage, rather than as another encoding (legacy encodings fail on
/// nearly every other byte).
const UTF8_BYTES_PER_ERROR: usize = 100;

/// Valid UTF-8, or UTF-8 with rare damage (a truncated character, a stray
/// byte): legacy encodings of Chinese text fail UTF-8 on nearly every
/// character.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut errors = 0;
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => break,
            Err(e) => {
                errors += 1;
                if errors * UTF8_BYTES_PER_ERROR > bytes.len().max(8 * UTF8_BYTES_PER_ERROR) {
                    return false;
                }
                let skip = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to()).max(1);
                rest = &rest[skip.min(rest.len())..];
            }
        }
    }
    true
}

/// The encoding an HTML `<meta charset=…>` or `content="…; charset=…"` names.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_SNIFF_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let at = find(&lower, b"charset=")? + b"charset=".len();
    let rest = &lower[at..];
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
    let end = rest.iter().position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')).unwrap_or(rest.len());
    Encoding::for_label(&rest[..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("总计\r\n0".as_bytes()).text, "总计\n0");
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice("总计".as_bytes());
        let d = decode(&bom);
        assert_eq!((d.text.as_str(), d.encoding), ("总计", "UTF-8"));
    }

    #[test]
    fn cr_only_line_ends_are_lines() {
        assert_eq!(decode("总计\r0\r\n1".as_bytes()).text, "总计\n0\n1");
    }

    #[test]
    fn gbk_is_detected() {
        let text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t3\t0\t3\n";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&bytes);
        assert_eq!(d.text, text);
        assert!(d.encoding == "GBK" || d.encoding == "gb18030", "{}", d.encoding);
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let mut bytes = "三、收到和处理政府信息公开申请情况\n".repeat(100).into_bytes();
        bytes.splice(10..10, [0xff, 0xfe]);
        let d = decode(&bytes);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.had_errors);
        assert!(d.text.ends_with("三、收到和处理政府信息公开申请情况\n"));
    }

    #[test]
    fn a_page_mislabelled_utf8_is_read_as_gbk() {
        let html = "<html><head><meta charset=\"utf-8\"></head><body>本年新收政府信息公开申请数量</body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(html);
        let d = decode(&bytes);
        assert_eq!((d.text.as_str(), d.encoding, d.had_errors), (html, "GBK", false));
    }

    #[test]
    fn meta_charset_wins() {
        let html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>总计</body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(html);
        let d = decode(&bytes);
        assert!(d.text.contains("总计"));
        assert_eq!(d.encoding, "GBK");
    }
}

//! Discover: expands the inputs (files and folders, walked recursively) into
//! the list of documents to read, in a stable order. Anything that cannot be
//! listed becomes a reject rather than an abort, and files whose extension
//! is not read are counted by extension: every file seen is accounted for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::RejectReason;

use crate::report::Reject;

/// A document to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    pub is_html: bool,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Found {
    /// Documents to read, or why a path could not be listed.
    pub inputs: Vec<Result<Input, Box<Reject>>>,
    /// Files in folders whose extension is not read, by extension (`.jpg`).
    pub skipped: BTreeMap<String, u64>,
}

/// Expands `inputs`. Folders yield files whose extension is in `extensions`
/// (the others are counted in `skipped`); files named explicitly are always
/// read. Results keep the order of `inputs`, with each folder's files sorted
/// by path, and list each path once.
///
/// Paths are absolute, with the links in the inputs as given resolved: a
/// file's path is its identity in the dataset, so `in`, `./in` and
/// `$PWD/in` must name it alike.
pub fn discover(inputs: &[PathBuf], extensions: &[String]) -> Found {
    let mut found = Vec::new();
    let mut skipped = BTreeMap::new();
    let inputs: Vec<PathBuf> =
        inputs.iter().map(|input| input.canonicalize().unwrap_or_else(|_| input.clone())).collect();
    for input in &inputs {
        if input.is_file() {
            found.push(Ok(to_input(input)));
            continue;
        }
        if !input.exists() {
            found.push(Err(listing_error(input, RejectReason::NoSuchInput)));
            continue;
        }
        let mut entries: Vec<Result<Input, Box<Reject>>> = Vec::new();
        for entry in WalkDir::new(input).follow_links(true) {
            match entry {
                Ok(e) if e.file_type().is_file() => match extension(e.path()) {
                    Some(ext) if extensions.contains(&ext) => entries.push(Ok(to_input(e.path()))),
                    other => {
                        let name = other.map_or_else(|| "(no extension)".to_string(), |ext| format!(".{ext}"));
                        *skipped.entry(name).or_insert(0) += 1;
                    }
                },
                Ok(_) => {}
                Err(err) => {
                    let path = err.path().unwrap_or(input).to_path_buf();
                    let broken_link =
                        path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && !path.exists();
                    let reason = match err.loop_ancestor() {
                        Some(ancestor) => RejectReason::LinkLoop(ancestor.display().to_string()),
                        None if broken_link => RejectReason::BrokenLink,
                        None => RejectReason::CannotList(err.io_error().map_or(err.to_string(), |e| e.to_string())),
                    };
                    entries.push(Err(listing_error(&path, reason)));
                }
            }
        }
        entries.sort_by(|a, b| sort_key(a).cmp(sort_key(b)));
        found.extend(entries);
    }
    if inputs.len() > 1 {
        drop_repeats(&mut found);
    }
    Found { inputs: found, skipped }
}

/// Keeps the first of each path: a file named twice, or inside two folders
/// given, is read once. Sorts indices, not paths, to stay small.
fn drop_repeats(found: &mut Vec<Result<Input, Box<Reject>>>) {
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by(|&a, &b| sort_key(&found[a]).cmp(sort_key(&found[b])).then(a.cmp(&b)));
    let mut repeat = vec![false; found.len()];
    for pair in order.windows(2) {
        if sort_key(&found[pair[0]]) == sort_key(&found[pair[1]]) {
            repeat[pair[1]] = true;
        }
    }
    let mut index = 0;
    found.retain(|_| {
        index += 1;
        !repeat[index - 1]
    });
}

fn sort_key(entry: &Result<Input, Box<Reject>>) -> &Path {
    match entry {
        Ok(input) => &input.path,
        Err(reject) => Path::new(&reject.source_path),
    }
}

fn to_input(path: &Path) -> Input {
    Input { path: path.to_path_buf(), is_html: is_html_path(path) }
}

/// A path as text, exactly: a name that is not UTF-8 (GBK names from
/// Windows zips are common in Chinese crawls) keeps its bytes as `\xNN`
/// escapes, where a lossy conversion would give two such files one name.
/// A backslash is escaped too, so that [`text_path`] gives the path back.
pub fn path_text(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\x5C"));
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// The path [`path_text`] wrote as `text`.
pub fn text_path(text: &str) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let escaped = (first == b'\\' && tail.first() == Some(&b'x'))
            .then(|| tail.get(1..3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                bytes.push(byte);
                rest = &tail[3..];
            }
            None => {
                bytes.push(first);
                rest = tail;
            }
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

/// Whether the file name says HTML.
pub fn is_html_path(path: &Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "html" | "htm" | "shtml" | "xhtml")
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_lowercase())
}

/// Boxed: a reject is three times the size of an input, and a run holds
/// the list of every input.
fn listing_error(path: &Path, reason: RejectReason) -> Box<Reject> {
    Box::new(Reject { source_path: path_text(path), report_id: None, source_bytes: None, reason, line: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_text_gives_the_path_back() {
        use std::os::unix::ffi::OsStrExt;
        let gbk = Path::new(std::ffi::OsStr::from_bytes(b"/in/\xb1\xa8\xb8\xe6 a\\x41.txt"));
        let text = path_text(gbk);
        assert_eq!(text, "/in/\\xB1\\xA8\\xB8\\xE6 a\\x5Cx41.txt");
        assert_eq!(text_path(&text), gbk);
        assert_eq!(text_path("/in/报告.txt"), Path::new("/in/报告.txt"));
    }

    #[test]
    fn missing_input_is_a_reject() {
        let found = discover(&[PathBuf::from("/nonexistent/xxgk")], &[]).inputs;
        assert_eq!(found[0].as_ref().unwrap_err().reason, RejectReason::NoSuchInput);
    }

    #[test]
    fn a_path_given_twice_is_read_once() {
        let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/samples");
        let one = samples.join("000002-tab_rows-gov2021.txt");
        let missing = PathBuf::from("/nonexistent/xxgk");
        let found = discover(&[one.clone(), samples.clone(), missing.clone(), missing], &["txt".to_string()]).inputs;
        let paths: Vec<PathBuf> = found.iter().map(|f| sort_key(f).to_path_buf()).collect();
        assert_eq!(paths.iter().filter(|p| **p == one).count(), 1);
        assert_eq!(paths[0], one);
        assert_eq!(paths.iter().filter(|p| p.starts_with("/nonexistent")).count(), 1);
        let texts = std::fs::read_dir(&samples)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "txt"));
        assert_eq!(paths.len(), texts.count() + 1);
    }

    #[test]
    fn names_that_are_not_utf8_keep_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let gbk = |name: &[u8]| path_text(Path::new(std::ffi::OsStr::from_bytes(name)));
        // 报告 and 报表 in GBK: lossy conversion makes both "\u{FFFD}…".
        assert_eq!(gbk(b"in/\xB1\xA8\xB8\xE6.txt"), "in/\\xB1\\xA8\\xB8\\xE6.txt");
        assert_ne!(gbk(b"in/\xB1\xA8\xB8\xE6.txt"), gbk(b"in/\xB1\xA8\xB1\xED.txt"));
        assert_eq!(path_text(Path::new("in/报告.txt")), "in/报告.txt");
    }

    #[test]
    fn files_not_read_are_counted_by_extension() {
        let dir = std::env::temp_dir().join(format!("xxgk-discover-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["a.html", "b.JPG", "sub/c.jpg", "sub/d.zip", "README"] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let found = discover(std::slice::from_ref(&dir), &["html".to_string()]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.inputs.len(), 1);
        let skipped: Vec<(&str, u64)> = found.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(skipped, [("(no extension)", 1), (".jpg", 2), (".zip", 1)]);
    }
}

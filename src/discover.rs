//! Discover: expands the inputs (files and folders, walked recursively) into
//! the list of documents to read, in a stable order. Anything that cannot be
//! listed becomes a reject rather than an abort.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::report::Reject;

/// A document to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    pub is_html: bool,
}

/// Expands `inputs`. Folders yield files whose extension is in `extensions`;
/// files named explicitly are always read. Results keep the order of
/// `inputs`, with each folder's files sorted by path, and list each path once.
pub fn discover(inputs: &[PathBuf], extensions: &[String]) -> Vec<Result<Input, Reject>> {
    let mut found = Vec::new();
    for input in inputs {
        if input.is_file() {
            found.push(Ok(to_input(input)));
            continue;
        }
        if !input.exists() {
            found.push(Err(listing_error(input, "no such file or folder")));
            continue;
        }
        let mut entries: Vec<Result<Input, Reject>> = Vec::new();
        for entry in WalkDir::new(input).follow_links(true) {
            match entry {
                Ok(e) if e.file_type().is_file() && has_extension(e.path(), extensions) => {
                    entries.push(Ok(to_input(e.path())));
                }
                Ok(_) => {}
                Err(err) => {
                    let path = err.path().unwrap_or(input).to_path_buf();
                    let broken_link =
                        path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && !path.exists();
                    let reason = match err.loop_ancestor() {
                        Some(ancestor) => format!("symbolic link loop back to {}", ancestor.display()),
                        None if broken_link => {
                            "cannot read: broken symbolic link (its target does not exist)".to_string()
                        }
                        None => format!("cannot list: {}", err.io_error().map_or(err.to_string(), |e| e.to_string())),
                    };
                    entries.push(Err(listing_error(&path, &reason)));
                }
            }
        }
        entries.sort_by(|a, b| sort_key(a).cmp(sort_key(b)));
        found.extend(entries);
    }
    // A file named twice (itself and inside a folder given too) is read once.
    let mut seen = std::collections::HashSet::new();
    found.retain(|entry| seen.insert(sort_key(entry).to_path_buf()));
    found
}

fn sort_key(entry: &Result<Input, Reject>) -> &Path {
    match entry {
        Ok(input) => &input.path,
        Err(reject) => Path::new(&reject.source_path),
    }
}

fn to_input(path: &Path) -> Input {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    Input { path: path.to_path_buf(), is_html: matches!(ext.as_str(), "html" | "htm" | "shtml" | "xhtml") }
}

fn has_extension(path: &Path, extensions: &[String]) -> bool {
    path.extension().map(|e| e.to_string_lossy().to_lowercase()).is_some_and(|e| extensions.contains(&e))
}

fn listing_error(path: &Path, reason: &str) -> Reject {
    Reject {
        source_path: path.display().to_string(),
        report_id: None,
        source_bytes: None,
        reason: reason.to_string(),
        line: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_input_is_a_reject() {
        let found = discover(&[PathBuf::from("/nonexistent/xxgk")], &[]);
        assert_eq!(found[0].as_ref().unwrap_err().reason, "no such file or folder");
    }
}

//! Reading one part of a zip (a `.docx` is one) within limits: a zip bomb
//! renamed `.docx` is a reject, not an out-of-memory. The sizes an archive
//! declares can lie, so the limit is also kept while inflating.

use crate::diagnostics::RejectReason;
use std::io::{Cursor, Read};

use zip::ZipArchive;

/// Entries an archive may list: a Word file has a few dozen.
const MAX_ENTRIES: usize = 10_000;

/// Bytes one part may unpack to: a long report's `document.xml` is a few MB.
const MAX_PART_BYTES: u64 = 64 << 20;

/// Opens `bytes` as a zip within the entry limit.
pub fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, RejectReason> {
    let archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| RejectReason::Zip(format!("damaged zip archive: {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(RejectReason::Zip(format!(
            "zip archive lists {} entries, above the limit of {MAX_ENTRIES}",
            archive.len()
        )));
    }
    Ok(archive)
}

/// The unpacked bytes of part `name`, or `None` when the archive has no such part.
pub fn read_part(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<Vec<u8>>, RejectReason> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(RejectReason::Zip(format!("damaged zip archive, {name}: {e}"))),
    };
    let too_big = |size: u64| {
        RejectReason::Zip(format!("{name} unpacks to {size} bytes or more, above the limit of {MAX_PART_BYTES}"))
    };
    if entry.size() > MAX_PART_BYTES {
        return Err(too_big(entry.size()));
    }
    let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    entry
        .take(MAX_PART_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| RejectReason::Zip(format!("damaged zip archive, {name}: {e}")))?;
    if out.len() as u64 > MAX_PART_BYTES {
        return Err(too_big(out.len() as u64));
    }
    Ok(Some(out))
}

//! Why an input is rejected, as a closed set with stable codes: the
//! `rejects` table keeps the code beside the message, so a researcher can
//! group rejects without parsing text, and the codebook lists every code.

/// Why a file gave no report. The message is what a person reads; the
/// code ([`RejectReason::code`]) never changes once released.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RejectReason {
    #[error("no such file or folder")]
    NoSuchInput,
    #[error("cannot list: {0}")]
    CannotList(String),
    #[error("symbolic link loop back to {0}")]
    LinkLoop(String),
    #[error("cannot read: broken symbolic link (its target does not exist)")]
    BrokenLink,
    #[error("cannot read: {0}")]
    CannotRead(String),
    #[error("file is {size} bytes, above the limit of {limit} (ingest.max_file_bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("empty file")]
    Empty,
    #[error("binary file (control bytes such as NUL), not text")]
    Binary,
    /// A zip archive (.docx) that is damaged or unpacks beyond the limits.
    #[error("{0}")]
    Zip(String),
    #[error("zip archive without word/document.xml: not a Word .docx")]
    NotDocx,
    #[error("{0}")]
    DamagedWord(String),
    #[error("{0}")]
    DamagedPdf(String),
    #[error("encrypted PDF: it needs a password to open")]
    EncryptedPdf,
    #[error("PDF has {pages} pages, above the limit of {limit}")]
    TooManyPages { pages: u32, limit: u32 },
    #[error("no text layer (scanned PDF); OCR it first")]
    ScannedPdf,
    #[error("no statistics tables in the page; the report is only an attachment ({0})")]
    AttachmentOnly(String),
    /// The text was read, and no template table found in it (the layout).
    #[error("no statistics tables found {0}")]
    NoTables(String),
    /// A bug: the parser panicked; the panic's message is kept.
    #[error("internal error: the parser panicked on this file (a bug; please report it): {0}")]
    Panic(String),
}

impl RejectReason {
    /// Every code, in the order the codebook lists them, with what it means.
    pub const CODES: [(&'static str, &'static str); 18] = [
        ("no_such_input", "an input named on the command line does not exist"),
        ("cannot_list", "a folder could not be listed"),
        ("link_loop", "a symbolic link leads back to a folder above it"),
        ("broken_link", "a symbolic link whose target does not exist"),
        ("cannot_read", "the file could not be read (permissions, I/O error)"),
        ("too_large", "the file is above ingest.max_file_bytes"),
        ("empty", "the file is empty or whitespace"),
        ("binary", "not text, and not a PDF or Word file"),
        ("zip", "a damaged zip archive, or one that unpacks beyond the limits"),
        ("not_docx", "a zip archive that is not a Word .docx"),
        ("damaged_word", "a Word file the reader cannot read"),
        ("damaged_pdf", "a PDF the reader cannot read"),
        ("encrypted_pdf", "a PDF that needs a password"),
        ("too_many_pages", "a PDF with more pages than a report has"),
        ("scanned_pdf", "a PDF without a text layer (OCR it first)"),
        ("attachment_only", "a page whose report is only in an attachment"),
        ("no_tables", "text in which no statistics table of the template is found"),
        ("internal_error", "the parser panicked (a bug)"),
    ];

    /// The stable code of this reason (see [`Self::CODES`]).
    pub fn code(&self) -> &'static str {
        let index = match self {
            RejectReason::NoSuchInput => 0,
            RejectReason::CannotList(_) => 1,
            RejectReason::LinkLoop(_) => 2,
            RejectReason::BrokenLink => 3,
            RejectReason::CannotRead(_) => 4,
            RejectReason::TooLarge { .. } => 5,
            RejectReason::Empty => 6,
            RejectReason::Binary => 7,
            RejectReason::Zip(_) => 8,
            RejectReason::NotDocx => 9,
            RejectReason::DamagedWord(_) => 10,
            RejectReason::DamagedPdf(_) => 11,
            RejectReason::EncryptedPdf => 12,
            RejectReason::TooManyPages { .. } => 13,
            RejectReason::ScannedPdf => 14,
            RejectReason::AttachmentOnly(_) => 15,
            RejectReason::NoTables(_) => 16,
            RejectReason::Panic(_) => 17,
        };
        Self::CODES[index].0
    }

    /// The reason for a contained panic, with its message when it has one.
    pub fn panic(payload: &(dyn std::any::Any + Send)) -> RejectReason {
        let message = payload.downcast_ref::<String>().map(String::as_str).or(payload.downcast_ref::<&str>().copied());
        RejectReason::Panic(message.unwrap_or("no message").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_messages_unchanged() {
        let mut codes: Vec<&str> = RejectReason::CODES.iter().map(|c| c.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RejectReason::CODES.len());
        let too_large = RejectReason::TooLarge { size: 30, limit: 20 };
        assert_eq!(too_large.code(), "too_large");
        assert_eq!(too_large.to_string(), "file is 30 bytes, above the limit of 20 (ingest.max_file_bytes)");
        assert_eq!(RejectReason::ScannedPdf.code(), "scanned_pdf");
        assert_eq!(RejectReason::Panic("index out of bounds".into()).code(), "internal_error");
    }

    #[test]
    fn a_panic_keeps_its_message() {
        let payload = std::panic::catch_unwind(|| panic!("cell {} of {}", 3, 4)).unwrap_err();
        assert_eq!(
            RejectReason::panic(payload.as_ref()).to_string(),
            "internal error: the parser panicked on this file (a bug; please report it): cell 3 of 4"
        );
        let payload = std::panic::catch_unwind(|| panic!("plain")).unwrap_err();
        assert!(RejectReason::panic(payload.as_ref()).to_string().ends_with(": plain"));
    }
}

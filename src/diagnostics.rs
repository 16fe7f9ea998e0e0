//! Why an input is rejected, and what was odd about a report, as closed
//! sets with stable codes: `rejects.code` and `reports.warning_codes` keep
//! the code beside the message, so a researcher can group them without
//! parsing text, and the codebook lists every code.

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

/// What was odd about a report that was still read. Codes never change
/// once released; the text says what and where for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    InvalidBytes,
    TextCut,
    TableNotFound,
    TableRepeated,
    ExtraCells,
    ShortRow,
    NoReadingFits,
    SeveralReadings,
    CellsUnread,
    NotReported,
    CheckFails,
    Implausible,
    ProseContradicts,
    AgencyNotFound,
    PlaceUnknown,
    PlaceAmbiguous,
    YearNotFound,
    DateBeforeYear,
    DatesDiffer,
    SidecarDiffers,
    SidecarBadDate,
}

impl WarningKind {
    /// Every code, in the order the codebook lists them, with what it means.
    pub const CODES: [(&'static str, &'static str); 21] = [
        ("invalid_bytes", "bytes invalid in the detected encoding were replaced"),
        ("text_cut", "a PDF page's text past the limit was not read"),
        ("table_not_found", "a table of the template is not in the document"),
        ("table_repeated", "a table printed twice with other numbers; the first copy was read"),
        ("extra_cells", "a row printed more cells than the template has; the extra ones are ignored"),
        ("short_row", "a row printed fewer values than the template has"),
        ("no_reading_fits", "no reading of a run of values fits the template's arithmetic; left missing"),
        ("several_readings", "several readings of a run of values fit; left missing"),
        ("cells_unread", "cells missing or invalid, counted"),
        ("not_reported", "a blank total beside non-zero parts, read as not reported"),
        ("check_fails", "a check of the template's arithmetic fails"),
        ("implausible", "a value above a plausibility bound"),
        ("prose_contradicts", "a number the prose states differs from the table's"),
        ("agency_not_found", "no agency found in the title, opening or signature"),
        ("place_unknown", "the agency names no place in the division list"),
        ("place_ambiguous", "the agency's place fits several divisions; no code given"),
        ("year_not_found", "no report year found"),
        ("date_before_year", "the signature date is before the report year"),
        ("dates_differ", "the signature date and the page date differ"),
        ("sidecar_differs", "the crawler's metadata differs from the document's; the crawler's is kept"),
        ("sidecar_bad_date", "the crawler's published date is not a date"),
    ];

    /// The stable code of this kind (see [`Self::CODES`]).
    pub fn code(self) -> &'static str {
        Self::CODES[self as usize].0
    }
}

/// One warning on a report: its kind and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub kind: WarningKind,
    pub text: String,
}

impl Warning {
    pub fn new(kind: WarningKind, text: impl Into<String>) -> Warning {
        Warning { kind, text: text.into() }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
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
    fn warning_codes_are_unique_and_in_order() {
        let mut codes: Vec<&str> = WarningKind::CODES.iter().map(|c| c.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), WarningKind::CODES.len());
        use WarningKind::*;
        let named = [
            (InvalidBytes, "invalid_bytes"),
            (TextCut, "text_cut"),
            (TableNotFound, "table_not_found"),
            (TableRepeated, "table_repeated"),
            (ExtraCells, "extra_cells"),
            (ShortRow, "short_row"),
            (NoReadingFits, "no_reading_fits"),
            (SeveralReadings, "several_readings"),
            (CellsUnread, "cells_unread"),
            (NotReported, "not_reported"),
            (CheckFails, "check_fails"),
            (Implausible, "implausible"),
            (ProseContradicts, "prose_contradicts"),
            (AgencyNotFound, "agency_not_found"),
            (PlaceUnknown, "place_unknown"),
            (PlaceAmbiguous, "place_ambiguous"),
            (YearNotFound, "year_not_found"),
            (DateBeforeYear, "date_before_year"),
            (DatesDiffer, "dates_differ"),
            (SidecarDiffers, "sidecar_differs"),
            (SidecarBadDate, "sidecar_bad_date"),
        ];
        assert_eq!(named.len(), WarningKind::CODES.len());
        for (kind, code) in named {
            assert_eq!(kind.code(), code);
        }
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

//! Binary files built byte by byte for the hostile suite: PDFs (with text,
//! without, encrypted) and zip archives (a bomb, too many entries).

use std::io::Write;

/// A one-page PDF whose page content is `content`; with `encrypt`, the
/// trailer names a Standard security handler whose password is not empty.
pub fn pdf(content: &str, encrypt: bool) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut trailer = format!("/Size {} /Root 1 0 R", objects.len() + 1);
    if encrypt {
        let hex32 = "7A".repeat(32);
        objects.push(format!("<< /Filter /Standard /V 1 /R 2 /O <{hex32}> /U <{hex32}> /P -4 >>"));
        trailer = format!(
            "/Size {} /Root 1 0 R /Encrypt 6 0 R /ID [<{}> <{}>]",
            objects.len() + 1,
            "11".repeat(16),
            "11".repeat(16)
        );
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

/// A zip of `entries` (name, bytes), deflated.
pub fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

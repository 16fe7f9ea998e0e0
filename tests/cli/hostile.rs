//! Hostile input: files built here to break the parser. Each must end as a
//! report (with warnings where something was off) or a reject with a clear
//! reason, the run must not abort, and good files in the same run must come
//! out exactly as they do alone.

use std::collections::HashMap;
use std::path::Path;

use crate::forge;
use crate::{cells_by_file, ingest, reject_codes, reject_reasons, repo, report_files, TempDir};

/// How a hostile file must end.
enum Ends {
    /// A reject whose reason contains this text.
    Reject(&'static str),
    /// A report.
    Report,
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(repo().join("data/samples").join(name)).unwrap()
}

/// The hostile files: name, bytes, expected end.
fn hostile_files() -> Vec<(String, Vec<u8>, Ends)> {
    let tab = sample("000002-tab_rows-gov2021.txt");
    let html = sample("000000-html-gov2021.html");
    let cells = sample("000001-cell_lines-gov2021.txt");
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng >> 24) as u8
            })
            .collect()
    };
    let garbage = noise(4096);
    let high_bytes: Vec<u8> = noise(4096).into_iter().map(|b| b | 0x80).collect();
    let mid = tab.find("（三）不予公开").unwrap();
    let mut invalid_utf8 = tab.clone().into_bytes();
    invalid_utf8.splice(10..10, [0xff, 0xfe, 0xc3]);
    let mut mixed = encoding_rs::GBK.encode(&tab[..mid]).0.into_owned();
    mixed.extend_from_slice(&tab.as_bytes()[mid..]);
    let wide_row = format!("一、本年新收政府信息公开申请数量{}\n", "\t1".repeat(40));
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(tab.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let with = |from: &str, to: &str| tab.replacen(from, to, 1).into_bytes();
    let new_row_value = tab.lines().find(|l| l.starts_with("一、本年新收")).unwrap().to_string();
    let text = |s: String| s.into_bytes();
    let docx = std::fs::read(repo().join("data/samples/000005-docx-gov2021.docx")).unwrap();
    let hello_pdf = forge::pdf("BT /F1 12 Tf 72 720 Td (Hello) Tj ET", false);
    let document_xml = |body: Vec<u8>| ("word/document.xml".to_string(), body);
    let mut attachments: Vec<(String, Vec<u8>, Ends)> = vec![
        (
            "scanned.pdf".into(),
            forge::pdf("q 100 0 0 100 0 0 cm 0 0 m 1 1 l S Q", false),
            Ends::Reject("no text layer (scanned PDF); OCR it first"),
        ),
        (
            "encrypted.pdf".into(),
            forge::pdf("BT /F1 12 Tf 72 720 Td (Hello) Tj ET", true),
            Ends::Reject("encrypted PDF"),
        ),
        ("not-a-report.pdf".into(), hello_pdf.clone(), Ends::Reject("no statistics tables")),
        ("truncated.pdf".into(), hello_pdf[..hello_pdf.len() / 2].to_vec(), Ends::Reject("PDF")),
        ("pdf-header-only.pdf".into(), b"%PDF-1.7\n".to_vec(), Ends::Reject("damaged PDF")),
        // Deep nesting overflowed the reader's stack and aborted the run.
        (
            "nested-objects.pdf".into(),
            String::from_utf8(hello_pdf.clone())
                .unwrap()
                .replacen("/MediaBox", &format!("/X {}{} /MediaBox", "[".repeat(20_000), "]".repeat(20_000)), 1)
                .into_bytes(),
            Ends::Reject("damaged PDF: arrays or dictionaries nested over 256 deep"),
        ),
        (
            // oxidize-pdf panics on this: caught, and a reject.
            "xref-not-utf8.pdf".into(),
            {
                let mut bytes = hello_pdf.clone();
                let entry = memchr::memmem::find(&bytes, b"00000 n").unwrap() - 11;
                bytes[entry + 4..entry + 8].copy_from_slice(b"\xff\xff\xff\xff");
                bytes
            },
            Ends::Reject("damaged PDF"),
        ),
        (
            "nested-content.pdf".into(),
            forge::pdf(
                &format!("BT /F1 12 Tf 72 720 Td {}(x){} TJ ET", "[".repeat(200_000), "]".repeat(200_000)),
                false,
            ),
            Ends::Reject("no statistics tables"),
        ),
        (
            "zip-bomb.docx".into(),
            forge::zip(&[document_xml(vec![b' '; 70 << 20])]),
            Ends::Reject("unpacks to 73400320 bytes or more, above the limit"),
        ),
        (
            "many-entries.docx".into(),
            forge::zip(&(0..10_001).map(|i| (format!("{i}.xml"), Vec::new())).collect::<Vec<_>>()),
            Ends::Reject("lists 10001 entries, above the limit"),
        ),
        (
            "zip-not-word.docx".into(),
            forge::zip(&[("a.txt".to_string(), b"x".to_vec())]),
            Ends::Reject("not a Word .docx"),
        ),
        ("truncated.docx".into(), docx[..docx.len() / 2].to_vec(), Ends::Reject("damaged zip archive")),
        (
            "broken-xml.docx".into(),
            forge::zip(&[document_xml(b"<w:document><w:body></w:p>".to_vec())]),
            Ends::Reject("damaged Word file"),
        ),
        (
            "truncated.doc".into(),
            [&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &[0; 504]].concat(),
            Ends::Reject("unreadable Word 97 .doc"),
        ),
        // The content decides the reader, not the name.
        ("word-saved-as.html".into(), docx.clone(), Ends::Report),
        ("tab-rows-saved-as.html".into(), format!("{tab}\n").into_bytes(), Ends::Report),
        // A stray NUL in prose, NUL padding from an interrupted download, old Mac line ends.
        ("one-nul.txt".into(), tab.replacen("。", "。\0", 1).into_bytes(), Ends::Report),
        ("nul-padded.txt".into(), [tab.as_bytes(), &[0; 4096]].concat(), Ends::Report),
        ("cr-only.txt".into(), tab.replace('\n', "\r").into_bytes(), Ends::Report),
        ("utf16le-without-bom.txt".into(), utf16[2..].to_vec(), Ends::Report),
    ];
    let mut files = vec![
        ("empty.txt".into(), Vec::new(), Ends::Reject("empty file")),
        ("blank-lines.txt".into(), b"\n \r\n\t\n".to_vec(), Ends::Reject("empty file")),
        ("garbage.txt".into(), garbage, Ends::Reject("binary file")),
        ("high-bytes.txt".into(), high_bytes, Ends::Reject("no statistics tables")),
        ("truncated-mid-table.txt".into(), text(tab[..mid].to_string()), Ends::Report),
        ("invalid-utf8.txt".into(), invalid_utf8, Ends::Report),
        ("mixed-gbk-utf8.txt".into(), mixed, Ends::Report),
        (
            "fifty-megabytes.txt".into(),
            tab.repeat(50_000_000 / tab.len() + 1).into_bytes(),
            Ends::Reject("above the limit"),
        ),
        ("long-line.txt".into(), text(format!("{}\n{tab}", "政".repeat(100_000))), Ends::Report),
        ("long-cell.txt".into(), text(tab.replacen("\t0\t", &format!("\t{}\t", "9".repeat(100_000)), 1)), Ends::Report),
        (
            "deep-nesting.html".into(),
            text(format!("{}{html}{}", "<div>".repeat(100_000), "</div>".repeat(100_000))),
            Ends::Report,
        ),
        ("table-never-closed.html".into(), text(html.replace("</table>", "").replace("</td>", "")), Ends::Report),
        ("forty-columns.txt".into(), text(format!("{tab}\n{wide_row}{wide_row}")), Ends::Report),
        ("duplicated-tables.txt".into(), text(format!("{tab}\n{tab}")), Ends::Report),
        ("two-reports.txt".into(), text(format!("{tab}\n{}", sample("000013-tab_rows-gov2021.txt"))), Ends::Report),
        (
            "labels-without-numbers.txt".into(),
            text(
                cells
                    .lines()
                    .filter(|l| !l.trim().chars().all(|c| c.is_ascii_digit() || c == '—'))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Ends::Reject("no statistics tables"),
        ),
        (
            "numbers-without-labels.txt".into(),
            text("\t0\n\t1\n\t2\n".repeat(200)),
            Ends::Reject("no statistics tables"),
        ),
        (
            "negative-numbers.txt".into(),
            with(&new_row_value, &new_row_value.replacen("\t", "\t-5\t", 2).replacen("\t\t", "\t", 1)),
            Ends::Report,
        ),
        (
            "huge-number.txt".into(),
            with(&new_row_value, &format!("{}\t99999999999999999999", new_row_value)),
            Ends::Report,
        ),
        (
            "nan-like.txt".into(),
            text(tab.replacen("\t0", "\tNaN", 3).replacen("\t0", "\tinf", 2).replacen("\t0", "\t1e309", 1)),
            Ends::Report,
        ),
        ("utf16-bom.txt".into(), utf16, Ends::Report),
        ("crlf.txt".into(), text(tab.replace('\n', "\r\n")), Ends::Report),
        ("control-characters.txt".into(), text(tab.replacen("规章", "规\u{1}章\u{7}", 1)), Ends::Report),
        ("zero-width-marks.txt".into(), text(tab.replacen("行政处罚", "行政\u{200b}处\u{200e}罚", 1)), Ends::Report),
        (
            "script-only.html".into(),
            // The page's own `</script>` would end the script, as in a browser.
            text(format!("<html><script>var t = `{}`;</script></html>", html.replace("</script>", ""))),
            Ends::Reject("no statistics tables"),
        ),
        (
            "chrome-only.html".into(),
            b"<html><body><table><tr><td>home</td><td>menu</td></tr></table></body></html>".to_vec(),
            Ends::Reject("no statistics tables"),
        ),
        ("pipes-only.txt".into(), "|||||\n".repeat(1000).into_bytes(), Ends::Reject("no statistics tables")),
        ("tabs-only.txt".into(), "\t\t\t\n".repeat(1000).into_bytes(), Ends::Reject("empty file")),
        (
            "tabs-and-a-word.txt".into(),
            format!("{}总计\n", "\t\t\t\n".repeat(1000)).into_bytes(),
            Ends::Reject("no statistics tables"),
        ),
        (
            "markdown-separators.md".into(),
            "|---|---|\n| | |\n".repeat(500).into_bytes(),
            Ends::Reject("no statistics tables"),
        ),
        (
            "odd-entities.html".into(),
            text(html.replacen("<td", "<td>&#99999999;&#0;&bogus;&amp</td><td", 5)),
            Ends::Report,
        ),
        ("many-rows.txt".into(), text(format!("{tab}{}", "规章\t0\t0\t0\n".repeat(200_000))), Ends::Report),
        (
            "label-storm.txt".into(),
            text(format!("{}{tab}", "一、本年新收政府信息公开申请数量\n".repeat(50_000))),
            Ends::Report,
        ),
    ];
    files.append(&mut attachments);
    files
}

#[test]
fn hostile_files_end_as_reports_or_rejects_and_good_files_are_unchanged() {
    let tmp = TempDir::new("hostile_files_end_as_reports_or_rejects_and_good_files_are_unchanged");
    let good = tmp.path().join("good");
    std::fs::create_dir_all(&good).unwrap();
    for name in ["000000-html-gov2021.html", "000007-cell_lines-gov2019-gbk.txt", "000009-pipe_cells-gov2019.txt"] {
        std::fs::copy(repo().join("data/samples").join(name), good.join(name)).unwrap();
    }
    let alone = tmp.path().join("alone");
    ingest(&[&good], &alone);

    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    let files = hostile_files();
    assert!(files.len() >= 40);
    for (name, bytes, _) in &files {
        std::fs::write(bad.join(name), bytes).unwrap();
    }
    // A folder that links back to itself, and a file that cannot be read.
    let looped = bad.join("loop");
    std::fs::create_dir_all(&looped).unwrap();
    std::os::unix::fs::symlink(&looped, looped.join("again")).unwrap();
    std::os::unix::fs::symlink(bad.join("no-such-target.txt"), bad.join("dangling-link.txt")).unwrap();
    // Without read permission; root reads it all the same.
    let locked = bad.join("no-permission.txt");
    std::fs::copy(repo().join("data/samples/000002-tab_rows-gov2021.txt"), &locked).unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let readable = std::fs::File::open(&locked).is_ok();

    let out = tmp.path().join("out");
    let output = ingest(&[&good, &bad], &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reasons = reject_reasons(&out);
    let reports = report_files(&out);
    let mut problems = Vec::new();
    for (name, _, ends) in &files {
        let as_report = reports.iter().filter(|r| *r == name).count();
        match (ends, reasons.get(name)) {
            (_, Some(_)) if as_report > 0 => problems.push(format!("{name}: both report and reject")),
            (Ends::Reject(why), Some(reason)) if reason.contains(why) => {
                if !stderr.lines().any(|l| l.contains(name.as_str()) && l.contains(reason.as_str())) {
                    problems.push(format!("{name}: reject not reported on stderr"));
                }
            }
            (Ends::Reject(why), other) => {
                problems.push(format!("{name}: expected a reject for {why:?}, got {other:?}"))
            }
            (Ends::Report, None) if as_report == 1 => {}
            (Ends::Report, other) => {
                problems.push(format!("{name}: expected one report, got {as_report} and reject {other:?}"))
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(reasons["again"].contains("symbolic link loop"), "{reasons:?}");
    assert!(reasons["dangling-link.txt"].starts_with("cannot read: broken symbolic link"), "{reasons:?}");
    let codes = reject_codes(&out);
    assert_eq!((&*codes["again"], &*codes["dangling-link.txt"]), ("link_loop", "broken_link"));
    assert!(!stderr.contains("panicked"), "{stderr}");
    if readable {
        assert!(reports.contains(&"no-permission.txt".to_string()));
    } else {
        assert!(reasons["no-permission.txt"].contains("Permission denied"), "{reasons:?}");
        assert_eq!(codes["no-permission.txt"], "cannot_read");
    }

    // The good files come out exactly as they do alone.
    let good_cells = |out: &Path| -> HashMap<_, _> {
        cells_by_file(out)
            .into_iter()
            .filter(|(k, _)| k.0.starts_with("0000"))
            .map(|(k, v)| (k, format!("{v:?}")))
            .collect()
    };
    let (with_bad, without) = (good_cells(&out), good_cells(&alone));
    assert_eq!(without.len(), 200 + 198 + 198);
    assert_eq!(with_bad, without);
}

#[test]
fn hostile_values_are_read_as_the_contract_says() {
    let tmp = TempDir::new("hostile_values_are_read_as_the_contract_says");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (name, bytes, _) in hostile_files() {
        if ["negative-numbers.txt", "huge-number.txt", "nan-like.txt", "truncated-mid-table.txt", "forty-columns.txt"]
            .contains(&name.as_str())
        {
            std::fs::write(input.join(name), bytes).unwrap();
        }
    }
    let out = tmp.path().join("out");
    ingest(&[&input], &out);
    let cells = cells_by_file(&out);
    let cell = |file: &str, row: &str, col: &str| {
        cells[&(file.to_string(), "requests".to_string(), row.to_string(), col.to_string())].clone()
    };
    let negative = cell("negative-numbers.txt", "new", "natural_person");
    assert_eq!((negative.value, negative.status.as_str()), (Some(-5.0), "ok"));
    let nan = cells.iter().filter(|(k, c)| k.0 == "nan-like.txt" && c.status == "invalid").count();
    assert_eq!(nan, 6);
    let truncated = cells.iter().filter(|(k, c)| k.0 == "truncated-mid-table.txt" && c.status == "missing").count();
    assert!(truncated > 100, "{truncated}");
}

#[test]
fn a_pdf_page_with_text_past_the_cap_is_read_up_to_it_with_a_warning() {
    // 1.3 MB of text on one page, in short runs.
    let content = format!("BT /F1 12 Tf 72 720 Td {} ET", "(1234567890123) Tj ".repeat(100_000));
    let document = xxgk::extract::read(&forge::pdf(&content, false), false).unwrap();
    assert_eq!(
        document.warnings,
        [xxgk::diagnostics::Warning::new(xxgk::diagnostics::WarningKind::TextCut, "page 1: text past 1 MB not read")]
    );
    assert!((900_000..=1 << 20).contains(&document.text.len()), "{}", document.text.len());
    let small = xxgk::extract::read(&forge::pdf("BT /F1 12 Tf 72 720 Td (1234) Tj ET", false), false).unwrap();
    assert!(small.warnings.is_empty());
}

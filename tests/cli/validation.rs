//! The template's arithmetic (`checks`), report status and warnings, and the
//! `xxgk check` summary, on the shared corpus.

use std::collections::HashMap;
use std::path::Path;

use crate::dataset::TestDataset;
use crate::{ingest, shared_corpus, xxgk, TempDir};

/// One row of the `checks` table, with the report's file name.
type CheckRow = crate::dataset::Check;

fn check_rows(out: &Path) -> Vec<CheckRow> {
    TestDataset::read(out).checks
}

/// File name → (parse status, warnings).
pub(crate) fn report_status(out: &Path) -> HashMap<String, (String, Vec<String>)> {
    TestDataset::read(out).reports.into_iter().map(|r| (r.file, (r.status, r.warnings))).collect()
}

/// The failed check rows of one file, as (check, row, col, lhs, rhs).
fn failures<'a>(rows: &'a [CheckRow], file: &str) -> Vec<&'a CheckRow> {
    let mut found: Vec<&CheckRow> = rows.iter().filter(|r| r.file == file && r.status == "fail").collect();
    found.sort_by(|a, b| (&a.check, &a.row, &a.col).cmp(&(&b.check, &b.row, &b.col)));
    found
}

/// A check row as a compact tuple for assertions: check, row, col, lhs, rhs, status.
type Brief<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<f64>, Option<f64>, &'a str);

fn brief(r: &CheckRow) -> Brief<'_> {
    (r.check.as_str(), r.row.as_deref(), r.col.as_deref(), r.lhs, r.rhs, r.status.as_str())
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn seeds_pass_every_check() {
    let Some(corpus) = crate::dataset::corpus() else { return };
    let out = &corpus.dataset.dir;
    let seeds = corpus.files("seeds");
    let rows = check_rows(out);
    let fails: Vec<_> = rows.iter().filter(|r| seeds.contains(&r.file) && r.status == "fail").collect();
    assert!(fails.is_empty(), "{fails:?}");
    // Every seed is checked: 7 balance + 7 result totals + 25 or 23 row totals + 3 appeals rows.
    for (file, rows_in_table) in [("000_4f4f7c80275e6dc1.txt", 25), ("001_4db29d21e9694d8b.txt", 23)] {
        let passed = rows.iter().filter(|r| r.file == file && r.status == "pass").count();
        assert_eq!(passed, 7 + 7 + rows_in_table + 3, "{file}");
    }
    let status = report_status(out);
    assert_eq!(status["000_4f4f7c80275e6dc1.txt"].0, "ok");
    assert!(status["000_4f4f7c80275e6dc1.txt"]
        .1
        .contains(&"signature date 2022-01-14 is before the report year 2023".to_string()));
    // Seed 001 is a 2019-format report without the procurement row.
    assert_eq!(
        status["001_4db29d21e9694d8b.txt"],
        ("partial".to_string(), vec!["2 cells missing or invalid".to_string()])
    );
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn real_reports_fail_where_the_documents_do() {
    let Some(corpus) = crate::dataset::corpus() else { return };
    let rows = corpus.dataset.checks.as_slice();
    let status = report_status(&corpus.dataset.dir);

    // Pingtan 2020: the result rows sum to 27 against a printed total of 21, natural persons 26 against 20.
    let pingtan: Vec<_> = failures(rows, "pingtan-2020.html").into_iter().map(brief).collect();
    assert_eq!(
        pingtan,
        [
            ("requests.result_total", None, Some("natural_person"), Some(20.0), Some(26.0), "fail"),
            ("requests.result_total", None, Some("total"), Some(21.0), Some(27.0), "fail"),
        ]
    );
    assert_eq!(status["pingtan-2020.html"].0, "partial");
    // Its tags-stripped twin, read by the solver, fails the same way.
    let fused: Vec<_> = failures(rows, "pingtan-2020.txt").into_iter().map(brief).collect();
    assert_eq!(fused, pingtan);

    // Shanghai 2019 leaves the 总计 column blank in the result rows: read as
    // not reported, so those row totals are skipped, not failed.
    assert!(failures(rows, "shanghai-office-2019.html").is_empty());
    let shanghai_row_totals: Vec<&CheckRow> =
        rows.iter().filter(|r| r.file == "shanghai-office-2019.html" && r.check == "requests.row_total").collect();
    let skipped: Vec<&str> =
        shanghai_row_totals.iter().filter(|r| r.status == "skipped").filter_map(|r| r.row.as_deref()).collect();
    assert_eq!(skipped.len(), 11, "{skipped:?}");
    assert!(skipped.contains(&"result.granted"));
    let new_total = shanghai_row_totals.iter().find(|r| r.row.as_deref() == Some("new")).unwrap();
    assert_eq!(brief(new_total), ("requests.row_total", Some("new"), Some("total"), Some(859.0), Some(859.0), "pass"));
    let (shanghai, warnings) = &status["shanghai-office-2019.html"];
    assert_eq!(shanghai, "ok");
    assert!(warnings.iter().any(|w| w.contains("总计 column blank in 11 rows")), "{warnings:?}");

    for clean in ["pingtan-2019.html", "pingtan-2021.html", "pingtan-2022.html"] {
        assert!(failures(rows, clean).is_empty(), "{clean}: {:?}", failures(rows, clean));
        assert_eq!(status[clean].0, "ok", "{clean}");
    }
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn carry_over_chains_across_the_pingtan_years() {
    let Some(corpus) = shared_corpus("carry_over_chains_across_the_pingtan_years") else { return };
    let tmp = TempDir::new("carry_over_chains_across_the_pingtan_years");
    let out = tmp.path().join("out");
    // The HTML reports alone: with their text twins beside them, each year
    // would have two reports of the agency and no one year before to link to.
    let html: Vec<std::path::PathBuf> =
        ["pingtan-2019", "pingtan-2020", "pingtan-2021", "pingtan-2022", "pingtan-htp-2023"]
            .iter()
            .map(|name| corpus.join("real").join(format!("{name}.html")))
            .collect();
    ingest(&html.iter().map(|p| p.as_path()).collect::<Vec<_>>(), &out);
    let rows = check_rows(&out);
    let chain = |file: &str| -> Vec<&CheckRow> {
        let mut found: Vec<&CheckRow> =
            rows.iter().filter(|r| r.file == file && r.check == "requests.carry_over").collect();
        found.sort_by(|a, b| a.col.cmp(&b.col));
        found
    };
    // 2019 has no year before it in the corpus.
    assert!(chain("pingtan-2019.html").is_empty());
    for file in ["pingtan-2020.html", "pingtan-2021.html", "pingtan-2022.html"] {
        let links = chain(file);
        assert_eq!(links.len(), 7, "{file}: {links:?}");
        assert!(links.iter().all(|l| l.status == "pass"), "{file}: {links:?}");
    }
    // 2022 carries over the one request 2021 carried forward.
    let total_2022 = chain("pingtan-2022.html").into_iter().find(|l| l.col.as_deref() == Some("total")).unwrap();
    assert_eq!((total_2022.lhs, total_2022.rhs), (Some(1.0), Some(1.0)));
    // A different agency's report never links to Pingtan's.
    assert!(chain("pingtan-htp-2023.html").is_empty());
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn check_summarises_the_dataset_for_a_person() {
    let Some(corpus) = crate::dataset::corpus() else { return };
    let output = xxgk(&["check", "--data", corpus.dataset.dir.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("reports: 13 ok, 12 partial; 1 files rejected\n"), "{text}");
    // Rejects are grouped by their code: the one is a page whose report is an attachment.
    let by_code = text.lines().skip_while(|l| !l.starts_with("rejects by code")).nth(2).unwrap();
    assert_eq!(by_code.split_whitespace().collect::<Vec<_>>(), ["attachment_only", "1"]);
    // Warnings by code: the fused text's table 二 leaves runs of values with several readings.
    let warned = text.lines().skip_while(|l| !l.starts_with("warnings by code")).nth(2).unwrap();
    assert_eq!(warned.split_whitespace().collect::<Vec<_>>(), ["several_readings", "15", "4"]);
    // pingtan-2020 prints result rows that do not sum to its totals, in HTML, its fused twin and its .doc.
    let failed_line = text.lines().find(|l| l.trim_start().starts_with("requests.result_total")).unwrap();
    assert_eq!(failed_line.split_whitespace().collect::<Vec<_>>(), ["requests.result_total", "6", "3"]);
    let worst = text.lines().skip_while(|l| !l.starts_with("worst files:")).nth(2).unwrap();
    assert!(worst.ends_with("pingtan-2020.txt") && worst.trim_start().starts_with("partial"), "{text}");

    let tmp = TempDir::new("check_summarises_the_dataset_for_a_person");
    let missing = xxgk(&["check", "--data", tmp.path().join("nothing").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not an xxgk dataset"));
}

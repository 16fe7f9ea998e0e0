//! The template's arithmetic (`checks`), report status and warnings, and the
//! `xxgk check` summary, on the shared corpus.

use std::collections::HashMap;
use std::path::Path;

use arrow_array::{Array, Float64Array, ListArray};

use crate::{ingest, read_table, shared_corpus, strings, xxgk, TempDir};

/// One check row: (file, check, row, col) → (lhs, rhs, status).
type CheckRows = HashMap<(String, String, Option<String>, Option<String>), (Option<f64>, Option<f64>, String)>;

fn file_names(out: &Path) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for (_, batch) in read_table(out, "reports") {
        let (ids, paths) = (strings(&batch, "report_id"), strings(&batch, "source_path"));
        for i in 0..batch.num_rows() {
            let name = Path::new(paths.value(i)).file_name().unwrap().to_string_lossy().into_owned();
            names.insert(ids.value(i).to_string(), name);
        }
    }
    names
}

fn check_rows(out: &Path) -> CheckRows {
    let names = file_names(out);
    let mut rows = HashMap::new();
    for (_, batch) in read_table(out, "checks") {
        let (ids, check, row, col, status) = (
            strings(&batch, "report_id"),
            strings(&batch, "check"),
            strings(&batch, "row"),
            strings(&batch, "col"),
            strings(&batch, "status"),
        );
        let number =
            |name: &str| batch.column_by_name(name).unwrap().as_any().downcast_ref::<Float64Array>().unwrap().clone();
        let (lhs, rhs) = (number("lhs"), number("rhs"));
        for i in 0..batch.num_rows() {
            let key = (
                names[ids.value(i)].clone(),
                check.value(i).to_string(),
                row.is_valid(i).then(|| row.value(i).to_string()),
                col.is_valid(i).then(|| col.value(i).to_string()),
            );
            let value = (
                lhs.is_valid(i).then(|| lhs.value(i)),
                rhs.is_valid(i).then(|| rhs.value(i)),
                status.value(i).to_string(),
            );
            assert!(rows.insert(key.clone(), value).is_none(), "check row twice: {key:?}");
        }
    }
    rows
}

/// file → (parse_status, warnings).
fn report_status(out: &Path) -> HashMap<String, (String, Vec<String>)> {
    let mut reports = HashMap::new();
    for (_, batch) in read_table(out, "reports") {
        let (paths, status) = (strings(&batch, "source_path"), strings(&batch, "parse_status"));
        let warnings = batch.column_by_name("warnings").unwrap().as_any().downcast_ref::<ListArray>().unwrap();
        for i in 0..batch.num_rows() {
            let name = Path::new(paths.value(i)).file_name().unwrap().to_string_lossy().into_owned();
            let list = warnings.value(i);
            let list = list.as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
            let texts = (0..list.len()).map(|j| list.value(j).to_string()).collect();
            reports.insert(name, (status.value(i).to_string(), texts));
        }
    }
    reports
}

fn failures(rows: &CheckRows, file: &str) -> Vec<(String, Option<String>, Option<String>, Option<f64>, Option<f64>)> {
    let mut found: Vec<_> = rows
        .iter()
        .filter(|(k, v)| k.0 == file && v.2 == "fail")
        .map(|(k, v)| (k.1.clone(), k.2.clone(), k.3.clone(), v.0, v.1))
        .collect();
    found.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    found
}

#[test]
fn seeds_pass_every_check() {
    let Some(corpus) = shared_corpus("seeds_pass_every_check") else { return };
    let tmp = TempDir::new("seeds_pass_every_check");
    let out = tmp.path().join("out");
    ingest(&[&corpus.join("seeds")], &out);
    let rows = check_rows(&out);
    let fails: Vec<_> = rows.iter().filter(|(_, v)| v.2 == "fail").collect();
    assert!(fails.is_empty(), "{fails:?}");
    // Every seed is checked: 7 balance + 7 result totals + 25 or 23 row totals + 3 appeals rows.
    for (file, rows_in_table) in [("000_4f4f7c80275e6dc1.txt", 25), ("001_4db29d21e9694d8b.txt", 23)] {
        let passed = rows.iter().filter(|(k, v)| k.0 == file && v.2 == "pass").count();
        assert_eq!(passed, 7 + 7 + rows_in_table + 3, "{file}");
    }
    let status = report_status(&out);
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
fn real_reports_fail_where_the_documents_do() {
    let Some(corpus) = shared_corpus("real_reports_fail_where_the_documents_do") else { return };
    let tmp = TempDir::new("real_reports_fail_where_the_documents_do");
    let out = tmp.path().join("out");
    ingest(&[&corpus.join("real")], &out);
    let rows = check_rows(&out);
    let status = report_status(&out);

    // Pingtan 2020: the result rows sum to 27 against a printed total of 21, natural persons 26 against 20.
    let result_total = |col: &str| Some(col.to_string());
    assert_eq!(
        failures(&rows, "pingtan-2020.html"),
        [
            ("requests.result_total".to_string(), None, result_total("natural_person"), Some(20.0), Some(26.0)),
            ("requests.result_total".to_string(), None, result_total("total"), Some(21.0), Some(27.0)),
        ]
    );
    assert_eq!(status["pingtan-2020.html"].0, "partial");

    // Shanghai 2019 leaves the 总计 column blank in the result rows: read as
    // not reported, so those row totals are skipped, not failed.
    assert!(failures(&rows, "shanghai-office-2019.html").is_empty());
    let skipped_row_totals: Vec<_> = rows
        .iter()
        .filter(|(k, v)| k.0 == "shanghai-office-2019.html" && k.1 == "requests.row_total" && v.2 == "skipped")
        .map(|(k, _)| k.2.clone().unwrap())
        .collect();
    assert_eq!(skipped_row_totals.len(), 11, "{skipped_row_totals:?}");
    assert!(skipped_row_totals.contains(&"result.granted".to_string()));
    let new_total = &rows
        [&("shanghai-office-2019.html".into(), "requests.row_total".into(), Some("new".into()), Some("total".into()))];
    assert_eq!(new_total, &(Some(859.0), Some(859.0), "pass".to_string()));
    let (shanghai, warnings) = &status["shanghai-office-2019.html"];
    assert_eq!(shanghai, "ok");
    assert!(warnings.iter().any(|w| w.contains("总计 column blank in 11 rows")), "{warnings:?}");

    for clean in ["pingtan-2019.html", "pingtan-2021.html", "pingtan-2022.html"] {
        assert!(failures(&rows, clean).is_empty(), "{clean}: {:?}", failures(&rows, clean));
        assert_eq!(status[clean].0, "ok", "{clean}");
    }
}

#[test]
fn carry_over_chains_across_the_pingtan_years() {
    let Some(corpus) = shared_corpus("carry_over_chains_across_the_pingtan_years") else { return };
    let tmp = TempDir::new("carry_over_chains_across_the_pingtan_years");
    let out = tmp.path().join("out");
    ingest(&[&corpus.join("real")], &out);
    let rows = check_rows(&out);
    let chain = |file: &str| -> Vec<(Option<String>, Option<f64>, Option<f64>, String)> {
        let mut found: Vec<_> = rows
            .iter()
            .filter(|(k, _)| k.0 == file && k.1 == "requests.carry_over")
            .map(|(k, v)| (k.3.clone(), v.0, v.1, v.2.clone()))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    };
    // 2019 has no year before it in the corpus.
    assert!(chain("pingtan-2019.html").is_empty());
    for file in ["pingtan-2020.html", "pingtan-2021.html", "pingtan-2022.html"] {
        let links = chain(file);
        assert_eq!(links.len(), 7, "{file}: {links:?}");
        assert!(links.iter().all(|l| l.3 == "pass"), "{file}: {links:?}");
    }
    // 2022 carries over the one request 2021 carried forward.
    let total_2022 = chain("pingtan-2022.html").into_iter().find(|l| l.0.as_deref() == Some("total")).unwrap();
    assert_eq!((total_2022.1, total_2022.2), (Some(1.0), Some(1.0)));
    // A different agency's report never links to Pingtan's.
    assert!(chain("pingtan-htp-2023.html").is_empty());
}

#[test]
fn check_summarises_the_dataset_for_a_person() {
    let Some(corpus) = shared_corpus("check_summarises_the_dataset_for_a_person") else { return };
    let tmp = TempDir::new("check_summarises_the_dataset_for_a_person");
    let out = tmp.path().join("out");
    ingest(&[&corpus.join("seeds"), &corpus.join("real")], &out);
    let output = xxgk(&["check", "--data", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("reports: 8 ok, 4 partial; 6 files rejected\n"), "{text}");
    let failed_line = text.lines().find(|l| l.trim_start().starts_with("requests.result_total")).unwrap();
    assert_eq!(failed_line.split_whitespace().collect::<Vec<_>>(), ["requests.result_total", "2", "1"]);
    let worst = text.lines().skip_while(|l| !l.starts_with("worst files:")).nth(2).unwrap();
    assert!(worst.ends_with("pingtan-2020.html") && worst.trim_start().starts_with("partial"), "{text}");

    let missing = xxgk(&["check", "--data", tmp.path().join("nothing").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not an xxgk dataset"));
}

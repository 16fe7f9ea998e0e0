//! The fixture folders (`tests/fixtures/<case>/{input,expected}`, see the
//! README there): each is ingested on its own and its expected rows checked.

use std::path::Path;

use crate::dataset::TestDataset;
use crate::{assert_expected, ingest, repo, TempDir};

/// What is wrong with one case's dataset, if anything.
fn problems(case: &Path, dataset: &TestDataset) -> Vec<String> {
    let expected = case.join("expected");
    let mut problems = Vec::new();
    let mut inputs: Vec<String> = std::fs::read_dir(case.join("input"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    inputs.sort();
    let mut seen: Vec<String> =
        dataset.reports.iter().map(|r| r.file.clone()).chain(dataset.rejects.iter().map(|r| r.file.clone())).collect();
    seen.sort();
    if seen != inputs {
        problems.push(format!("inputs {inputs:?} gave reports and rejects {seen:?}"));
    }
    let cells = expected.join("cells.csv");
    if cells.exists() {
        // Panics with the wrong cells; caught per case below.
        let listed = csv::Reader::from_path(&cells).unwrap().records().count();
        let checked = assert_expected(dataset, &cells, |_| true);
        assert_eq!(checked, listed);
    }
    if let Ok(mut reader) = csv::Reader::from_path(expected.join("reports.csv")) {
        for record in reader.records() {
            let r = record.unwrap();
            let Some(report) = dataset.reports.iter().find(|x| x.file == r[0]) else {
                problems.push(format!("{}: no report", &r[0]));
                continue;
            };
            let year = report.year.map(|y| y.to_string()).unwrap_or_default();
            let got = [
                report.status.as_str(),
                year.as_str(),
                report.agency.as_deref().unwrap_or(""),
                report.division_code.as_deref().unwrap_or(""),
                &report.warning_codes.join(";"),
            ];
            let want = [&r[1], &r[2], &r[3], &r[4], &r[5]];
            if got != want {
                problems.push(format!(
                    "{}: status, year, agency, division code, warning codes {got:?}, expected {want:?}",
                    &r[0]
                ));
            }
        }
    }
    if let Ok(mut reader) = csv::Reader::from_path(expected.join("rejects.csv")) {
        let mut want: Vec<(String, String)> =
            reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[1].to_string())).collect();
        let mut got: Vec<(String, String)> = dataset.rejects.iter().map(|r| (r.file.clone(), r.code.clone())).collect();
        want.sort();
        got.sort();
        if got != want {
            problems.push(format!("rejects {got:?}, expected {want:?}"));
        }
    }
    problems
}

#[test]
fn every_fixture_folder_gives_its_expected_rows() {
    let root = repo().join("tests/fixtures");
    let mut cases: Vec<_> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("input").is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 3, "{cases:?}");
    let mut failed = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = TempDir::new(&format!("fixture-{name}"));
        let out = tmp.path().join("out");
        ingest(&[&case.join("input")], &out);
        let dataset = TestDataset::read(&out);
        match std::panic::catch_unwind(|| problems(case, &dataset)) {
            Ok(problems) if problems.is_empty() => {}
            Ok(problems) => failed.push(format!("{name}:\n  {}", problems.join("\n  "))),
            Err(panic) => {
                let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                failed.push(format!("{name}:\n  {message}"));
            }
        }
    }
    assert!(failed.is_empty(), "{} of {} fixture cases fail:\n{}", failed.len(), cases.len(), failed.join("\n"));
}

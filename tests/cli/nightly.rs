//! What a nightly job needs of the command line: a closed or full output
//! never loses a run or panics.

use std::process::{Command, Stdio};

use crate::{repo, xxgk, TempDir};

#[test]
fn a_reader_that_goes_away_loses_nothing() {
    let tmp = TempDir::new("a_reader_that_goes_away_loses_nothing");
    let out = tmp.path().join("out");
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    // `xxgk ingest … 2>&1 | head -0`: every note on stderr (here the reject
    // of the empty file, and the summary line) meets a closed pipe.
    let mut ingest = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .current_dir(repo())
        .args(["ingest", "--out", out.to_str().unwrap(), "data/samples", empty.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(ingest.stderr.take());
    assert_eq!(ingest.wait().unwrap().code(), Some(0));
    assert!(out.join("manifest.json").is_file(), "the run was lost");

    // `xxgk check-config | head -0`.
    let mut check = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .current_dir(repo())
        .arg("check-config")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(check.stdout.take());
    let output = check.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    // `xxgk check > /dev/full`: an error that says so, not a panic.
    let full = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .current_dir(repo())
        .args(["check", "--data", out.to_str().unwrap()])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write to standard output") && !stderr.contains("panicked"), "{stderr}");
    assert!(xxgk(&["check", "--data", out.to_str().unwrap()]).status.success());
}

#[test]
fn a_missing_input_is_a_setup_error() {
    let tmp = TempDir::new("a_missing_input_is_a_setup_error");
    let out = tmp.path().join("out");
    let output = xxgk(&["ingest", "--out", out.to_str().unwrap(), "data/samples", "/nonexistent/xxgk-input"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("input /nonexistent/xxgk-input does not exist"));
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn full_never_replaces_a_folder_xxgk_did_not_write() {
    let tmp = TempDir::new("full_never_replaces_a_folder_xxgk_did_not_write");
    let app = tmp.path().join("app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    std::fs::write(app.join("manifest.json"), r#"{"name":"app"}"#).unwrap();
    std::fs::write(app.join("src/index.js"), "x").unwrap();
    let output = xxgk(&["ingest", "--full", "--out", app.to_str().unwrap(), "data/samples"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not an xxgk dataset"));
    assert_eq!(std::fs::read_to_string(app.join("src/index.js")).unwrap(), "x");
}

#[test]
fn names_that_are_not_utf8_never_collide() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = TempDir::new("names_that_are_not_utf8_never_collide");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let sample = std::fs::read(repo().join("data/samples/000002-tab_rows-gov2021.txt")).unwrap();
    // Five two-character GBK names (报告, 报表, …) that differ only in
    // bytes that are not UTF-8: one name to a lossy conversion.
    for i in 0..5u8 {
        let name = [&b"\xB1\xA8\xB8"[..], &[0xE6 + i], b".txt"].concat();
        let bytes = [&sample[..], &vec![b'\n'; usize::from(i) + 1]].concat();
        std::fs::write(input.join(std::ffi::OsStr::from_bytes(&name)), bytes).unwrap();
    }
    let out = tmp.path().join("out");
    for _ in 0..4 {
        crate::ingest(&[&input], &out);
        let mut paths = crate::report_files(&out);
        paths.sort();
        assert_eq!(paths.len(), 5, "{paths:?}");
        paths.dedup();
        assert_eq!(paths.len(), 5, "{paths:?}");
    }
}

#[test]
fn reports_of_many_years_keep_few_files_open() {
    let tmp = TempDir::new("reports_of_many_years_keep_few_files_open");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let text = std::fs::read_to_string(repo().join("data/samples/000001-cell_lines-gov2021.txt")).unwrap();
    for year in 1900..2100 {
        let report = text.replace("2022年", "\u{0}").replace("2021年", &format!("{year}年"));
        let report = report.replace('\u{0}', &format!("{}年", year + 1));
        std::fs::write(input.join(format!("{year}.txt")), report).unwrap();
    }
    let out = tmp.path().join("out");
    // 200 years of four tables each: a writer per partition open at once
    // needed 800 files.
    let script = format!(
        "ulimit -n 256 && exec \"$0\" ingest --quiet --jobs 100000 --out '{}' '{}'",
        out.display(),
        input.display()
    );
    let output = Command::new("sh").args(["-c", &script, env!("CARGO_BIN_EXE_xxgk")]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("--jobs 100000 is more than 4 per core"), "{stderr}");
    let years: std::collections::BTreeSet<_> =
        crate::read_table(&out, "reports").into_iter().map(|(year, _)| year.unwrap()).collect();
    assert_eq!(years.len(), 200);
    let cells = crate::read_table(&out, "cells").iter().map(|(_, b)| b.num_rows()).sum::<usize>();
    assert_eq!(cells, 200 * 200, "every cell of every report");
    assert!(xxgk(&["check", "--data", out.to_str().unwrap()]).status.success());
}

/// Each line of standard error as JSON.
fn json_lines(stderr: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

#[test]
fn logs_for_collectors_are_one_json_object_per_event() {
    let tmp = TempDir::new("logs_for_collectors_are_one_json_object_per_event");
    let out = tmp.path().join("out");
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let args =
        ["--log-format", "json", "ingest", "--out", out.to_str().unwrap(), "data/samples", empty.to_str().unwrap()];
    let output = xxgk(&args);
    assert_eq!(output.status.code(), Some(0));
    let events = json_lines(&output.stderr);
    let names: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["reject", "finished"], "no progress bar, nothing else");
    assert!(events[0]["path"].as_str().unwrap().ends_with("empty.txt"));
    assert!(events[0]["reason"].as_str().unwrap().contains("empty"), "{}", events[0]);
    let summary = &events[1]["summary"];
    assert_eq!(summary["run"]["files"], 17);
    assert_eq!(summary["run"]["rejects"], 1);
    assert_eq!(summary["dataset"]["reports_ok"], 16);
    assert!(summary["stages"]["read_s"].as_f64().unwrap() > 0.0);
    assert_eq!(summary["slowest_files"].as_array().unwrap().len(), 10);
    // The manifest keeps the same summary.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["this_run"], summary["run"]);
    assert_eq!(manifest["slowest_files"].as_array().unwrap().len(), 10);

    // Errors too, with the exit status cron sees.
    let missing = xxgk(&["--log-format", "json", "ingest", "--out", out.to_str().unwrap(), "/nonexistent/in"]);
    let events = json_lines(&missing.stderr);
    assert_eq!((events.len(), &events[0]["event"], &events[0]["exit"]), (1, &"error".into(), &2.into()));
    assert_eq!(missing.status.code(), Some(2));
    let lock = std::fs::File::create(tmp.path().join(".out.xxgk/lock")).unwrap();
    lock.try_lock().unwrap();
    let busy = xxgk(&["--log-format", "json", "ingest", "--out", out.to_str().unwrap(), "data/samples"]);
    assert_eq!(busy.status.code(), Some(3));
    assert_eq!(json_lines(&busy.stderr)[0]["exit"], 3);
}

/// Each command loads only what it needs: a broken division table stops
/// the commands that parse, and not `xxgk divisions`, which rebuilds it.
#[test]
fn divisions_rebuilds_a_broken_division_table() {
    let dir = TempDir::new("broken-divisions");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::copy(repo().join("config/xxgk.toml"), config.join("xxgk.toml")).unwrap();
    std::fs::copy(repo().join("config/template.toml"), config.join("template.toml")).unwrap();
    let table = dir.path().join("data/divisions.tsv");
    std::fs::create_dir_all(table.parent().unwrap()).unwrap();
    std::fs::write(&table, "not a division table\n").unwrap();
    let gazetteer = dir.path().join("gazetteer");
    std::fs::create_dir_all(&gazetteer).unwrap();
    for (file, text) in [
        ("provinces.csv", "code,name\n35,福建省\n"),
        ("cities.csv", "code,name,provinceCode\n3501,福州市,35\n"),
        ("areas.csv", "code,name,cityCode,provinceCode\n350128,平潭县,3501,35\n"),
        ("streets.csv", "code,name,areaCode,provinceCode,cityCode\n350128100,潭城镇,350128,35,3501\n"),
    ] {
        std::fs::write(gazetteer.join(file), text).unwrap();
    }
    let config_arg = config.join("xxgk.toml").display().to_string();

    let broken = xxgk(&["--config", &config_arg, "check-config"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("divisions.tsv"), "{broken:?}");

    let rebuilt = xxgk(&["--config", &config_arg, "divisions", "--gazetteer", &gazetteer.display().to_string()]);
    assert!(rebuilt.status.success(), "{}", String::from_utf8_lossy(&rebuilt.stderr));
    assert_eq!(
        std::fs::read_to_string(&table).unwrap().lines().skip(1).collect::<Vec<_>>(),
        ["35\t福建省\t", "3501\t福州市\t35", "350128\t平潭县\t3501", "350128100\t潭城镇\t350128"]
    );
    let fixed = xxgk(&["--config", &config_arg, "check-config"]);
    assert!(fixed.status.success(), "{}", String::from_utf8_lossy(&fixed.stderr));
}

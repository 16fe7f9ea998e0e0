//! `xxgk summary` and `xxgk codebook`: sums that agree with the cells read
//! back directly, presets, CSV for Excel, Chinese headers.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use arrow_array::{Array, Float64Array};

use crate::{ingest, read_table, repo, shared_corpus, strings, xxgk, TempDir};

fn summary(out: &Path, args: &[&str]) -> String {
    let mut all = vec!["summary", "--data", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = xxgk(&all);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Sum of `value` for one cell code per partition year, read with arrow.
fn sums_by_year(out: &Path, table: &str, row: &str, col: &str) -> BTreeMap<i16, f64> {
    let mut sums = BTreeMap::new();
    for (year, batch) in read_table(out, "cells") {
        let (t, r, c) = (strings(&batch, "table"), strings(&batch, "row"), strings(&batch, "col"));
        let values = batch.column_by_name("value").unwrap().as_any().downcast_ref::<Float64Array>().unwrap();
        for i in 0..batch.num_rows() {
            if t.value(i) == table && r.value(i) == row && c.value(i) == col {
                *sums.entry(year.unwrap()).or_insert(0.0) += if values.is_valid(i) { values.value(i) } else { 0.0 };
            }
        }
    }
    sums
}

#[test]
fn summaries_agree_with_the_cells() {
    let tmp = TempDir::new("summaries_agree_with_the_cells");
    let out = tmp.path().join("out");
    ingest(&[&repo().join("data/samples")], &out);

    let text = summary(&out, &["--by", "year", "--table", "requests", "--rows", "new", "--cols", "total"]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("year,table,row,col,value,reports,cells_missing,totals_from_parts"));
    let got: BTreeMap<i16, f64> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[4].parse().unwrap())
        })
        .collect();
    assert_eq!(got, sums_by_year(&out, "requests", "new", "total"));

    // Globs pick codes: the eight withheld rows.
    let withheld = summary(&out, &["--table", "requests", "--rows", "result.withheld.*", "--cols", "total"]);
    assert_eq!(withheld.lines().count(), 1 + 8, "{withheld}");

    let by_province = summary(&out, &["--preset", "requests", "--by", "province"]);
    assert!(by_province.starts_with("province,measure,natural_person,"), "{by_province}");
    assert!(by_province.lines().skip(1).all(|l| !l.starts_with(',')), "every report has a province:\n{by_province}");

    let outcomes = summary(&out, &["--preset", "outcomes"]);
    let rows: Vec<Vec<String>> = outcomes.lines().map(|l| l.split(',').map(str::to_string).collect()).collect();
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let total: f64 = rows[1][at("result_total")].parse().unwrap();
    let parts: f64 = ["granted", "partial", "withheld", "unavailable", "not_processed", "other"]
        .iter()
        .map(|p| rows[1][at(p)].parse::<f64>().unwrap())
        .sum();
    assert_eq!(rows[1][at("reports")], "16");
    assert!((parts - total).abs() < 1e-6, "parts {parts} vs total {total}");
    let share: f64 = rows[1][at("granted_share")].parse().unwrap();
    assert!((share - rows[1][at("granted")].parse::<f64>().unwrap() / total).abs() < 1e-9);

    let quality = summary(&out, &["--preset", "quality", "--by", "template"]);
    assert!(quality.starts_with("template,reports,ok,partial,checks_failed,"), "{quality}");

    let wide = summary(&out, &["--wide"]);
    assert_eq!(wide.lines().count(), 1 + 16);
    assert!(wide.lines().next().unwrap().contains(",requests.new.total,"));
}

/// Outcome family of a row code of table 三, as the `outcomes` preset groups them.
fn family(row: &str) -> Option<&'static str> {
    let families = [
        ("granted", "result.granted"),
        ("partial", "result.partial"),
        ("withheld", "result.withheld."),
        ("unavailable", "result.unavailable."),
        ("not_processed", "result.not_processed."),
        ("other", "result.other"),
        ("result_total", "result.total"),
    ];
    // （六）其他处理 is one row in the 2019 template, three in the 2021 one.
    let is_other = |prefix: &str| prefix == "result.other" && row.starts_with("result.other.");
    families
        .iter()
        .find(|(_, prefix)| row == *prefix || prefix.ends_with('.') && row.starts_with(prefix) || is_other(prefix))
        .map(|f| f.0)
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn outcome_shares_agree_with_a_hand_count_of_the_labelled_cells() {
    let Some(corpus) = shared_corpus("outcome_shares_agree_with_a_hand_count_of_the_labelled_cells") else { return };
    let tmp = TempDir::new("outcome_shares_agree_with_a_hand_count_of_the_labelled_cells");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for entry in std::fs::read_dir(corpus.join("real")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            std::fs::copy(&path, input.join(path.file_name().unwrap())).unwrap();
        }
    }
    let out = tmp.path().join("out");
    ingest(&[&input], &out);

    // By hand: each row's 总计 as printed, or, where it is blank, the sum of
    // the row's applicant columns (shanghai-office-2019 leaves it blank).
    let labels = std::fs::read_to_string(corpus.join("expected/real-labels.csv")).unwrap();
    let mut rows: BTreeMap<(String, String), (Option<f64>, f64)> = BTreeMap::new();
    for line in labels.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if !f[0].ends_with(".html") || f[1] != "requests" || family(f[2]).is_none() {
            continue;
        }
        let value: f64 = f[4].parse().unwrap_or(0.0);
        let entry = rows.entry((f[0].to_string(), f[2].to_string())).or_default();
        match (f[3], f[4]) {
            ("total", "BLANK") => {}
            ("total", _) => entry.0 = Some(value),
            _ => entry.1 += value,
        }
    }
    let mut hand: BTreeMap<&str, f64> = BTreeMap::new();
    let mut from_parts = 0;
    for ((_, row), (total, parts)) in &rows {
        from_parts += usize::from(total.is_none() && *parts > 0.0);
        *hand.entry(family(row).unwrap()).or_default() += total.unwrap_or(*parts);
    }
    assert!(from_parts >= 9, "shanghai-office-2019 leaves the 总计 of its outcome rows blank");

    let outcomes = summary(&out, &["--preset", "outcomes"]);
    let lines: Vec<Vec<&str>> = outcomes.lines().map(|l| l.split(',').collect()).collect();
    let at = |name: &str| lines[0].iter().position(|h| *h == name).unwrap();
    let number = |name: &str| lines[1][at(name)].parse::<f64>().unwrap();
    assert_eq!(lines[1][at("totals_from_parts")], from_parts.to_string());
    for (name, want) in &hand {
        assert_eq!(number(name), *want, "{name}");
        if *name != "result_total" {
            let share = number(&format!("{name}_share"));
            assert!((share - want / hand["result_total"]).abs() < 1e-12, "{name}: {share}");
        }
    }
}

#[test]
fn excel_gets_a_bom_and_chinese_headers() {
    let tmp = TempDir::new("excel_gets_a_bom_and_chinese_headers");
    let out = tmp.path().join("out");
    ingest(&[&repo().join("data/samples")], &out);
    let file = tmp.path().join("outcomes.csv");
    summary(
        &out,
        &["--preset", "outcomes", "--by", "year", "--excel", "--labels", "zh", "--out", file.to_str().unwrap()],
    );
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..3], b"\xef\xbb\xbf");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("年度,报告数,未计入报告数（所需总计缺失）,办理结果总计,予以公开,"), "{text}");
    assert!(text.lines().next().unwrap().contains("予以公开占比"));

    let plain = summary(&out, &["--preset", "appeals"]);
    assert!(plain.starts_with("reports,reports_left_out,reviews,"), "no BOM without --excel: {plain}");

    let bad = xxgk(&["summary", "--data", out.to_str().unwrap(), "--by", "colour"]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("invalid value 'colour' for '--by <COLS>'"), "{stderr}");
    assert!(stderr.contains("[possible values: year, province, city, county, admin_level, agency, template]"));
    let table = xxgk(&["summary", "--data", out.to_str().unwrap(), "--table", "request"]);
    assert!(String::from_utf8_lossy(&table.stderr).contains("[possible values: proactive, requests, appeals]"));
}

#[test]
fn the_bundled_codebook_is_what_the_templates_say() {
    let tmp = TempDir::new("the_bundled_codebook_is_what_the_templates_say");
    let output = xxgk(&["codebook", "--out-dir", tmp.path().to_str().unwrap()]);
    assert!(output.status.success());
    for name in ["codebook.md", "codebook.csv"] {
        let fresh = std::fs::read_to_string(tmp.path().join(name)).unwrap();
        let bundled = std::fs::read_to_string(repo().join("data").join(name)).unwrap_or_default();
        assert!(fresh == bundled, "data/{name} is stale: run `xxgk codebook`");
    }
    let csv = std::fs::read_to_string(tmp.path().join("codebook.csv")).unwrap();
    assert!(csv.contains(
        "proactive,art20_8.fees,amount,第二十条第（八）项/行政事业性收费,本年收费金额（单位：万元）,万元,gov2021\n"
    ));
    assert_eq!(csv.lines().count(), 1 + csv.lines().skip(1).collect::<std::collections::HashSet<_>>().len());
}

/// The preset's one row over `sample` alone, and over `sample` beside a copy
/// of it changed by `cut`: (alone, both).
fn preset_beside_a_cut_copy(
    tmp: &TempDir,
    preset: &str,
    cut: impl Fn(&str) -> String,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let (alone, both) = (tmp.path().join("alone"), tmp.path().join("both"));
    let sample = repo().join("data/samples/000002-tab_rows-gov2021.txt");
    let changed = tmp.path().join("changed.txt");
    std::fs::write(&changed, cut(&std::fs::read_to_string(&sample).unwrap())).unwrap();
    ingest(&[&sample], &alone);
    ingest(&[&sample, &changed], &both);
    let table = |out: &Path| -> BTreeMap<String, String> {
        let text = summary(out, &["--preset", preset]);
        let lines: Vec<Vec<String>> = text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect();
        lines[0].iter().cloned().zip(lines[1].iter().cloned()).collect()
    };
    (table(&alone), table(&both))
}

/// Every sum and share over both is the complete report's alone.
fn assert_left_out(alone: &BTreeMap<String, String>, mut both: BTreeMap<String, String>) {
    assert_eq!((both["reports"].as_str(), both["reports_left_out"].as_str()), ("2", "1"));
    assert_eq!((alone["reports"].as_str(), alone["reports_left_out"].as_str()), ("1", "0"));
    for column in ["reports", "reports_left_out", "cells_missing"] {
        both.remove(column);
    }
    for (column, value) in both {
        assert_eq!(alone[&column], value, "{column}");
    }
}

#[test]
fn outcome_shares_leave_out_reports_without_their_total_and_say_so() {
    let tmp = TempDir::new("outcome_shares_leave_out_reports_without_their_total_and_say_so");
    let (alone, both) = preset_beside_a_cut_copy(&tmp, "outcomes", |text| {
        assert!(text.contains("\t（七）总计\t"));
        text.lines().filter(|l| !l.contains("（七）总计")).map(|l| format!("{l}\n")).collect()
    });
    assert_left_out(&alone, both);
}

#[test]
fn appeal_shares_leave_out_reports_with_a_total_unread_and_say_so() {
    let tmp = TempDir::new("appeal_shares_leave_out_reports_with_a_total_unread_and_say_so");
    let (alone, both) = preset_beside_a_cut_copy(&tmp, "appeals", |text| {
        let line = "33\t0\t0\t0\t33\t0\t15\t8\t0\t23\t0\t0\t0\t25\t25";
        assert!(text.contains(line));
        text.replace(line, "33\t0\t0\t0\t3x3\t0\t15\t8\t0\t23\t0\t0\t0\t25\t25")
    });
    assert_eq!((alone["reviews"].as_str(), alone["reviews_corrected"].as_str()), ("33.0", "0.0"));
    assert_left_out(&alone, both);
}

#[test]
fn summaries_read_a_slice_of_reports_at_a_time_and_add_up_to_the_same() {
    let tmp = TempDir::new("summaries_read_a_slice_of_reports_at_a_time_and_add_up_to_the_same");
    let (more, out) = (tmp.path().join("more"), tmp.path().join("out"));
    let made = xxgk(&["synth", "--n", "40", "--seed", "11", "--out", more.to_str().unwrap()]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    std::fs::remove_file(more.join("ground-truth.csv")).unwrap();
    // Two runs: a year's cells are in two files.
    ingest(&[&more], &out);
    ingest(&[&repo().join("data/samples")], &out);
    let summaries: [&[&str]; 9] = [
        &["--wide"],
        &["--by", "year,agency", "--table", "requests"],
        &["--by", "province", "--rows", "result.*"],
        &["--preset", "requests", "--by", "year"],
        &["--preset", "outcomes", "--by", "year"],
        &["--preset", "outcomes", "--by", "agency", "--labels", "zh", "--excel"],
        &["--preset", "appeals", "--by", "admin_level"],
        &["--preset", "quality", "--by", "template"],
        &["--by", "city,county", "--cols", "total"],
    ];
    for args in summaries {
        let whole = summary(&out, args);
        assert!(whole.lines().count() > 2, "{args:?}: {whole}");
        // One report a slice, and a few hundred cells a slice.
        for rows in ["1", "700"] {
            let mut all = vec!["summary", "--data", out.to_str().unwrap()];
            all.extend_from_slice(args);
            let output = Command::new(env!("CARGO_BIN_EXE_xxgk"))
                .env("XXGK_SUMMARY_SLICE_ROWS", rows)
                .args(&all)
                .output()
                .unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            assert_eq!(String::from_utf8(output.stdout).unwrap(), whole, "{args:?} in slices of {rows} rows");
        }
    }
    let wide = summary(&out, &["--wide"]);
    assert_eq!(wide.lines().count(), 1 + 16 + 40);
}

#[test]
fn a_dataset_of_rejects_alone_has_nothing_to_summarise_and_says_so() {
    let tmp = TempDir::new("a_dataset_of_rejects_alone_has_nothing_to_summarise_and_says_so");
    let (prose, out) = (tmp.path().join("prose.txt"), tmp.path().join("out"));
    std::fs::write(&prose, "本机关今年没有收到申请。\n").unwrap();
    ingest(&[&prose], &out);
    for args in [&["--preset", "quality"][..], &["--wide"], &["--by", "year"]] {
        let mut all = vec!["summary", "--data", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let output = xxgk(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("holds no reports, only rejects: nothing to summarise"), "{stderr}");
    }
}

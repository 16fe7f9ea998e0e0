//! Who, when, where: agency, year, dates, region and admin level, and the
//! crawler sidecar.

use std::collections::HashMap;
use std::path::Path;

use arrow_array::Array;

use crate::{file_name, ingest, read_table, repo, strings, xxgk, TempDir};

/// file → column → value (strings; null as None), for the string columns of `reports`.
fn report_fields(out: &Path) -> HashMap<String, HashMap<String, Option<String>>> {
    let mut reports = HashMap::new();
    for (year, batch) in read_table(out, "reports") {
        let paths = strings(&batch, "source_path");
        for i in 0..batch.num_rows() {
            let mut fields: HashMap<String, Option<String>> = HashMap::new();
            for name in
                ["agency", "title", "admin_level", "region", "division_code", "township", "county", "source_url"]
            {
                let column = strings(&batch, name);
                fields.insert(name.to_string(), column.is_valid(i).then(|| column.value(i).to_string()));
            }
            fields.insert("year".to_string(), year.map(|y| y.to_string()));
            for name in ["warnings", "warning_codes"] {
                let lists =
                    batch.column_by_name(name).unwrap().as_any().downcast_ref::<arrow_array::ListArray>().unwrap();
                let list = lists.value(i);
                let list = list.as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
                let joined = (0..list.len()).map(|j| list.value(j)).collect::<Vec<_>>().join("\n");
                fields.insert(name.to_string(), Some(joined));
            }
            reports.insert(file_name(paths.value(i)), fields);
        }
    }
    reports
}

fn field<'a>(reports: &'a HashMap<String, HashMap<String, Option<String>>>, file: &str, name: &str) -> Option<&'a str> {
    reports[file][name].as_deref()
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn seeds_know_who_when_and_where() {
    let Some(corpus) = crate::dataset::corpus() else { return };
    let reports = report_fields(&corpus.dataset.dir);
    let expected = [
        ("000_4f4f7c80275e6dc1.txt", "甘其毛都镇", "150824104", "2023", "township"),
        ("001_4db29d21e9694d8b.txt", "耿镇镇", "140922102", "2023", "township"),
        ("002_b657cdc2b6fa0bce.txt", "裴城镇", "411103103", "2023", "township"),
        ("003_72b5106183aba5ae.txt", "铁厂镇", "220503101", "2024", "township"),
        ("004_7c5d9f8f824c7124.txt", "岳普湖县", "653128", "2023", "county"),
    ];
    for (file, place, code, year, level) in expected {
        let agency = field(&reports, file, "agency").unwrap_or_default();
        assert!(agency.contains(place), "{file}: agency {agency}");
        assert_eq!(field(&reports, file, "division_code"), Some(code), "{file}");
        assert_eq!(field(&reports, file, "year"), Some(year), "{file}");
        assert_eq!(field(&reports, file, "admin_level"), Some(level), "{file}");
    }
    assert_eq!(field(&reports, "001_4db29d21e9694d8b.txt", "agency"), Some("五台县耿镇镇人民政府"));
    assert_eq!(
        field(&reports, "000_4f4f7c80275e6dc1.txt", "region"),
        Some("内蒙古自治区/巴彦淖尔市/乌拉特中旗/甘其毛都镇")
    );
    // 铁厂镇 is in five counties; the text's 通化市二道江区 decides.
    assert_eq!(field(&reports, "003_72b5106183aba5ae.txt", "county"), Some("二道江区"));
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn real_reports_match_the_manifest() {
    let Some(corpus) = crate::dataset::corpus() else { return };
    let reports = report_fields(&corpus.dataset.dir);
    let manifest = std::fs::read_to_string(corpus.dir.join("real/MANIFEST.tsv")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (file, year, agency) = (fields[0], fields[1], fields[2]);
        if !reports.contains_key(file) {
            continue; // the attachment page is a reject
        }
        assert_eq!(field(&reports, file, "year"), Some(year), "{file}");
        assert_eq!(field(&reports, file, "agency"), Some(agency), "{file}");
        checked += 1;
    }
    assert_eq!(checked, 20);
    assert_eq!(field(&reports, "shanghai-office-2019.html", "admin_level"), Some("department"));
    assert_eq!(field(&reports, "pingtan-2021.html", "division_code"), Some("350128"));
}

#[test]
fn an_ambiguous_place_gets_no_code_and_a_warning() {
    let tmp = TempDir::new("an_ambiguous_place_gets_no_code_and_a_warning");
    let input = tmp.path().join("铁厂镇.txt");
    let sample = std::fs::read_to_string(repo().join("data/samples/000002-tab_rows-gov2021.txt")).unwrap();
    let body = sample.split_once('\n').unwrap().1;
    std::fs::write(&input, format!("铁厂镇2024年政府信息公开工作年度报告\n{body}")).unwrap();
    let out = tmp.path().join("out");
    ingest(&[&input], &out);
    let reports = report_fields(&out);
    assert_eq!(field(&reports, "铁厂镇.txt", "division_code"), None);
    let warnings = field(&reports, "铁厂镇.txt", "warnings").unwrap();
    assert!(warnings.contains("agency 铁厂镇 fits 5 places"), "{warnings}");
    let codes = field(&reports, "铁厂镇.txt", "warning_codes").unwrap();
    assert_eq!(codes.lines().collect::<Vec<_>>(), ["place_ambiguous"], "{warnings}");
}

#[test]
fn a_sidecar_wins_over_guesses_and_says_where_they_differ() {
    let tmp = TempDir::new("a_sidecar_wins_over_guesses_and_says_where_they_differ");
    let samples = repo().join("data/samples");
    let csv = tmp.path().join("meta.csv");
    std::fs::write(
        &csv,
        "path,url,title,published,site,agency,year\n\
         data/samples/000002-tab_rows-gov2021.txt,https://example.gov.cn/a.html,,2024-02-01 10:00,example,岳普湖县人民政府,\n",
    )
    .unwrap();
    let jsonl = tmp.path().join("meta.jsonl");
    std::fs::write(
        &jsonl,
        "{\"path\": \"000002-tab_rows-gov2021.txt\", \"url\": \"https://example.gov.cn/b.html\", \"year\": 2020}\n",
    )
    .unwrap();

    let out = tmp.path().join("out");
    let one = samples.join("000002-tab_rows-gov2021.txt");
    let run = |meta: &Path| {
        let output = xxgk(&[
            "ingest",
            "--quiet",
            "--meta",
            meta.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            one.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        report_fields(&out)
    };
    let reports = run(&csv);
    let file = "000002-tab_rows-gov2021.txt";
    assert_eq!(field(&reports, file, "source_url"), Some("https://example.gov.cn/a.html"));
    assert_eq!(field(&reports, file, "agency"), Some("岳普湖县人民政府"));
    assert_eq!(field(&reports, file, "division_code"), Some("653128"));
    let warnings = field(&reports, file, "warnings").unwrap();
    assert!(warnings.contains("sidecar agency 岳普湖县人民政府 differs from the document's"), "{warnings}");
    let codes = field(&reports, file, "warning_codes").unwrap();
    assert!(codes.lines().any(|c| c == "sidecar_differs"), "{codes}");
    assert_eq!(codes.lines().count(), warnings.lines().count(), "{warnings}");

    // Matched by file name; the sidecar's year decides the partition.
    let reports = run(&jsonl);
    assert_eq!(field(&reports, file, "source_url"), Some("https://example.gov.cn/b.html"));
    assert_eq!(field(&reports, file, "year"), Some("2020"));
}

//! The prose against the tables: the `claims` table, the `narrative.*`
//! checks, their warnings and `xxgk check`, on the shared corpus.

use std::collections::HashMap;
use std::path::Path;

use arrow_array::{Array, BooleanArray, Float64Array, Int32Array};

use crate::validation::report_status;
use crate::{file_names, ingest, read_table, shared_corpus, strings, xxgk, TempDir};

/// Per file: (kind, quantity, value, line, scope), in document order.
type Claims = HashMap<String, Vec<(String, String, f64, i32, Option<String>)>>;

fn claims(out: &Path) -> Claims {
    let names = file_names(out);
    let mut found: Claims = HashMap::new();
    for (_, batch) in read_table(out, "claims") {
        let (ids, kinds, quantities, scopes) = (
            strings(&batch, "report_id"),
            strings(&batch, "kind"),
            strings(&batch, "quantity"),
            strings(&batch, "scope"),
        );
        let values = batch.column_by_name("value").unwrap().as_any().downcast_ref::<Float64Array>().unwrap();
        let lines = batch.column_by_name("line").unwrap().as_any().downcast_ref::<Int32Array>().unwrap();
        let approximate = batch.column_by_name("approximate").unwrap().as_any().downcast_ref::<BooleanArray>().unwrap();
        for i in 0..batch.num_rows() {
            assert!(!approximate.value(i), "no claim of the corpus is approximate");
            found.entry(names[ids.value(i)].clone()).or_default().push((
                kinds.value(i).to_string(),
                quantities.value(i).to_string(),
                values.value(i),
                lines.value(i),
                scopes.is_valid(i).then(|| scopes.value(i).to_string()),
            ));
        }
    }
    for list in found.values_mut() {
        list.sort_by(|a, b| (a.3, &a.0).cmp(&(b.3, &b.0)));
    }
    found
}

/// A narrative check: (check, prose, table, status).
type Narrative = (String, f64, Option<f64>, String);

/// Per file: its narrative checks, sorted.
fn narrative_checks(out: &Path) -> HashMap<String, Vec<Narrative>> {
    let names = file_names(out);
    let mut found: HashMap<String, Vec<_>> = HashMap::new();
    for (_, batch) in read_table(out, "checks") {
        let (ids, checks, status) = (strings(&batch, "report_id"), strings(&batch, "check"), strings(&batch, "status"));
        let number = |name: &str| batch.column_by_name(name).unwrap().as_any().downcast_ref::<Float64Array>().unwrap();
        let (lhs, rhs) = (number("lhs"), number("rhs"));
        for i in (0..batch.num_rows()).filter(|&i| checks.value(i).starts_with("narrative.")) {
            found.entry(names[ids.value(i)].clone()).or_default().push((
                checks.value(i).to_string(),
                lhs.value(i),
                rhs.is_valid(i).then(|| rhs.value(i)),
                status.value(i).to_string(),
            ));
        }
    }
    for list in found.values_mut() {
        list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }
    found
}

fn owned(rows: &[(&str, f64, Option<f64>, &str)]) -> Vec<Narrative> {
    let mut rows: Vec<_> = rows.iter().map(|&(c, l, r, s)| (format!("narrative.{c}"), l, r, s.to_string())).collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    rows
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn prose_and_tables_agree_where_the_reports_do() {
    let Some(corpus) = shared_corpus("prose_and_tables_agree_where_the_reports_do") else { return };
    let tmp = TempDir::new("prose_and_tables_agree_where_the_reports_do");
    let out = tmp.path().join("out");
    let real = corpus.join("real");
    let files =
        ["shanghai-office-2019.html", "pingtan-2021.html", "pingtan-2022.html", "pingtan-2022.pdf", "pingtan-2021.txt"];
    let paths: Vec<_> = files.iter().map(|f| real.join(f)).collect();
    ingest(&paths.iter().map(|p| p.as_path()).collect::<Vec<_>>(), &out);
    let checks = narrative_checks(&out);

    // 受理859件, 答复805件 (含上年度结转18件, 72件顺延到下年度), 复议7件, 诉讼9件:
    // all as the tables print. The outcome counts meet a 总计 column the
    // report leaves blank in the result rows: not reported, so skipped.
    assert_eq!(
        checks["shanghai-office-2019.html"],
        owned(&[
            ("requests.received", 859.0, Some(859.0), "pass"),
            ("requests.carried_over", 18.0, Some(18.0), "pass"),
            ("requests.carried_forward", 72.0, Some(72.0), "pass"),
            ("requests.handled", 805.0, Some(805.0), "pass"),
            ("requests.granted_or_partial", 258.0, None, "skipped"),
            ("requests.withheld", 35.0, None, "skipped"),
            ("requests.unavailable", 265.0, None, "skipped"),
            ("requests.not_processed", 158.0, None, "skipped"),
            ("requests.other", 0.0, Some(0.0), "pass"),
            ("appeals.review", 7.0, Some(7.0), "pass"),
            ("appeals.litigation", 9.0, Some(9.0), "pass"),
        ])
    );
    // 收到70件申请，办结69件，1件结转下年度: in the page and in its tags-stripped
    // text, where the headings run into the prose.
    let pingtan_2021 = owned(&[
        ("requests.received", 70.0, Some(70.0), "pass"),
        ("requests.handled", 69.0, Some(69.0), "pass"),
        ("requests.carried_forward", 1.0, Some(1.0), "pass"),
    ]);
    assert_eq!(checks["pingtan-2021.html"], pingtan_2021);
    assert_eq!(checks["pingtan-2021.txt"], pingtan_2021);
    // 收到75件，涉及自然人72件、商业企业3件 counts the one application carried
    // over (74 new + 1; 71 natural persons + 1).
    let pingtan_2022 = owned(&[
        ("proactive.normative_docs.in_force", 698.0, Some(698.0), "pass"),
        ("proactive.normative_docs.issued", 88.0, Some(88.0), "pass"),
        ("requests.received", 75.0, Some(75.0), "pass"),
        ("requests.received.natural_person", 72.0, Some(72.0), "pass"),
        ("requests.received.commercial", 3.0, Some(3.0), "pass"),
        ("appeals.review", 2.0, Some(2.0), "pass"),
        ("appeals.litigation", 1.0, Some(1.0), "pass"),
    ]);
    assert_eq!(checks["pingtan-2022.html"], pingtan_2022);
    assert_eq!(checks["pingtan-2022.pdf"], pingtan_2022);

    // The claims table says where each was read, and what it was read as.
    let claims = claims(&out);
    let shanghai = &claims["shanghai-office-2019.html"];
    assert_eq!(shanghai.len(), 11);
    assert!(shanghai.contains(&("requests.received".to_string(), "859".to_string(), 859.0, 1, None)), "{shanghai:?}");
    let pdf = &claims["pingtan-2022.pdf"];
    assert!(pdf.iter().all(|c| c.3 > 1 && c.4.is_none()), "{pdf:?}");
    // `xxgk explain` shows each claim beside its check.
    let explained = xxgk(&["explain", &real.join("pingtan-2021.html").display().to_string()]);
    let explained = String::from_utf8_lossy(&explained.stdout);
    let claims_explained: Vec<&str> = explained.lines().filter(|l| l.starts_with("claim ")).collect();
    assert_eq!(claims_explained.len(), 3, "{explained}");
    assert!(claims_explained[0]
        .starts_with("claim line 349: requests.received 70 against new total = 70: pass; 本年度全区共收到70件申请"));
    // No warning speaks of the prose where it agrees.
    for (file, (_, warnings)) in report_status(&out) {
        assert!(!warnings.iter().any(|w| w.contains("the prose says")), "{file}: {warnings:?}");
    }
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn a_number_the_table_contradicts_fails_its_check_with_a_warning() {
    let Some(corpus) = shared_corpus("a_number_the_table_contradicts_fails_its_check_with_a_warning") else { return };
    let tmp = TempDir::new("a_number_the_table_contradicts_fails_its_check_with_a_warning");
    let page = std::fs::read_to_string(corpus.join("real/shanghai-office-2019.html")).unwrap();
    assert!(page.contains("受理政府信息公开申请859件"));
    let input = tmp.path().join("shanghai-858.html");
    std::fs::write(&input, page.replace("受理政府信息公开申请859件", "受理政府信息公开申请858件")).unwrap();
    let out = tmp.path().join("out");
    ingest(&[&input], &out);

    let checks = narrative_checks(&out);
    let received: Vec<_> =
        checks["shanghai-858.html"].iter().filter(|c| c.0 == "narrative.requests.received").collect();
    // 858 is neither the 859 new applications nor 859 + 18 carried over.
    assert_eq!(received, [&("narrative.requests.received".to_string(), 858.0, Some(859.0), "fail".to_string())]);
    let (status, warnings) = &report_status(&out)["shanghai-858.html"];
    assert_eq!(status, "ok", "a soft check: the tables are read as well as before");
    assert!(
        warnings.iter().any(|w| w.starts_with("line 1: the prose says 858 (requests.received: ")
            && w.ends_with(
                "the table neither 859 (new total) nor 877 (new+carried_over total); \
                     check narrative.requests.received fails"
            )),
        "{warnings:?}"
    );
    let summary = xxgk(&["check", "--data", &out.display().to_string()]);
    let text = String::from_utf8_lossy(&summary.stdout);
    assert!(text.contains("prose against tables: 1 of 7 claims checked disagree, in 1 reports"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("narrative.requests.received")
            && l.contains("858")
            && l.ends_with("shanghai-858.html")),
        "{text}"
    );
}

//! The dataset on disk: a link to immutable snapshots, the identity of an
//! input, damage found before it spreads, files people put in a dataset,
//! and runs that change nothing writing nothing new.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{ingest, ingest_full, repo, xxgk, TempDir};

/// `xxgk ingest` run from `cwd`, with the paths as typed.
fn ingest_from(cwd: &Path, input: &str, out: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .current_dir(cwd)
        .args(["ingest", "--quiet", "--out", out, input])
        .output()
        .unwrap()
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

fn copy_samples(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(repo().join("data/samples")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Every file under `dir` and its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_input_is_the_same_however_its_path_is_typed() {
    let tmp = TempDir::new("an_input_is_the_same_however_its_path_is_typed");
    copy_samples(&tmp.path().join("in"));
    assert!(ingest_from(tmp.path(), "in", "out").status.success());
    let again = ingest_from(tmp.path(), "./in", "./out");
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(manifest(&tmp.path().join("out"))["this_run"]["unchanged"], 16);

    // A corrected file read under a third spelling replaces its old rows.
    let file = tmp.path().join("in/000002-tab_rows-gov2021.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text + "\n附：本报告数据截至年底。\n").unwrap();
    let absolute = tmp.path().canonicalize().unwrap().join("in");
    let third = ingest_from(Path::new("/"), absolute.to_str().unwrap(), tmp.path().join("out").to_str().unwrap());
    assert!(third.status.success(), "{}", stderr(&third));
    let out = tmp.path().join("out");
    assert_eq!(manifest(&out)["this_run"]["replaced"], 1);
    assert_eq!(manifest(&out)["counts"]["files"], 16);
    let paths = crate::report_paths(&out);
    assert_eq!(paths.len(), 16, "{paths:?}");
    assert!(paths.iter().all(|p| p.starts_with(absolute.to_str().unwrap())), "{paths:?}");
}

#[test]
fn a_link_given_as_out_updates_the_dataset_it_names() {
    let tmp = TempDir::new("a_link_given_as_out_updates_the_dataset_it_names");
    let (real, link) = (tmp.path().join("real"), tmp.path().join("link"));
    let sample = repo().join("data/samples/000001-cell_lines-gov2021.txt");
    ingest(&[&sample], &real);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    ingest(&[&repo().join("data/samples")], &link);
    assert_eq!(manifest(&real)["counts"]["files"], 16, "the target took the run");
    assert!(!tmp.path().join(".link.xxgk").exists(), "one store for both names");
    // The same lock whichever name a run is given.
    let lock = std::fs::File::create(tmp.path().join(".real.xxgk/lock")).unwrap();
    lock.try_lock().unwrap();
    let busy = xxgk(&["ingest", "--quiet", "--out", link.to_str().unwrap(), sample.to_str().unwrap()]);
    assert_eq!(busy.status.code(), Some(3), "{}", stderr(&busy));
}

#[test]
fn a_reader_keeps_its_snapshot_while_runs_commit() {
    let tmp = TempDir::new("a_reader_keeps_its_snapshot_while_runs_commit");
    let out = tmp.path().join("out");
    let sample = repo().join("data/samples/000001-cell_lines-gov2021.txt");
    ingest(&[&sample], &out);
    let opened = out.canonicalize().unwrap();
    let before = tree(&opened);
    ingest(&[&repo().join("data/samples")], &out);
    ingest_full(&[&sample], &out);
    assert_eq!(tree(&opened), before, "the snapshot a reader opened is as it was");
    assert_ne!(out.canonicalize().unwrap(), opened);
    assert_eq!(manifest(&out)["counts"]["files"], 1);
    // `xxgk vacuum` removes the snapshots no longer current.
    let vacuum = xxgk(&["vacuum", "--data", out.to_str().unwrap()]);
    assert!(vacuum.status.success(), "{}", stderr(&vacuum));
    assert!(!opened.exists());
    assert_eq!(std::fs::read_dir(tmp.path().join(".out.xxgk/snapshots")).unwrap().count(), 1);
    assert!(xxgk(&["check", "--data", out.to_str().unwrap()]).status.success());
}

#[test]
fn a_run_that_changes_nothing_writes_identical_files() {
    let tmp = TempDir::new("a_run_that_changes_nothing_writes_identical_files");
    let input = tmp.path().join("in");
    copy_samples(&input);
    let out = tmp.path().join("out");
    ingest(&[&input.join("000001-cell_lines-gov2021.txt"), &input.join("000007-cell_lines-gov2019-gbk.txt")], &out);
    ingest(&[&input], &out);
    let first = tree(&out.canonicalize().unwrap());
    for file in std::fs::read_dir(&input).unwrap() {
        // New times, same bytes: read again, nothing written anew.
        let file = std::fs::File::options().append(true).open(file.unwrap().path()).unwrap();
        file.set_modified(std::time::SystemTime::now()).unwrap();
    }
    ingest(&[&input], &out);
    let second = tree(&out.canonicalize().unwrap());
    let without_manifest = |t: &BTreeMap<PathBuf, Vec<u8>>| {
        t.iter()
            .filter(|(p, _)| *p != Path::new("manifest.json"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect::<Vec<_>>()
    };
    let (first_files, second_files) = (without_manifest(&first), without_manifest(&second));
    assert_eq!(first_files.len(), second_files.len());
    for ((path, a), (other, b)) in first_files.iter().zip(&second_files) {
        assert_eq!(path, other);
        // The inventory keeps the new times; no other file changes.
        assert!(a == b || path.ends_with("inputs.tsv"), "{} differs", path.display());
    }
    ingest(&[&input], &out);
    let third = tree(&out.canonicalize().unwrap());
    assert_eq!(without_manifest(&third), second_files, "the same run twice writes the same files");
}

#[test]
fn files_people_put_in_a_dataset_are_kept_and_strays_in_a_table_refused() {
    let tmp = TempDir::new("files_people_put_in_a_dataset_are_kept_and_strays_in_a_table_refused");
    let out = tmp.path().join("out");
    let samples = repo().join("data/samples");
    ingest(&[&samples.join("000001-cell_lines-gov2021.txt")], &out);
    std::fs::write(out.join("NOTES.md"), "why 2021 dips").unwrap();
    std::fs::create_dir_all(out.join("analysis/plots")).unwrap();
    std::fs::write(out.join("analysis/plots/a.txt"), "plot").unwrap();
    ingest(&[&samples], &out);
    ingest_full(&[&samples], &out);
    assert_eq!(std::fs::read_to_string(out.join("NOTES.md")).unwrap(), "why 2021 dips");
    assert_eq!(std::fs::read_to_string(out.join("analysis/plots/a.txt")).unwrap(), "plot");

    let before = out.canonicalize().unwrap();
    let stray = out.join("cells/year=2021/mine.parquet");
    std::fs::copy(std::fs::read_dir(out.join("cells/year=2021")).unwrap().next().unwrap().unwrap().path(), &stray)
        .unwrap();
    for flags in [&[][..], &["--full"][..]] {
        let mut args = vec!["ingest", "--quiet", "--out", out.to_str().unwrap(), samples.to_str().unwrap()];
        args.extend(flags);
        let output = xxgk(&args);
        assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
        assert!(stderr(&output).contains("cells/year=2021/mine.parquet was not written by xxgk; move it out"));
        assert_eq!(out.canonicalize().unwrap(), before, "nothing committed");
    }
    assert_eq!(xxgk(&["check", "--data", out.to_str().unwrap()]).status.code(), Some(4));
}

#[test]
fn damage_is_named_and_never_carried_forward() {
    let tmp = TempDir::new("damage_is_named_and_never_carried_forward");
    let input = tmp.path().join("in");
    copy_samples(&input);
    let out = tmp.path().join("out");
    let rebuild = |out: &Path| ingest_full(&[&input], out);
    rebuild(&out);
    let run = |out: &Path| xxgk(&["ingest", "--quiet", "--out", out.to_str().unwrap(), input.to_str().unwrap()]);
    let expect_attention = |output: Output, named: &str| {
        assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
        let message = stderr(&output);
        assert!(message.contains(named) && message.contains("--full"), "{message}");
    };

    // A Parquet file cut short, and a file of another year changed.
    let part = std::fs::read_dir(out.join("cells/year=2019")).unwrap().next().unwrap().unwrap().path();
    let name = format!("cells/year=2019/{}", part.file_name().unwrap().to_str().unwrap());
    let bytes = std::fs::read(&part).unwrap();
    // A new file: the older snapshot shares the old one as a hard link.
    std::fs::remove_file(&part).unwrap();
    std::fs::write(&part, &bytes[..bytes.len() / 2]).unwrap();
    let file = input.join("000002-tab_rows-gov2021.txt");
    std::fs::write(&file, std::fs::read_to_string(&file).unwrap() + "\n").unwrap();
    expect_attention(run(&out), &format!("{name} is damaged"));
    expect_attention(xxgk(&["check", "--data", out.to_str().unwrap()]), &name);
    rebuild(&out);
    assert!(xxgk(&["check", "--data", out.to_str().unwrap()]).status.success());

    // Each state file damaged in its own way.
    for (state, damage) in [("inputs.tsv", "cut at a line"), ("year-facts", "cut short"), ("files.tsv", "emptied")] {
        let path = out.join("_xxgk").join(state);
        let text = std::fs::read(&path).unwrap();
        let kept = match damage {
            "cut at a line" => text
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|end| text[..end].iter().rposition(|&b| b == b'\n').unwrap() + 1),
            "cut short" => Some(text.len() - 3),
            _ => Some(0),
        }
        .unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, &text[..kept]).unwrap();
        expect_attention(run(&out), &format!("_xxgk/{state} is damaged"));
        rebuild(&out);
    }
    std::fs::write(out.join("manifest.json"), "{\"tool\": \"xx").unwrap();
    expect_attention(run(&out), "manifest.json is damaged");
}

#[test]
fn the_bundled_samples_make_way_for_a_users_reports() {
    let tmp = TempDir::new("the_bundled_samples_make_way_for_a_users_reports");
    let out = tmp.path().join("out");
    ingest(&[&repo().join("data/samples")], &out);
    assert_eq!(manifest(&out)["samples_only"], true);
    let mine = tmp.path().join("my-reports");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::copy(repo().join("data/samples/000001-cell_lines-gov2021.txt"), mine.join("report.txt")).unwrap();
    let output = xxgk(&["ingest", "--out", out.to_str().unwrap(), mine.to_str().unwrap()]);
    assert!(stderr(&output).contains("held only the bundled samples"), "{}", stderr(&output));
    assert_eq!(manifest(&out)["counts"]["files"], 1, "the samples are not mixed in");
    assert_eq!(manifest(&out)["samples_only"], false);
    // Later runs add to the user's dataset as usual.
    ingest(&[&repo().join("data/samples")], &out);
    assert_eq!(manifest(&out)["counts"]["files"], 17);
}

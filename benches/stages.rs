//! Criterion benchmarks of the hot stages on synthetic reports: decode,
//! tokenize (one per layout), align (one copy of a table and 200), the whole per-document parse, and
//! Parquet encoding of a batch. `cargo bench` runs them; CI only builds them.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use xxgk::config::{self, Reference};
use xxgk::parse::tokenize::{self, Layout};
use xxgk::parse::{decode, solve};
use xxgk::report;
use xxgk::sink::{manifest::Manifest, Dataset, Intake, RunStamp, Store};
use xxgk::tools::synth;

fn reference() -> Reference {
    config::load(None).expect("configuration loads").1
}

/// The first synthetic document of each layout, as bytes.
fn documents(reference: &Reference) -> Vec<(Layout, bool, Vec<u8>)> {
    synth::LAYOUTS
        .iter()
        .map(|layout| {
            let index = synth::LAYOUTS.iter().position(|l| l == layout).unwrap_or(0);
            let doc = synth::document(reference, 1, index);
            let (bytes, ext) = synth::encode(&doc).expect("synth writes the document");
            (*layout, ext == "html", bytes)
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let reference = reference();
    let documents = documents(&reference);
    let (_, _, html) = &documents[0];

    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(html.len() as u64));
    group.bench_function("utf8_html", |b| b.iter(|| decode::decode(black_box(html))));
    let gbk = encoding_rs::GBK.encode(std::str::from_utf8(html).unwrap_or_default()).0.into_owned();
    group.bench_function("gbk_html", |b| b.iter(|| decode::decode(black_box(&gbk))));
    group.finish();

    let mut group = c.benchmark_group("tokenize");
    for (layout, is_html, bytes) in &documents {
        let text = decode::decode(bytes).text;
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(layout.as_str(), |b| b.iter(|| tokenize::tokenize(black_box(&text), *is_html)));
    }
    group.finish();

    let tokens = tokenize::tokenize(&decode::decode(html).text, true).tokens;
    c.bench_function("align/html", |b| b.iter(|| solve::solve_cells(black_box(&tokens), &reference.catalog)));
    // A file holding its tables 200 times over: locating them stays linear
    // in the labels (compare with align/tab_rows, one copy).
    if let Some((_, _, bytes)) = documents.iter().find(|(layout, ..)| *layout == Layout::TabRows) {
        let text = decode::decode(bytes).text;
        for copies in [1, 200] {
            let tokens = tokenize::tokenize(&text.repeat(copies), false).tokens;
            c.bench_function(&format!("align/tab_rows_x{copies}"), |b| {
                b.iter(|| solve::solve_cells(black_box(&tokens), &reference.catalog))
            });
        }
    }

    let mut group = c.benchmark_group("parse");
    for (layout, is_html, bytes) in &documents {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(layout.as_str(), |b| {
            b.iter(|| report::parse("bench", black_box(bytes), *is_html, None, &reference))
        });
    }
    group.finish();

    // Parquet encoding of a batch of 256 parsed reports.
    let intakes: Vec<Intake> = (0..256)
        .map(|i| {
            let doc = synth::document(&reference, 2, i);
            let (bytes, ext) = synth::encode(&doc).expect("synth writes the document");
            let outcome = report::parse(&format!("doc-{i}"), &bytes, ext == "html", None, &reference);
            Intake::Read { outcome, version: Default::default() }
        })
        .collect();
    let scratch = std::env::temp_dir().join(format!("xxgk-bench-{}", std::process::id()));
    let mut group = c.benchmark_group("sink");
    group.throughput(Throughput::Elements(intakes.len() as u64));
    group.sample_size(10);
    let store = Store::locate(&scratch.join("out")).expect("store");
    group.bench_function("parquet_256_reports", |b| {
        b.iter_batched(
            || {
                let stamp = RunStamp { ingested_at_micros: 0, parser_version: "bench" };
                Dataset::create(&store, stamp, None, &reference.catalog.templates).expect("dataset")
            },
            |mut dataset| {
                dataset.write(&intakes).expect("write");
                dataset.close_intake().expect("close");
                dataset.check_across_years().expect("across years");
                dataset.commit(Manifest::default()).expect("commit")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&scratch);
}

criterion_group!(benches, stages);
criterion_main!(benches);

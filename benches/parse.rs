//! Parse throughput on the letters of `sample-data/`, one core.
//!
//! `cargo bench --bench parse`; criterion reports MB/s (the target is
//! at least 30 MB/s on one core).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn letters() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("sample-data/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read letter");
            (p.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    let letters = letters();
    let total: usize = letters.iter().map(|(_, b)| b.len()).sum();
    // Build the lazily compiled regexes and lexicon outside the measurement.
    for (path, bytes) in &letters {
        let _ = imr_search::letter::parse_bytes(bytes, path);
    }
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("sample-data", |b| {
        b.iter(|| {
            for (path, bytes) in &letters {
                let _ = black_box(imr_search::letter::parse_bytes(black_box(bytes), path));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);

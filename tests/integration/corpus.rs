//! The corpus generator: deterministic, well formed, and parsed right.

use crate::harness::Dir;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn generate(dir: &Path, letters: u32, per_dir: u32, seed: u32) {
    let out = Command::new(env!("CARGO_BIN_EXE_imr-corpus"))
        .args([
            "--letters",
            &letters.to_string(),
            "--per-dir",
            &per_dir.to_string(),
            "--seed",
            &seed.to_string(),
            "--out",
        ])
        .arg(dir)
        .output()
        .expect("run imr-corpus");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir`, relative path to bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

#[test]
fn the_same_seed_writes_the_same_bytes_in_bounded_folders() {
    let dir = Dir::new();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    generate(&a, 300, 120, 7);
    generate(&b, 300, 120, 7);
    generate(&c, 300, 120, 8);
    let (sa, sb, sc) = (snapshot(&a), snapshot(&b), snapshot(&c));
    assert!(sa == sb, "same seed, different corpus");
    assert!(sa != sc, "another seed should write another corpus");
    // 300 letters in folders of at most 120: 120 + 120 + 60, plus a truth file each.
    let per_folder: BTreeMap<String, usize> = sa.keys().fold(BTreeMap::new(), |mut m, k| {
        if k.ends_with(".txt") {
            *m.entry(k.split('/').next().unwrap().to_string())
                .or_default() += 1;
        }
        m
    });
    assert_eq!(
        per_folder.values().copied().collect::<Vec<_>>(),
        vec![120, 120, 60]
    );
    assert_eq!(sa.keys().filter(|k| k.ends_with("truth.jsonl")).count(), 3);
}

#[test]
fn the_corpus_looks_like_the_archive_and_parses_right() {
    let dir = Dir::new();
    let out = dir.path().join("corpus");
    generate(&out, 600, 10_000, 42);
    let truth = std::fs::read_to_string(out.join("00000/truth.jsonl")).unwrap();
    let letters: Vec<Value> = truth
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(letters.len(), 600);
    let decisions: Vec<&Value> = letters
        .iter()
        .flat_map(|l| l["decisions"].as_array().unwrap())
        .collect();
    let mean = decisions.len() as f64 / letters.len() as f64;
    assert!(
        (2.2..=2.9).contains(&mean),
        "mean decisions per letter {mean}"
    );
    let per_letter: Vec<usize> = letters
        .iter()
        .map(|l| l["decisions"].as_array().unwrap().len())
        .collect();
    assert!(per_letter.iter().all(|&n| (1..=7).contains(&n)));
    let upheld = decisions
        .iter()
        .filter(|d| d["outcome"] == "upheld")
        .count() as f64
        / decisions.len() as f64;
    assert!((0.72..=0.84).contains(&upheld), "upheld share {upheld}");
    let drugs: std::collections::HashSet<&str> = decisions
        .iter()
        .filter_map(|d| d["drug"]["generic"].as_str())
        .collect();
    assert!(
        drugs.len() >= 100,
        "only {} drugs in 600 letters",
        drugs.len()
    );
    let layouts: std::collections::HashSet<&str> = letters
        .iter()
        .map(|l| l["layout"].as_str().unwrap())
        .collect();
    assert_eq!(layouts.len(), 3);

    // Every decision against the truth: at least 99.5% fully right.
    let mut right = 0;
    let mut wrong = Vec::new();
    for l in &letters {
        let id = l["letter_id"].as_str().unwrap();
        let parsed = imr_search::letter::parse_file(&out.join(format!("00000/{id}.txt")), 1 << 22)
            .map(|p| serde_json::to_value(p).unwrap());
        let Ok(parsed) = parsed else {
            wrong.push(format!("{id}: does not parse"));
            continue;
        };
        let letter_ok = ["reviewer", "patient", "case_number", "layout"]
            .iter()
            .all(|f| l[*f] == parsed[*f]);
        for (i, d) in l["decisions"].as_array().unwrap().iter().enumerate() {
            let g = &parsed["decisions"][i];
            let bad: Vec<&String> = d
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, v)| &g[k.as_str()] != *v)
                .map(|(k, _)| k)
                .collect();
            if bad.is_empty() && letter_ok {
                right += 1;
            } else {
                wrong.push(format!("{id} #{}: {bad:?} letter ok: {letter_ok}", i + 1));
            }
        }
    }
    let accuracy = right as f64 / decisions.len() as f64;
    assert!(
        accuracy >= 0.995,
        "accuracy {accuracy}: {:?}",
        &wrong[..wrong.len().min(20)]
    );
}

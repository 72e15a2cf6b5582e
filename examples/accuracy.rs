//! Parser accuracy on a generated corpus: every decision against the truth.
//!
//! ```sh
//! cargo run --release --bin imr-corpus -- --letters 20000 --out /tmp/corpus
//! cargo run --release --example accuracy -- /tmp/corpus
//! ```
//! Prints the share of decisions whose every truth field the parser got
//! right, a per-field error count and the first mismatches; exits 1 below
//! 99.5%.

use imr_search::letter::parse_file;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: accuracy CORPUS_DIR");
        std::process::exit(2);
    };
    let report = check(Path::new(&dir));
    println!(
        "letters: {}, decisions: {}, fully right: {}, accuracy: {:.3}%",
        report.letters,
        report.decisions,
        report.right,
        100.0 * report.right as f64 / report.decisions.max(1) as f64
    );
    for (field, n) in &report.errors {
        println!("  wrong {field}: {n}");
    }
    for m in report.samples.iter().take(20) {
        println!("  {m}");
    }
    if report.right * 1000 < report.decisions * 995 {
        std::process::exit(1);
    }
}

/// What [`check`] found.
#[derive(Default)]
struct Report {
    letters: usize,
    decisions: usize,
    right: usize,
    errors: BTreeMap<String, usize>,
    samples: Vec<String>,
}

fn check(dir: &Path) -> Report {
    let mut report = Report::default();
    let mut folders: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let truth = std::fs::read_to_string(folder.join("truth.jsonl")).expect("truth.jsonl");
        for line in truth.lines() {
            let t: Value = serde_json::from_str(line).expect("truth line");
            let id = t["letter_id"].as_str().unwrap_or_default();
            report.letters += 1;
            let expected = t["decisions"].as_array().cloned().unwrap_or_default();
            report.decisions += expected.len();
            let parsed = match parse_file(&folder.join(format!("{id}.txt")), 1 << 22) {
                Ok(l) => serde_json::to_value(l).expect("letter JSON"),
                Err(e) => {
                    *report
                        .errors
                        .entry("letter (failed to parse)".into())
                        .or_default() += expected.len();
                    report.samples.push(format!("{id}: {e}"));
                    continue;
                }
            };
            // Letter-level fields count against every decision of the letter.
            let mut letter_wrong = Vec::new();
            for field in ["reviewer", "patient", "case_number", "layout"] {
                if t[field] != parsed[field] {
                    letter_wrong.push(field);
                    report.samples.push(format!(
                        "{id} {field}: expected {} got {}",
                        t[field], parsed[field]
                    ));
                }
            }
            let got = parsed["decisions"].as_array().cloned().unwrap_or_default();
            for (i, e) in expected.iter().enumerate() {
                let Some(g) = got.get(i) else {
                    *report.errors.entry("decision missing".into()).or_default() += 1;
                    report.samples.push(format!("{id} #{}: missing", i + 1));
                    continue;
                };
                let mut wrong: Vec<String> = letter_wrong.iter().map(|f| f.to_string()).collect();
                for (field, ev) in e.as_object().into_iter().flatten() {
                    if &g[field] != ev {
                        wrong.push(field.clone());
                        report.samples.push(format!(
                            "{id} #{} {field}: expected {ev} got {}",
                            i + 1,
                            g[field]
                        ));
                    }
                }
                if wrong.is_empty() {
                    report.right += 1;
                }
                for w in wrong {
                    *report.errors.entry(w).or_default() += 1;
                }
            }
            if got.len() > expected.len() {
                *report.errors.entry("extra decisions".into()).or_default() +=
                    got.len() - expected.len();
            }
        }
    }
    report
}

//! Golden tests: each letter of `sample-data/` against the expected JSON in
//! `tests/golden/`, written by hand from reading the letter.

use crate::harness::{root, sample_letters};
use serde_json::Value;

/// Fields the contract names; every golden file must state them all.
const LETTER_FIELDS: &[&str] = &[
    "letter_id",
    "source_path",
    "case_number",
    "reviewer",
    "patient",
    "decisions",
];
const DECISION_FIELDS: &[&str] = &[
    "index",
    "item",
    "outcome",
    "category",
    "drug",
    "claims_administrator_guideline",
    "imr_guideline",
    "sources",
    "pages",
    "rationale",
    "medically_necessary",
];

/// Compares every field the expected value states; collects all differences.
fn compare(path: &str, expected: &Value, actual: &Value, diffs: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => compare(&p, ev, av, diffs),
                    None => diffs.push(format!("{p}: missing (expected {ev})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), ev, av, diffs);
            }
        }
        _ if expected == actual => {}
        _ => diffs.push(format!(
            "{path}:\n    expected {expected}\n    actual   {actual}"
        )),
    }
}

fn check(letter: &std::path::Path) {
    let id = letter.file_stem().unwrap().to_string_lossy().into_owned();
    let golden = root().join("tests/golden").join(format!("{id}.json"));
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
    for f in LETTER_FIELDS {
        assert!(expected.get(f).is_some(), "{id}: golden lacks {f}");
    }
    for d in expected["decisions"].as_array().unwrap() {
        for f in DECISION_FIELDS {
            assert!(d.get(f).is_some(), "{id}: golden decision lacks {f}");
        }
    }
    let rel = format!(
        "sample-data/{}",
        letter.file_name().unwrap().to_string_lossy()
    );
    let parsed = imr_search::letter::parse_file(&root().join(&rel), 1 << 22)
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let mut actual = serde_json::to_value(&parsed).unwrap();
    actual["source_path"] = Value::String(rel);
    let mut diffs = Vec::new();
    compare(&id, &expected, &actual, &mut diffs);
    let (e, a) = (&expected["decisions"], &actual["decisions"]);
    if e.as_array().map(Vec::len) != a.as_array().map(Vec::len) {
        let items = |v: &Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .map(|d| d["item"].to_string())
                .collect()
        };
        diffs.push(format!(
            "decisions: expected {:?}\n    actual {:?}",
            items(e),
            items(a)
        ));
    }
    assert!(
        diffs.is_empty(),
        "{id}: {} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn every_sample_letter_has_a_golden_file_and_matches_it() {
    let letters = sample_letters();
    assert!(
        letters.len() >= 7,
        "sample-data/ holds the 5 seeds and 2 layout letters"
    );
    let mut failures = Vec::new();
    for letter in &letters {
        if let Err(e) = std::panic::catch_unwind(|| check(letter)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(msg);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The owner's spot checks, stated here too so a golden file edited by
/// mistake cannot hide them.
#[test]
fn owners_spot_checks() {
    let parse = |id: &str| {
        imr_search::letter::parse_file(&root().join(format!("sample-data/{id}.txt")), 1 << 22)
            .unwrap()
    };
    use imr_search::model::{Outcome, Sex, Source};
    let l = parse("001_9f725823616277a3");
    let norco = &l.decisions[0];
    assert_eq!(norco.outcome, Outcome::Overturned);
    assert_eq!(norco.pages, (74..=80).collect::<Vec<_>>());
    assert_eq!(norco.sources, vec![Source::Mtus, Source::Ccr]);
    assert_eq!(l.decisions[1].sources, vec![Source::Odg, Source::Ccr]);
    let l = parse("003_ab6402283f960931");
    assert_eq!(l.patient.sex, None::<Sex>);
    assert_eq!(l.patient.injury_date.as_deref(), Some("2001-10-11"));
    let l = parse("004_f0d839e0a1819322");
    assert_eq!(
        l.reviewer.licensure,
        vec!["Pennsylvania", "Ohio", "California"]
    );
}

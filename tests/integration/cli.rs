//! The search engine end to end: the real binary on the letters of
//! `sample-data/`. Expected values come from reading the letters.

use crate::harness::Dir;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct QueryOut {
    query: String,
    total: usize,
    took_ms: f64,
    hits: Vec<Hit>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Hit {
    letter_id: String,
    decision_index: u32,
    item: String,
    outcome: String,
    drug: Option<String>,
    score: f64,
    snippet: String,
}

#[derive(Debug, Deserialize)]
struct FacetsOut {
    field: String,
    total: u64,
    buckets: Vec<Bucket>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Bucket {
    value: String,
    count: u64,
    upheld: u64,
    overturned: u64,
}

/// A temp dir with the sample letters indexed.
fn indexed() -> Dir {
    let dir = Dir::new();
    let letters = dir.with_samples();
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    dir
}

fn keys(hits: &[Hit]) -> Vec<(String, u32)> {
    hits.iter()
        .map(|h| (h.letter_id[..3].to_string(), h.decision_index))
        .collect()
}

fn k(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|(l, i)| (l.to_string(), *i)).collect()
}

#[test]
fn ambien_fda_35_days_upheld_ranks_seed_000_ambien_first() {
    let dir = indexed();
    let out: QueryOut = dir.json(&["query", "Ambien FDA 35 days", "--outcome", "upheld"]);
    assert_eq!(out.query, "Ambien FDA 35 days");
    let first = &out.hits[0];
    assert_eq!(first.letter_id, "000_2c01b65a799f327b");
    assert_eq!(first.decision_index, 2);
    assert_eq!(first.item, "AMBIEN 10MG #30");
    assert_eq!(first.drug.as_deref(), Some("zolpidem"));
    assert!(first.snippet.contains("35 days"), "{}", first.snippet);
    assert!(out.hits.iter().all(|h| h.outcome == "upheld"));
    assert!(out.total >= out.hits.len() && out.took_ms >= 0.0);
    // Ranked by score, highest first.
    assert!(out.hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn facets_by_drug_counts_every_decision_exactly() {
    let dir = indexed();
    let out: FacetsOut = dir.json(&["facets", "--by", "drug"]);
    assert_eq!(out.field, "drug");
    // 000: 3 decisions, 001: 4, 002: 3, 003: 3, 004: 3, 005: 5, 006: 4.
    assert_eq!(out.total, 25);
    let b = |v: &str, count, upheld, overturned| Bucket {
        value: v.into(),
        count,
        upheld,
        overturned,
    };
    assert_eq!(
        out.buckets,
        vec![
            // Norco in 000, 001 (overturned), 002, 004 and 005.
            b("hydrocodone/acetaminophen", 5, 4, 1),
            // Flexeril in 000, 001, 002.
            b("cyclobenzaprine", 3, 3, 0),
            b("baclofen", 2, 2, 0),
            b("zolpidem", 2, 2, 0),
            b("flurbiprofen/lidocaine", 1, 1, 0),
            b("gabapentin", 1, 0, 1),
            b("ibuprofen", 1, 0, 1),
            b("omeprazole", 1, 1, 0),
            b("oxycodone/acetaminophen", 1, 1, 0),
            b("prochlorperazine", 1, 1, 0),
            b("temazepam", 1, 1, 0),
            b("tramadol", 1, 1, 0),
            // LESI (002), TENS and physical therapy (005), MRI and urine drug screen (006).
            b("(none)", 5, 3, 2),
        ]
    );
    assert_eq!(out.buckets.iter().map(|b| b.count).sum::<u64>(), out.total);
}

#[test]
fn drug_class_narrows_the_drug_facet() {
    let dir = indexed();
    let out: FacetsOut = dir.json(&["facets", "--by", "drug", "--drug-class", "opioid"]);
    let values: Vec<(&str, u64)> = out
        .buckets
        .iter()
        .map(|b| (b.value.as_str(), b.count))
        .collect();
    assert_eq!(
        values,
        vec![
            ("hydrocodone/acetaminophen", 5),
            ("oxycodone/acetaminophen", 1),
            ("tramadol", 1)
        ]
    );
    assert_eq!(out.total, 7);
}

#[test]
fn brand_and_generic_are_the_same_drug_filter() {
    let dir = indexed();
    let by_brand: QueryOut = dir.json(&["query", "", "--drug", "ambien"]);
    let by_generic: QueryOut = dir.json(&["query", "", "--drug", "ZOLPIDEM"]);
    assert_eq!(keys(&by_brand.hits), k(&[("000", 2), ("003", 3)]));
    assert_eq!(by_brand.hits, by_generic.hits);
    let with_text: QueryOut = dir.json(&["query", "insomnia", "--drug", "Ambien"]);
    let with_text_generic: QueryOut = dir.json(&["query", "insomnia", "--drug", "zolpidem"]);
    assert_eq!(with_text.hits, with_text_generic.hits);
}

#[test]
fn a_brand_name_query_finds_rationales_that_only_name_the_generic() {
    let dir = Dir::new();
    // Seed 003 with every "Ambien" turned into "zolpidem".
    let text = std::fs::read_to_string(
        crate::harness::root().join("sample-data/003_ab6402283f960931.txt"),
    )
    .unwrap()
    .replace("Ambien", "Zolpidem");
    assert!(!text.to_lowercase().contains("ambien"));
    let letters = dir.path().join("letters");
    dir.write("letters/100_zolpidem_only.txt", text);
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    let out: QueryOut = dir.json(&["query", "ambien"]);
    assert_eq!(keys(&out.hits)[0], ("100".to_string(), 3));
}

#[test]
fn page_78_finds_every_decision_citing_it_in_a_range() {
    let dir = indexed();
    let out: QueryOut = dir.json(&["query", "", "--page", "78"]);
    // 001 cites 74-80, 002 74-75, 78-79, 004 78, 80, 005 78-80.
    assert_eq!(
        keys(&out.hits),
        k(&[("001", 1), ("002", 2), ("004", 2), ("005", 5)])
    );
    assert_eq!(out.total, 4);
}

#[test]
fn filter_only_results_are_ordered_by_letter_then_decision() {
    let dir = indexed();
    let out: QueryOut = dir.json(&["query", "", "--outcome", "overturned"]);
    assert_eq!(
        keys(&out.hits),
        k(&[("001", 1), ("004", 1), ("005", 1), ("006", 1), ("006", 4)])
    );
    let page: QueryOut = dir.json(&[
        "query",
        "",
        "--outcome",
        "overturned",
        "--offset",
        "2",
        "--limit",
        "2",
    ]);
    assert_eq!(keys(&page.hits), k(&[("005", 1), ("006", 1)]));
    assert_eq!(page.total, 5);
}

#[test]
fn phrases_and_exclusions() {
    let dir = indexed();
    let phrase: QueryOut = dir.json(&["query", "\"valid opioid agreement\""]);
    // Seed 001's case summary says it (all four of its decisions carry the
    // summary); its Norco rationale says it too, so that one ranks first.
    assert_eq!(
        keys(&phrase.hits),
        k(&[("001", 1), ("001", 2), ("001", 3), ("001", 4)])
    );
    assert!(phrase.hits[0].snippet.contains("valid opioid agreement"));
    let in_rationale: QueryOut = dir.json(&["query", "rationale:\"valid opioid agreement\""]);
    assert_eq!(keys(&in_rationale.hits), k(&[("001", 1)]));
    // Read off the letters: "functional improvement" is in these four
    // rationales (seed 003's across a line break), in no summary or item.
    let mut pairs = keys(
        &dir.json::<QueryOut>(&["query", "\"functional improvement\""])
            .hits,
    );
    pairs.sort();
    let want = k(&[("003", 1), ("004", 2), ("005", 5), ("006", 2)]);
    assert_eq!(pairs, want);
    // `~0` keeps the phrase on word positions instead of word pairs: the
    // same decisions.
    let mut positions = keys(
        &dir.json::<QueryOut>(&["query", "\"functional improvement\"~0"])
            .hits,
    );
    positions.sort();
    assert_eq!(positions, want);
    let all: QueryOut = dir.json(&["query", "baclofen"]);
    let without: QueryOut = dir.json(&["query", "baclofen -spasticity"]);
    assert!(
        without.total < all.total,
        "{} vs {}",
        without.total,
        all.total
    );
}

#[test]
fn a_case_summary_word_belongs_to_every_decision_of_its_letter() {
    let dir = indexed();
    // "severe scoliosis noted" is in seed 001's case summary and nowhere
    // else: the letter's summary is searched with each of its decisions.
    let summary: QueryOut = dir.json(&["query", "scoliosis"]);
    assert_eq!(
        keys(&summary.hits),
        k(&[("001", 1), ("001", 2), ("001", 3), ("001", 4)])
    );
    assert_eq!(summary.total, 4);
    let first = summary.hits[0].score;
    assert!(first > 0.0 && summary.hits.iter().all(|h| h.score == first));
    // "Antiemetics" is only in decision 2's (Compazine) rationale: both
    // words hold for that decision alone.
    let both: QueryOut = dir.json(&["query", "scoliosis AND antiemetics"]);
    assert_eq!(keys(&both.hits), k(&[("001", 2)]));
    let excluded: QueryOut = dir.json(&["query", "antiemetics -scoliosis"]);
    assert_eq!(excluded.total, 0);
    let everything_else: QueryOut = dir.json(&["query", "mtus -scoliosis", "--limit", "100"]);
    assert!(everything_else.total > 0);
    assert!(everything_else
        .hits
        .iter()
        .all(|h| !h.letter_id.starts_with("001")));
    // A user boost reaches inside: same decisions, three times the score.
    let boosted: QueryOut = dir.json(&["query", "scoliosis^3"]);
    assert_eq!(keys(&boosted.hits), keys(&summary.hits));
    assert!((boosted.hits[0].score - 3.0 * first).abs() < 1e-3 * first);
    let in_field: QueryOut = dir.json(&["query", "case_summary:scoliosis"]);
    assert_eq!(in_field.total, 4);
}

#[test]
fn a_second_run_reports_every_letter_unchanged_and_a_changed_letter_is_replaced() {
    let dir = Dir::new();
    let letters = dir.with_samples();
    let first = dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    assert!(
        first.contains(
            "letters seen: 7, indexed: 7, unchanged: 0, failed: 0, decisions indexed: 25"
        ),
        "{first}"
    );
    let second = dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    assert!(
        second
            .contains("letters seen: 7, indexed: 0, unchanged: 7, failed: 0, decisions indexed: 0"),
        "{second}"
    );
    // Drop seed 000's Flexeril decision: the letter now has two.
    let path = letters.join("000_2c01b65a799f327b.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.find("FLEXERIL 10MG #60").unwrap();
    std::fs::write(&path, &text[..cut]).unwrap();
    let third = dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    assert!(
        third.contains("indexed: 1, unchanged: 6, failed: 0, decisions indexed: 2"),
        "{third}"
    );
    let out: FacetsOut = dir.json(&["facets", "--by", "outcome"]);
    assert_eq!(out.total, 24);
}

#[test]
fn show_prints_the_whole_letter() {
    let dir = indexed();
    let letter: imr_search::model::Letter = dir.json(&["show", "000_2c01b65a799f327b"]);
    let items: Vec<&str> = letter.decisions.iter().map(|d| d.item.as_str()).collect();
    assert_eq!(
        items,
        vec!["NORCO 10/325MG #60", "AMBIEN 10MG #30", "FLEXERIL 10MG #60"]
    );
    assert_eq!(letter.patient.injury_date.as_deref(), Some("2012-07-13"));
    let text = dir.ok(&["show", "000_2c01b65a799f327b"]);
    assert!(text.contains("short-term management of insomnia"), "{text}");
    let missing = dir.run(&["show", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr).trim(),
        format!(
            "error: no letter with id 'nope' in the index at {}",
            dir.path().join("index").display()
        )
    );
}

#[test]
fn export_writes_one_line_per_decision() {
    let dir = indexed();
    let out = dir.ok(&["export", "--format", "ndjson"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 25);
    assert_eq!(lines[0]["letter_id"], "000_2c01b65a799f327b");
    assert_eq!(lines[0]["index"], 1);
    assert_eq!(lines[0]["drug"]["generic"], "hydrocodone/acetaminophen");
    assert_eq!(lines[0]["injury_year"], 2012);
    let per_letter: BTreeMap<String, usize> = lines.iter().fold(BTreeMap::new(), |mut m, l| {
        *m.entry(l["letter_id"].as_str().unwrap()[..3].to_string())
            .or_default() += 1;
        m
    });
    assert_eq!(
        per_letter.values().copied().collect::<Vec<_>>(),
        vec![3, 4, 3, 3, 3, 5, 4]
    );
}

#[test]
fn bad_queries_and_flags_exit_2_with_one_line() {
    let dir = indexed();
    let cases: &[(&[&str], &str)] = &[
        (
            &["query", "\"short term"],
            "error: invalid query: unbalanced quote",
        ),
        (
            &["query", "nosuchfield:x"],
            "error: invalid query: unknown field 'nosuchfield'",
        ),
        (
            &["query", "x", "--outcome", "maybe"],
            "invalid value 'maybe'",
        ),
        (&["query", "x", "--page", "-1"], "--page"),
        (
            &["query", "x", "--year", "20x5"],
            "invalid value '20x5' for '--year <YYYY>': a year of injury is four digits",
        ),
        (&["facets", "--by", "color"], "unknown facet field 'color'"),
    ];
    for (args, message) in cases {
        let out = dir.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn no_hits_is_success() {
    let dir = indexed();
    let out: QueryOut = dir.json(&["query", "xylophone"]);
    assert_eq!((out.total, out.hits.len()), (0, 0));
}

#[test]
fn parse_reports_bad_files_and_parses_the_rest() {
    let dir = Dir::new();
    let good = crate::harness::root().join("sample-data/004_f0d839e0a1819322.txt");
    let bad = dir.write("notes.txt", "Grocery list: eggs, milk.\n");
    let out = dir.run(&[
        "parse",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1);
    let letter: imr_search::model::Letter = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(letter.letter_id, "004_f0d839e0a1819322");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        format!(
            "error: {}: not an IMR determination letter (none of its section headings found)",
            bad.display()
        )
    );
}

#[test]
fn merge_leaves_one_segment_that_answers_alike() {
    let dir = Dir::new();
    let letters = dir.with_samples();
    let letters = letters.to_str().unwrap();
    let segments = |index: &str| {
        imr_search::store::Store::open(&dir.path().join(index))
            .expect("open the index")
            .searcher()
            .expect("searcher")
            .segment_readers()
            .len()
    };
    // A commit per letter leaves several segments (7 letters, 7 commits).
    let build = [
        "index",
        letters,
        "--quiet",
        "--threads",
        "2",
        "--commit-every",
        "1",
    ];
    dir.ok(&[&build[..], &["--index", "split"]].concat());
    dir.ok(&[&build[..], &["--index", "merged", "--merge"]].concat());
    assert!(
        segments("split") > 1,
        "the unmerged index has several segments"
    );
    assert_eq!(segments("merged"), 1);
    for query in [
        "Ambien FDA 35 days",
        "\"functional improvement\"",
        "norco -opioid",
    ] {
        let split: QueryOut = dir.json(&["query", query, "--index", "split"]);
        let merged: QueryOut = dir.json(&["query", query, "--index", "merged"]);
        assert_eq!(
            (split.total, &split.hits),
            (merged.total, &merged.hits),
            "{query}"
        );
    }
    let split: FacetsOut = dir.json(&["facets", "--by", "drug", "--index", "split"]);
    let merged: FacetsOut = dir.json(&["facets", "--by", "drug", "--index", "merged"]);
    assert_eq!(split.total, 25);
    assert_eq!(
        (split.total, &split.buckets),
        (merged.total, &merged.buckets)
    );
}

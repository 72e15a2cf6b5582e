//! The search engine as a library: index a folder, search, count.
//!
//! `cargo run --example search_api` indexes `sample-data/` into a temporary
//! folder and asserts what the letters say.

use imr_search::facets::{facets, FacetField};
use imr_search::indexer::{index, IndexOptions, NoProgress};
use imr_search::search::{search, Filters};
use imr_search::store::Store;
use std::sync::atomic::AtomicBool;

fn main() {
    let dir = std::env::temp_dir().join(format!("imr-search-example-{}", std::process::id()));
    let opts = IndexOptions {
        inputs: vec!["sample-data".into()],
        index_path: dir.clone(),
        rebuild: true,
        // One segment at the end: the fastest index to query.
        merge: true,
        threads: 2,
        max_bytes: imr_search::letter::DEFAULT_MAX_BYTES,
        memory_budget: 64 << 20,
        // A commit per letter leaves several segments; `merge` ends with one.
        commit_every: 1,
    };
    let summary = index(&opts, &NoProgress, &AtomicBool::new(false)).expect("index sample-data");
    println!(
        "indexed {} letters, {} decisions",
        summary.indexed, summary.decisions
    );
    assert_eq!((summary.indexed, summary.decisions), (7, 25));

    let store = Store::open(&dir).expect("open the index");
    let segments = store.searcher().expect("searcher").segment_readers().len();
    println!("{segments} segment");
    assert_eq!(segments, 1, "merge: true leaves one segment");
    let upheld = Filters {
        outcomes: vec!["upheld".parse().expect("outcome")],
        ..Filters::default()
    };
    let hits = search(&store, "Ambien FDA 35 days", &upheld, 3, 0).expect("search");
    for h in &hits.hits {
        println!(
            "{:>6.2}  {} #{}  {}",
            h.score, h.letter_id, h.decision_index, h.item
        );
    }
    assert_eq!(
        (hits.hits[0].letter_id.as_str(), hits.hits[0].decision_index),
        ("000_2c01b65a799f327b", 2)
    );

    let by_drug = facets(
        &store,
        FacetField::Drug,
        "",
        &Filters {
            drugs: vec!["Norco".into()],
            ..Filters::default()
        },
    )
    .expect("facets");
    // Norco: 000, 001 (overturned), 002, 004, 005.
    assert_eq!(by_drug.buckets[0].value, "hydrocodone/acetaminophen");
    assert_eq!(
        (by_drug.buckets[0].count, by_drug.buckets[0].overturned),
        (5, 1)
    );
    println!(
        "Norco: {} decisions, {} overturned",
        by_drug.buckets[0].count, by_drug.buckets[0].overturned
    );
    let _ = std::fs::remove_dir_all(&dir);
}

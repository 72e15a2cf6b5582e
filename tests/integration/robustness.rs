//! The parser never panics: arbitrary bytes and mangled real letters.

use crate::harness::sample_letters;
use imr_search::letter::parse_bytes;
use proptest::prelude::*;

fn letters() -> Vec<Vec<u8>> {
    sample_letters()
        .iter()
        .map(|p| std::fs::read(p).expect("read sample"))
        .collect()
}

/// One way of damaging a real letter.
#[derive(Debug, Clone)]
enum Mangle {
    Truncate(usize),
    DeleteRange(usize, usize),
    InsertBytes(usize, Vec<u8>),
    DuplicateRange(usize, usize),
    FlipByte(usize, u8),
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        any::<usize>().prop_map(Mangle::Truncate),
        (any::<usize>(), 0usize..400).prop_map(|(a, n)| Mangle::DeleteRange(a, n)),
        (
            any::<usize>(),
            prop::collection::vec(
                prop_oneof![any::<u8>(), Just(b'\n'), Just(b':'), Just(b'-'), Just(0x0c)],
                0..40
            )
        )
            .prop_map(|(a, b)| Mangle::InsertBytes(a, b)),
        (any::<usize>(), 0usize..2000).prop_map(|(a, n)| Mangle::DuplicateRange(a, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mangle::FlipByte(a, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mangle) -> Vec<u8> {
    let len = bytes.len().max(1);
    match *m {
        Mangle::Truncate(at) => bytes.truncate(at % len),
        Mangle::DeleteRange(at, n) => {
            let a = at % len;
            let b = (a + n).min(bytes.len());
            if a < b {
                bytes.drain(a..b);
            }
        }
        Mangle::InsertBytes(at, ref ins) => {
            let a = (at % len).min(bytes.len());
            bytes.splice(a..a, ins.iter().copied());
        }
        Mangle::DuplicateRange(at, n) => {
            let a = at % len;
            let b = (a + n).min(bytes.len());
            if a < b {
                let copy = bytes[a..b].to_vec();
                bytes.splice(b..b, copy);
            }
        }
        Mangle::FlipByte(at, v) => {
            if let Some(b) = bytes.get_mut(at % len) {
                *b = v;
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse_bytes(&bytes, "fuzz.txt");
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s)(Page 1 of 2|\\d{1,4}-|: Upheld|:Overturned|Decision rationale:|MAXIMUS guideline: |Page\\(s\\): [0-9, -]{0,12}|CLINICAL CASE SUMMARY|IMR ISSUES, DECISIONS AND RATIONALES|[\\x00-\\x7f]{0,20}|\n|\r\n|\x0c|é){0,80}") {
        let _ = parse_bytes(text.as_bytes(), "fuzz.txt");
    }

    #[test]
    fn mangled_letters_never_panic(which in 0usize..64, edits in prop::collection::vec(mangle(), 1..6)) {
        let all = letters();
        let mut bytes = all[which % all.len()].clone();
        for m in &edits {
            bytes = apply(bytes, m);
        }
        let _ = parse_bytes(&bytes, "mangled.txt");
    }
}

#[test]
fn a_letter_cut_mid_rationale_keeps_its_complete_decisions() {
    // Seed 000 cut inside the Flexeril rationale (its third decision).
    let bytes =
        std::fs::read(crate::harness::root().join("sample-data/000_2c01b65a799f327b.txt")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let cut = text.find("Adding").expect("the Flexeril rationale");
    let letter = parse_bytes(&text.as_bytes()[..cut], "cut.txt").expect("still a letter");
    let items: Vec<&str> = letter.decisions.iter().map(|d| d.item.as_str()).collect();
    assert_eq!(items, vec!["NORCO 10/325MG #60", "AMBIEN 10MG #30"]);
    assert!(
        letter
            .warnings
            .iter()
            .any(|w| w.contains("FLEXERIL 10MG #60") && w.contains("incomplete")),
        "{:?}",
        letter.warnings
    );
}

/// An index of the sample letters, built once for the query properties.
fn sample_store() -> &'static (tempfile::TempDir, imr_search::store::Store) {
    static STORE: std::sync::OnceLock<(tempfile::TempDir, imr_search::store::Store)> =
        std::sync::OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = imr_search::indexer::IndexOptions {
            inputs: vec![crate::harness::root().join("sample-data")],
            index_path: dir.path().join("index"),
            rebuild: false,
            merge: false,
            threads: 1,
            max_bytes: 1 << 22,
            memory_budget: 50 << 20,
            commit_every: 100,
        };
        let stop = std::sync::atomic::AtomicBool::new(false);
        imr_search::indexer::index(&opts, &imr_search::indexer::NoProgress, &stop)
            .expect("index samples");
        let store = imr_search::store::Store::open(&dir.path().join("index")).expect("open");
        (dir, store)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Any query text either runs or is refused as a bad query: never a
    /// panic, never another kind of error.
    #[test]
    fn any_query_text_runs_or_is_a_query_error(
        text in "(ambien|norco|zolpidem|\"|\\(|\\)|-|\\+|:|drug:|outcome:|rationale:|item:|AND|OR|NOT| |\\*|~|\\^|\\[|\\]|\\{|\\}|TO|é|\\\\|/|'|[a-z]{1,6}|[0-9]{1,3}){0,16}",
        limit in 0usize..30,
        offset in 0usize..30,
    ) {
        let (_, store) = sample_store();
        let filters = imr_search::search::Filters::default();
        match imr_search::search::search(store, &text, &filters, limit, offset) {
            Ok(r) => prop_assert!(r.hits.len() <= limit && r.total <= 25),
            Err(imr_search::error::Error::Query(_)) => {}
            Err(other) => prop_assert!(false, "{text:?}: {other}"),
        }
        match imr_search::facets::facets(store, imr_search::facets::FacetField::Drug, &text, &filters) {
            Ok(f) => prop_assert_eq!(f.buckets.iter().map(|b| b.count).sum::<u64>(), f.total),
            Err(imr_search::error::Error::Query(_)) => {}
            Err(other) => prop_assert!(false, "{text:?}: {other}"),
        }
    }
}

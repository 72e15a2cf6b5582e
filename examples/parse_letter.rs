//! The parser as a library: bytes in, a parsed letter out.
//!
//! `cargo run --example parse_letter [FILE]` (defaults to seed 000) prints
//! each decision and asserts what seed 000 says.

use imr_search::letter::parse_bytes;
use imr_search::model::{DrugClass, Outcome, Source};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample-data/000_2c01b65a799f327b.txt".to_string());
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let letter = parse_bytes(&bytes, &path).unwrap_or_else(|e| panic!("{path}: {e}"));
    println!(
        "{} ({} decisions)",
        letter.letter_id,
        letter.decisions.len()
    );
    for d in &letter.decisions {
        let drug = d
            .drug
            .as_ref()
            .map_or("-".to_string(), |d| format!("{} ({})", d.generic, d.class));
        println!(
            "  {}. {} -> {} | drug {} | sources {:?} | pages {:?}",
            d.index, d.item, d.outcome, drug, d.sources, d.pages
        );
    }
    if letter.letter_id == "000_2c01b65a799f327b" {
        // What the letter says, read by a person.
        let norco = &letter.decisions[0];
        assert_eq!(norco.item, "NORCO 10/325MG #60");
        assert_eq!(norco.outcome, Outcome::Upheld);
        let drug = norco.drug.as_ref().expect("Norco is a drug");
        assert_eq!(
            (drug.generic.as_str(), drug.class, drug.quantity),
            ("hydrocodone/acetaminophen", DrugClass::Opioid, Some(60))
        );
        assert_eq!(letter.decisions[1].sources, vec![Source::Mtus, Source::Fda]);
        assert_eq!(letter.patient.injury_date.as_deref(), Some("2012-07-13"));
        println!("all assertions hold");
    }
}

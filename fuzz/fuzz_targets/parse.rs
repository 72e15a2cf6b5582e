//! Feeds arbitrary bytes to the letter parser: it must never panic.
//!
//! `cargo fuzz run parse -- -max_total_time=600` (see the README).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(letter) = imr_search::letter::parse_bytes(data, "fuzz.txt") {
        // Invariants every parsed letter keeps.
        assert!(!letter.decisions.is_empty());
        for (i, d) in letter.decisions.iter().enumerate() {
            assert_eq!(d.index as usize, i + 1);
            assert!(!d.item.is_empty());
            assert!(d.pages.windows(2).all(|w| w[0] < w[1]));
        }
    }
});

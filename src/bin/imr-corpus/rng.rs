//! A small deterministic random number generator (SplitMix64).
//!
//! The corpus must be byte-identical for a seed whatever the thread count,
//! so each letter gets its own generator from (seed, letter number).

/// SplitMix64: fast, well distributed, and enough for test data.
pub struct Rng(u64);

impl Rng {
    /// The generator of one letter.
    pub fn for_letter(seed: u64, number: u64) -> Rng {
        let mut r = Rng(seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

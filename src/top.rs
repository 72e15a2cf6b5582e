//! The best hits by score, every hit tied with the last of them included.
//!
//! Hits are ordered by score, then letter id: a page's last place can be
//! disputed by many hits of one score (a one-word query over rationales of
//! similar length: `ambien` has four hits at 32.500107 around its tenth
//! place). tantivy's `TopDocs` keeps `n` and drops the rest of a tie
//! arbitrarily, so the search used to run again for twice as many until
//! the cut fell between two scores. [`Best`] keeps the tie in the same
//! pass. On 100,000 letters (two segments, binaries alternated, 15 runs,
//! a VM running twice as slow as usual) took_ms `ambien` 2.27 -> 1.68 ms,
//! `medically` 3.40 -> 2.04 ms, `"short-term"` 2.00 -> 1.50 ms; queries
//! whose cut did not tie are unchanged.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// A hit ordered by score alone, for the heap of the best `n`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ByScore(Score, DocAddress);

impl Eq for ByScore {}

impl PartialOrd for ByScore {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByScore {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The best `n` hits seen, plus every hit scoring the same as the worst of
/// them: all the hits whose score is at least the `n`-th best.
#[derive(Debug, Clone)]
pub struct Best {
    n: usize,
    /// A min-heap: the worst of the best `n` on top.
    heap: BinaryHeap<Reverse<ByScore>>,
    /// Hits outside the heap scoring exactly the heap's minimum.
    ties: Vec<(Score, DocAddress)>,
    /// The heap's minimum once it holds `n` (kept in step with the heap on
    /// every push that fills or changes it), minus infinity before: most
    /// hits of a long match list score under it and are refused by this
    /// one comparison (`Ambien FDA 35 days` offers 26,757).
    cut: Score,
}

impl Best {
    /// Keeps the best `n` (and their ties); `n == 0` keeps nothing.
    pub fn new(n: usize) -> Best {
        Best {
            n,
            heap: BinaryHeap::with_capacity(n.saturating_add(1).min(1 << 16)),
            ties: Vec::new(),
            cut: Score::NEG_INFINITY,
        }
    }

    /// The score a hit must reach to be kept, once `n` are held: hits
    /// scoring the same as the worst are kept too.
    pub fn floor(&self) -> Option<Score> {
        (self.heap.len() == self.n && self.n > 0).then_some(self.cut)
    }

    /// Offers a hit.
    pub fn push(&mut self, score: Score, addr: DocAddress) {
        if score < self.cut || self.n == 0 {
            return;
        }
        if self.heap.len() < self.n {
            self.heap.push(Reverse(ByScore(score, addr)));
            if self.heap.len() == self.n {
                self.cut = self.heap.peek().map_or(Score::NEG_INFINITY, |w| w.0 .0);
            }
            return;
        }
        // The heap is full: `cut` is its worst.
        match score.total_cmp(&self.cut) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => self.ties.push((score, addr)),
            std::cmp::Ordering::Greater => {
                self.heap.push(Reverse(ByScore(score, addr)));
                let Some(Reverse(out)) = self.heap.pop() else {
                    return;
                };
                let new_worst = self.heap.peek().map_or(out.0, |w| w.0 .0);
                self.cut = new_worst;
                if out.0.total_cmp(&new_worst).is_eq() {
                    // Still a tie with the worst kept.
                    self.ties.push((out.0, out.1));
                } else {
                    // The floor rose: the old ties fall below it.
                    self.ties.clear();
                }
            }
        }
    }

    /// Adds everything another `Best` kept (segments merged).
    pub fn merge(&mut self, other: Best) {
        for Reverse(h) in other.heap {
            self.push(h.0, h.1);
        }
        for (score, addr) in other.ties {
            self.push(score, addr);
        }
    }

    /// The hits kept, best first (ties in no particular order).
    pub fn into_sorted(self) -> Vec<(Score, DocAddress)> {
        let mut top: Vec<(Score, DocAddress)> = self
            .heap
            .into_iter()
            .map(|Reverse(h)| (h.0, h.1))
            .chain(self.ties)
            .collect();
        top.sort_by(|a, b| b.0.total_cmp(&a.0));
        top
    }
}

/// A collector counting every match and keeping the [`Best`] `n` by score
/// with their ties, in one pass.
pub struct CountAndBest {
    /// How many hits to keep (before ties).
    pub n: usize,
}

/// One segment's share of [`CountAndBest`].
pub struct SegmentBest {
    segment: SegmentOrdinal,
    count: usize,
    best: Best,
}

impl Collector for CountAndBest {
    type Fruit = (usize, Best);
    type Child = SegmentBest;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentBest> {
        Ok(SegmentBest {
            segment,
            count: 0,
            best: Best::new(self.n),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<(usize, Best)>) -> tantivy::Result<(usize, Best)> {
        let mut count = 0;
        let mut best = Best::new(self.n);
        for (c, b) in fruits {
            count += c;
            best.merge(b);
        }
        Ok((count, best))
    }
}

impl SegmentCollector for SegmentBest {
    type Fruit = (usize, Best);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        self.best.push(score, DocAddress::new(self.segment, doc));
    }

    fn harvest(self) -> (usize, Best) {
        (self.count, self.best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(doc: u32) -> DocAddress {
        DocAddress::new(0, doc)
    }

    fn kept(best: Best) -> Vec<(Score, u32)> {
        let mut v: Vec<(Score, u32)> = best
            .into_sorted()
            .into_iter()
            .map(|(s, a)| (s, a.doc_id))
            .collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        v
    }

    #[test]
    fn keeps_the_best_n_and_every_tie_at_the_cut() {
        let mut best = Best::new(2);
        for (doc, score) in [(0, 1.0), (1, 3.0), (2, 2.0), (3, 2.0), (4, 0.5), (5, 2.0)] {
            best.push(score, addr(doc));
        }
        assert_eq!(best.floor(), Some(2.0));
        assert_eq!(kept(best), [(3.0, 1), (2.0, 2), (2.0, 3), (2.0, 5)]);
    }

    #[test]
    fn a_rising_floor_drops_the_old_ties() {
        let mut best = Best::new(2);
        for (doc, score) in [(0, 1.0), (1, 1.0), (2, 1.0), (3, 5.0), (4, 4.0)] {
            best.push(score, addr(doc));
        }
        // 1.0 was the cut (three hits); 5.0 and 4.0 pushed it out.
        assert_eq!(kept(best), [(5.0, 3), (4.0, 4)]);
    }

    #[test]
    fn a_hit_pushed_out_that_still_ties_stays() {
        let mut best = Best::new(2);
        for (doc, score) in [(0, 2.0), (1, 2.0), (2, 3.0)] {
            best.push(score, addr(doc));
        }
        // 3.0 pushes one 2.0 out of the heap, but 2.0 is still the cut.
        assert_eq!(kept(best), [(3.0, 2), (2.0, 0), (2.0, 1)]);
    }

    #[test]
    fn merging_segments_equals_one_pass_over_all() {
        let scores = [4.0, 1.0, 3.0, 3.0, 2.0, 3.0, 0.0, 4.0, 3.0];
        let mut one = Best::new(3);
        let (mut left, mut right) = (Best::new(3), Best::new(3));
        for (doc, &s) in scores.iter().enumerate() {
            one.push(s, addr(doc as u32));
            let side = if doc % 2 == 0 { &mut left } else { &mut right };
            side.push(s, addr(doc as u32));
        }
        left.merge(right);
        assert_eq!(kept(left), kept(one.clone()));
        assert_eq!(
            kept(one),
            [(4.0, 0), (4.0, 7), (3.0, 2), (3.0, 3), (3.0, 5), (3.0, 8)]
        );
    }

    #[test]
    fn matches_sorting_everything_on_many_ties() {
        // Scores from a small set, so that ties at the cut are common, in
        // a scrambled order (a linear congruential sequence).
        let mut x: u32 = 12345;
        let scores: Vec<Score> = (0..2000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                ((x >> 16) % 40) as Score * 0.25
            })
            .collect();
        for n in [1, 3, 10, 57] {
            let mut best = Best::new(n);
            for (doc, &s) in scores.iter().enumerate() {
                best.push(s, addr(doc as u32));
            }
            let mut sorted = scores.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let cut = sorted[n - 1];
            let mut want: Vec<(Score, u32)> = scores
                .iter()
                .enumerate()
                .filter(|(_, &s)| s >= cut)
                .map(|(d, &s)| (s, d as u32))
                .collect();
            want.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            assert_eq!(best.floor(), Some(cut), "n = {n}");
            assert_eq!(kept(best), want, "n = {n}");
        }
    }

    #[test]
    fn n_zero_keeps_nothing() {
        let mut best = Best::new(0);
        best.push(1.0, addr(0));
        assert_eq!(best.floor(), None);
        assert!(best.into_sorted().is_empty());
    }
}

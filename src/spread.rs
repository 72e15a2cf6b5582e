//! Letter-level matches spread over every decision of the letter.
//!
//! A letter's case summary ("The injured worker is a 52 year old female who
//! reported an industrial injury on 3/4/2011...") belongs to all of its
//! decisions, but indexing it on each of them (2.6 copies on average) cost
//! a third of the index build. It is indexed once, on decision 1, and a
//! query on it is wrapped in a [`SpreadQuery`]: whenever the inner query
//! matches decision 1 of a letter, every decision of that letter matches,
//! with decision 1's score.
//!
//! This relies on how the indexer writes a letter: its decisions in one
//! batch, in order, so they are contiguous in a segment (merges keep the
//! order) and their `decision_index` fast values run 1, 2, 3... A letter
//! starts where the value is 1.

use std::fmt;
use std::sync::Arc;
use tantivy::columnar::ColumnValues;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TantivyError, Term, TERMINATED};

/// The fast column holding each decision's 1-based position in its letter.
const POSITION_COLUMN: &str = "decision_index";

/// Matches every decision of each letter whose first decision `inner` matches.
pub struct SpreadQuery {
    inner: Box<dyn Query>,
}

impl SpreadQuery {
    /// Spreads `inner` (a query on a field indexed on decision 1 only).
    pub fn new(inner: Box<dyn Query>) -> Self {
        SpreadQuery { inner }
    }
}

impl Clone for SpreadQuery {
    fn clone(&self) -> Self {
        SpreadQuery {
            inner: self.inner.box_clone(),
        }
    }
}

impl fmt::Debug for SpreadQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Spread({:?})", self.inner)
    }
}

impl Query for SpreadQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = match enable_scoring.searcher() {
            Some(searcher) if enable_scoring.is_scoring_enabled() => {
                let stats = LetterStatistics { searcher };
                self.inner
                    .weight(EnableScoring::enabled_from_statistics_provider(
                        &stats, searcher,
                    ))?
            }
            _ => self.inner.weight(enable_scoring)?,
        };
        Ok(Box::new(SpreadWeight { inner }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

/// BM25 statistics of a field indexed once per letter: documents are
/// counted as letters (decision 1s), so a word in every case summary gets
/// an idf near zero, as when the summary was copied onto every decision,
/// and the average summary length is over the letters, not the decisions.
struct LetterStatistics<'a> {
    searcher: &'a Searcher,
}

impl Bm25StatisticsProvider for LetterStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        let field = self.searcher.schema().get_field(POSITION_COLUMN)?;
        let letters = self.searcher.doc_freq(&Term::from_field_u64(field, 1))?;
        Ok(letters.max(1))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

struct SpreadWeight {
    inner: Box<dyn Weight>,
}

impl SpreadWeight {
    fn spread_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<SpreadScorer> {
        let positions = reader
            .fast_fields()
            .u64(POSITION_COLUMN)?
            .first_or_default_col(0);
        Ok(SpreadScorer::new(
            self.inner.scorer(reader, boost)?,
            positions,
            reader.max_doc(),
        ))
    }
}

impl Weight for SpreadWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.spread_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.spread_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let first = scorer.inner.doc();
        let mut explanation = Explanation::new_with_string(
            format!("letter-level match, from its decision 1 (document {first})"),
            scorer.score(),
        );
        explanation.add_detail(self.inner.explain(reader, first)?);
        Ok(explanation)
    }
}

/// Walks the inner matches (decision 1 of some letters) and yields each of
/// them followed by the rest of its letter.
struct SpreadScorer {
    inner: Box<dyn Scorer>,
    positions: Arc<dyn ColumnValues<u64>>,
    max_doc: DocId,
    /// The current document: in `inner.doc() .. end`, or TERMINATED.
    doc: DocId,
    /// One past the last decision of the current letter.
    end: DocId,
    /// The inner score of the current letter, computed on first use.
    score: Option<Score>,
}

impl SpreadScorer {
    fn new(inner: Box<dyn Scorer>, positions: Arc<dyn ColumnValues<u64>>, max_doc: DocId) -> Self {
        let mut scorer = SpreadScorer {
            inner,
            positions,
            max_doc,
            doc: TERMINATED,
            end: TERMINATED,
            score: None,
        };
        let first = scorer.inner.doc();
        scorer.enter(first);
        scorer
    }

    /// Makes the letter starting at inner match `d` current.
    fn enter(&mut self, d: DocId) {
        self.score = None;
        if d == TERMINATED || d >= self.max_doc {
            self.doc = TERMINATED;
            self.end = TERMINATED;
            return;
        }
        let mut position = self.positions.get_val(d);
        let mut end = d + 1;
        while end < self.max_doc {
            let next = self.positions.get_val(end);
            if next != position + 1 {
                break;
            }
            position = next;
            end += 1;
        }
        self.doc = d;
        self.end = end;
    }

    /// The first document of the letter holding `doc`.
    fn letter_start(&self, doc: DocId) -> DocId {
        let position = self.positions.get_val(doc).max(1);
        doc.saturating_sub(u32::try_from(position - 1).unwrap_or(u32::MAX))
    }
}

impl DocSet for SpreadScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if self.doc + 1 < self.end {
            self.doc += 1;
            return self.doc;
        }
        let next = self.inner.seek(self.end);
        self.enter(next);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if target < self.end {
            self.doc = target;
            return target;
        }
        if target >= self.max_doc {
            self.inner.seek(TERMINATED);
            self.enter(TERMINATED);
            return TERMINATED;
        }
        // The letter holding `target` may start before it.
        let start = self.letter_start(target).max(self.end);
        let mut next = self.inner.seek(start);
        loop {
            self.enter(next);
            if self.doc == TERMINATED || self.end > target {
                break;
            }
            next = self.inner.advance();
        }
        if self.doc < target {
            self.doc = target;
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint().saturating_mul(3).min(self.max_doc)
    }

    fn cost(&self) -> u64 {
        self.inner.cost().saturating_mul(3)
    }
}

impl Scorer for SpreadScorer {
    fn score(&mut self) -> Score {
        match self.score {
            Some(s) => s,
            None => {
                let s = self.inner.score();
                self.score = Some(s);
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{DocSetCollector, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, FAST, INDEXED, STRING};
    use tantivy::{doc, DocAddress, Index, IndexWriter};

    /// Letters of 3, 1 and 2 decisions; `word` on decision 1 of letters a and c.
    fn index() -> (Index, tantivy::schema::Field) {
        let mut builder = Schema::builder();
        let position = builder.add_u64_field(POSITION_COLUMN, FAST | INDEXED);
        let word = builder.add_text_field("word", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (n, w) in [(3u64, "x"), (1, "y"), (2, "x")] {
            for i in 1..=n {
                let mut d = doc!(position => i);
                if i == 1 {
                    d.add_text(word, w);
                }
                writer.add_document(d).unwrap();
            }
        }
        writer.commit().unwrap();
        (index, word)
    }

    fn spread(word: tantivy::schema::Field, w: &str) -> SpreadQuery {
        SpreadQuery::new(Box::new(TermQuery::new(
            Term::from_field_text(word, w),
            IndexRecordOption::Basic,
        )))
    }

    fn docs(index: &Index, q: &dyn Query) -> Vec<u32> {
        let searcher = index.reader().unwrap().searcher();
        let mut docs: Vec<u32> = searcher
            .search(q, &DocSetCollector)
            .unwrap()
            .into_iter()
            .map(|a: DocAddress| a.doc_id)
            .collect();
        docs.sort_unstable();
        docs
    }

    #[test]
    fn a_first_decision_match_covers_its_whole_letter() {
        let (index, word) = index();
        assert_eq!(docs(&index, &spread(word, "x")), vec![0, 1, 2, 4, 5]);
        assert_eq!(docs(&index, &spread(word, "y")), vec![3]);
        assert!(docs(&index, &spread(word, "z")).is_empty());
    }

    #[test]
    fn seek_lands_inside_a_letter_that_started_before_the_target() {
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        let weight = spread(word, "x")
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let reader = searcher.segment_reader(0);
        let mut s = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(s.doc(), 0);
        assert_eq!(s.seek(1), 1);
        assert_eq!(s.seek(3), 4, "letter b (doc 3) does not match");
        assert_eq!(s.advance(), 5);
        assert_eq!(s.advance(), TERMINATED);
        let mut s = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(s.seek(5), 5, "doc 5 is decision 2 of letter c");
        assert_eq!(s.seek(9), TERMINATED);
    }

    #[test]
    fn every_decision_of_a_letter_scores_like_its_first() {
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        let top = searcher
            .search(
                &spread(word, "x"),
                &TopDocs::with_limit(10).order_by_score(),
            )
            .unwrap();
        assert_eq!(top.len(), 5);
        assert!(top.iter().all(|(s, _)| *s == top[0].0 && *s > 0.0));
    }

    #[test]
    fn idf_counts_letters_not_decisions() {
        // Three letters (six decisions); "x" is on two of them. Over letters
        // BM25's idf is ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6; over the
        // six decisions it would be ln(1 + 4.5 / 2.5) = ln 2.8.
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        let e = spread(word, "x")
            .explain(&searcher, DocAddress::new(0, 0))
            .unwrap()
            .to_pretty_json();
        let idf = 1.6f32.ln();
        assert!(e.contains(&format!("{idf}")), "{e}");
    }

    #[test]
    fn explain_names_the_first_decision() {
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        let e = spread(word, "x")
            .explain(&searcher, DocAddress::new(0, 2))
            .unwrap();
        assert!(e.to_pretty_json().contains("document 0"));
        assert!(spread(word, "x")
            .explain(&searcher, DocAddress::new(0, 3))
            .is_err());
    }
}

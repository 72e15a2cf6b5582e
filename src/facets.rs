//! Facet counts: exact per-value counts over matching decisions, each split
//! into upheld and overturned, computed from fast columns (no stored
//! documents are read).

use crate::error::Result;
use crate::search::{build, Filters};
use crate::store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Instant;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The value decisions without one are counted under.
pub const NONE_VALUE: &str = "(none)";

/// A field `facets --by` can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetField {
    /// Canonical generic.
    Drug,
    /// Drug class.
    DrugClass,
    /// Item category.
    Category,
    /// Upheld or overturned.
    Outcome,
    /// Reviewer specialty.
    Specialty,
    /// Guideline body.
    Source,
    /// Guideline page.
    Page,
    /// Reviewer licensure state.
    State,
    /// Year of injury.
    Year,
}

impl FacetField {
    /// Every field, in contract order.
    pub const ALL: [FacetField; 9] = [
        FacetField::Drug,
        FacetField::DrugClass,
        FacetField::Category,
        FacetField::Outcome,
        FacetField::Specialty,
        FacetField::Source,
        FacetField::Page,
        FacetField::State,
        FacetField::Year,
    ];

    /// The contract's spelling (`drug-class`).
    pub fn as_str(self) -> &'static str {
        match self {
            FacetField::Drug => "drug",
            FacetField::DrugClass => "drug-class",
            FacetField::Category => "category",
            FacetField::Outcome => "outcome",
            FacetField::Specialty => "specialty",
            FacetField::Source => "source",
            FacetField::Page => "page",
            FacetField::State => "state",
            FacetField::Year => "year",
        }
    }

    /// The index column counted.
    fn column(self) -> &'static str {
        match self {
            FacetField::DrugClass => "drug_class",
            other => other.as_str(),
        }
    }

    fn numeric(self) -> bool {
        matches!(self, FacetField::Page | FacetField::Year)
    }
}

impl fmt::Display for FacetField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FacetField {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        FacetField::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = FacetField::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown facet field '{s}': expected one of {}",
                    all.join(", ")
                )
            })
    }
}

/// One value's counts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Bucket {
    /// The value (numbers as text; `(none)` for decisions without one).
    pub value: String,
    /// Decisions with this value.
    pub count: u64,
    /// Of which upheld.
    pub upheld: u64,
    /// Of which overturned.
    pub overturned: u64,
}

/// The contract's `facets --json` object.
#[derive(Debug, Clone, Serialize)]
pub struct FacetResult {
    /// The field counted.
    pub field: String,
    /// Matching decisions.
    pub total: u64,
    /// In-process time in milliseconds.
    pub took_ms: f64,
    /// Sorted by count, highest first, then value; `(none)` last.
    pub buckets: Vec<Bucket>,
}

/// Counts `field` over the decisions matching `text` and `filters`.
pub fn facets(
    store: &Store,
    field: FacetField,
    text: &str,
    filters: &Filters,
) -> Result<FacetResult> {
    let started = Instant::now();
    let request = build(store, text, filters)?;
    let searcher = store.searcher()?;
    let counts = searcher
        .search(&request.query, &FacetCollector { field })
        .map_err(crate::search::run_error("facet count failed"))?;
    let mut buckets: Vec<Bucket> = counts
        .by_value
        .into_iter()
        .map(|(value, [upheld, overturned])| Bucket {
            value,
            count: upheld + overturned,
            upheld,
            overturned,
        })
        .collect();
    let numeric = field.numeric();
    // By count, then value; the `(none)` bucket always comes last.
    buckets.sort_by(|a, b| {
        let none = |x: &Bucket| x.value == NONE_VALUE;
        none(a)
            .cmp(&none(b))
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| {
                if numeric {
                    let n = |v: &str| v.parse::<u64>().unwrap_or(u64::MAX);
                    n(&a.value).cmp(&n(&b.value))
                } else {
                    a.value.cmp(&b.value)
                }
            })
    });
    Ok(FacetResult {
        field: field.as_str().to_string(),
        total: counts.total,
        took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
        buckets,
    })
}

/// Counts per value: `[upheld, overturned]`.
#[derive(Debug, Default)]
pub struct Counts {
    /// Value → [upheld, overturned].
    pub by_value: HashMap<String, [u64; 2]>,
    /// Matching decisions.
    pub total: u64,
}

/// A tantivy collector counting one fast column split by outcome.
pub struct FacetCollector {
    /// The field counted.
    pub field: FacetField,
}

/// The values of the counted column in one segment.
enum Values {
    Str(Option<StrColumn>),
    Num(Column<u64>),
}

/// Per-segment state: counts by term ordinal (strings) or value (numbers).
pub struct FacetSegment {
    values: Values,
    /// For single-valued columns: the ordinal column, read a block at a time.
    single: Option<Column<u64>>,
    outcome_ords: Option<Column<u64>>,
    buf_value: Vec<Option<u64>>,
    buf_outcome: Vec<Option<u64>>,
    /// Outcome column and which ordinal means overturned.
    outcome: Option<StrColumn>,
    overturned_ord: Option<u64>,
    by_ord: Vec<[u64; 2]>,
    by_num: HashMap<u64, [u64; 2]>,
    /// Dense counts for numbers up to the column's maximum (if small).
    dense: Vec<[u64; 2]>,
    none: [u64; 2],
    total: u64,
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        let values = if self.field.numeric() {
            Values::Num(ff.u64(self.field.column())?)
        } else {
            Values::Str(ff.str(self.field.column())?)
        };
        let outcome = ff.str("outcome")?;
        let mut overturned_ord = None;
        if let Some(col) = &outcome {
            let mut s = String::new();
            for ord in 0..col.num_terms() as u64 {
                if col.ord_to_str(ord, &mut s)? && s == "overturned" {
                    overturned_ord = Some(ord);
                }
            }
        }
        let terms = match &values {
            Values::Str(Some(c)) => c.num_terms(),
            _ => 0,
        };
        let single = match &values {
            Values::Str(Some(c)) if c.ords().get_cardinality() != Cardinality::Multivalued => {
                Some(c.ords().clone())
            }
            Values::Num(c) if c.get_cardinality() != Cardinality::Multivalued => Some(c.clone()),
            _ => None,
        };
        let dense = match &values {
            Values::Num(c) if c.max_value() < 10_000 => vec![[0, 0]; c.max_value() as usize + 1],
            _ => Vec::new(),
        };
        Ok(FacetSegment {
            dense,
            single,
            outcome_ords: outcome.as_ref().map(|c| c.ords().clone()),
            buf_value: Vec::new(),
            buf_outcome: Vec::new(),
            values,
            outcome,
            overturned_ord,
            by_ord: vec![[0, 0]; terms],
            by_num: HashMap::new(),
            none: [0, 0],
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::default();
        for fruit in fruits {
            all.total += fruit.total;
            for (value, [u, o]) in fruit.by_value {
                let slot = all.by_value.entry(value).or_insert([0, 0]);
                slot[0] += u;
                slot[1] += o;
            }
        }
        Ok(all)
    }
}

impl FacetSegment {
    fn count(&mut self, value: Option<u64>, side: usize) {
        let Some(v) = value else {
            self.none[side] += 1;
            return;
        };
        match &self.values {
            Values::Str(_) => {
                if let Some(slot) = self.by_ord.get_mut(v as usize) {
                    slot[side] += 1;
                }
            }
            Values::Num(_) => self.count_num(v, side),
        }
    }

    /// Numbers (pages, years) count in a dense table when small.
    fn count_num(&mut self, v: u64, side: usize) {
        match self.dense.get_mut(v as usize) {
            Some(slot) => slot[side] += 1,
            None => self.by_num.entry(v).or_insert([0, 0])[side] += 1,
        }
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Counts;

    /// Single-valued columns (drug, class, category, outcome, year) are read
    /// a block of documents at a time: the hot path of `facets --by drug`.
    fn collect_block(&mut self, docs: &[DocId]) {
        let (Some(single), Some(outcome)) = (self.single.clone(), self.outcome_ords.clone()) else {
            for &doc in docs {
                self.collect(doc, 0.0);
            }
            return;
        };
        self.total += docs.len() as u64;
        self.buf_value.resize(docs.len(), None);
        self.buf_outcome.resize(docs.len(), None);
        single.first_vals(docs, &mut self.buf_value);
        outcome.first_vals(docs, &mut self.buf_outcome);
        let overturned = self.overturned_ord;
        for i in 0..docs.len() {
            let side =
                usize::from(self.buf_outcome[i].is_some() && self.buf_outcome[i] == overturned);
            let value = self.buf_value[i];
            self.count(value, side);
        }
    }

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        let side = match (&self.outcome, self.overturned_ord) {
            (Some(col), Some(ot)) => usize::from(col.term_ords(doc).next() == Some(ot)),
            _ => 0,
        };
        let mut any = false;
        match &self.values {
            Values::Str(Some(col)) => {
                let mut last = None;
                for ord in col.term_ords(doc) {
                    // Values of one document come sorted: count each once.
                    if last == Some(ord) {
                        continue;
                    }
                    last = Some(ord);
                    if let Some(slot) = self.by_ord.get_mut(ord as usize) {
                        slot[side] += 1;
                        any = true;
                    }
                }
            }
            Values::Str(None) => {}
            Values::Num(col) => {
                let mut last = None;
                for v in col.values_for_doc(doc) {
                    if last == Some(v) {
                        continue;
                    }
                    last = Some(v);
                    any = true;
                    match self.dense.get_mut(v as usize) {
                        Some(slot) => slot[side] += 1,
                        None => self.by_num.entry(v).or_insert([0, 0])[side] += 1,
                    }
                }
            }
        }
        if !any {
            self.none[side] += 1;
        }
    }

    fn harvest(self) -> Counts {
        let mut by_value: HashMap<String, [u64; 2]> = HashMap::new();
        if let Values::Str(Some(col)) = &self.values {
            // One sequential pass over the dictionary for all counted
            // ordinals (ord_to_str per ordinal re-reads a block each time).
            let ords: Vec<u64> = (0..self.by_ord.len() as u64)
                .filter(|&o| self.by_ord[o as usize] != [0, 0])
                .collect();
            let mut names = Vec::with_capacity(ords.len());
            let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                names.push(String::from_utf8_lossy(bytes).into_owned());
            });
            for (ord, name) in ords.iter().zip(names) {
                let counts = self.by_ord[*ord as usize];
                let slot = by_value.entry(name).or_insert([0, 0]);
                slot[0] += counts[0];
                slot[1] += counts[1];
            }
        }
        for (v, counts) in self.dense.iter().enumerate() {
            if *counts != [0, 0] {
                by_value.insert(v.to_string(), *counts);
            }
        }
        for (v, counts) in self.by_num {
            by_value.insert(v.to_string(), counts);
        }
        if self.none[0] + self.none[1] > 0 {
            by_value.insert(NONE_VALUE.to_string(), self.none);
        }
        Counts {
            by_value,
            total: self.total,
        }
    }
}

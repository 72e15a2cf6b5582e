//! Querying: the query language, filters, ranking and snippets.
//!
//! Text is parsed by tantivy's query parser over the rationale (weighted
//! highest), the item and the case summary. Drug names are expanded first, so
//! that `ambien` also finds rationales that only say `zolpidem`.

use crate::error::{Error, Result};
use crate::lexicon::lookup_drug;
use crate::model::{Category, DrugClass, Outcome, Source};
use crate::schema::Fields;
use crate::store::Store;
use crate::top::{Best, CountAndBest};
use rustc_hash::FxHashSet;
use serde::Serialize;
use std::collections::HashSet;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery, TermSetQuery,
};
use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize,
    ValueDeserializer, ValueVisitor,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TokenizerManager;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

/// Filters shared by `query`, `facets` and `export`: AND across fields, OR
/// within one field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// `--outcome`
    pub outcomes: Vec<Outcome>,
    /// `--drug` as given (brand or generic, any case).
    pub drugs: Vec<String>,
    /// `--drug-class`
    pub drug_classes: Vec<DrugClass>,
    /// `--category`
    pub categories: Vec<Category>,
    /// `--specialty`
    pub specialties: Vec<String>,
    /// `--source`
    pub sources: Vec<Source>,
    /// `--page`
    pub pages: Vec<u32>,
    /// `--state`
    pub states: Vec<String>,
    /// `--year`
    pub years: Vec<u32>,
    /// `--letter`
    pub letters: Vec<String>,
}

impl Filters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// One clause per filtered field (OR of its values).
    fn clauses(&self, f: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
        let lower = |s: &str| s.trim().to_lowercase();
        let text = |field, values: Vec<String>| -> Option<(Occur, Box<dyn Query>)> {
            if values.is_empty() {
                return None;
            }
            let terms = values.iter().map(|v| Term::from_field_text(field, v));
            Some((Occur::Must, any_of(terms.collect())))
        };
        let numbers = |field, values: Vec<u64>| -> Option<(Occur, Box<dyn Query>)> {
            if values.is_empty() {
                return None;
            }
            let terms = values.into_iter().map(|v| Term::from_field_u64(field, v));
            Some((Occur::Must, any_of(terms.collect())))
        };
        let drugs = self
            .drugs
            .iter()
            .map(|d| lookup_drug(d).map_or_else(|| lower(d), |n| n.generic))
            .collect();
        [
            text(
                f.outcome,
                self.outcomes
                    .iter()
                    .map(|o| o.as_str().to_string())
                    .collect(),
            ),
            text(f.drug, drugs),
            text(
                f.drug_class,
                self.drug_classes
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect(),
            ),
            text(
                f.category,
                self.categories
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect(),
            ),
            text(
                f.specialty,
                self.specialties.iter().map(|s| lower(s)).collect(),
            ),
            text(
                f.source,
                self.sources
                    .iter()
                    .map(|s| s.as_str().to_lowercase())
                    .collect(),
            ),
            numbers(f.page, self.pages.iter().map(|&p| u64::from(p)).collect()),
            text(f.state, self.states.iter().map(|s| lower(s)).collect()),
            numbers(f.year, self.years.iter().map(|&y| u64::from(y)).collect()),
            text(f.letter_id, self.letters.clone()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A filter matching any of `terms`, scoring a constant 1 (as a term set does).
///
/// One value is read lazily from its postings, so an intersection with a
/// rare text query seeks through it; a term set first fills a bitset of the
/// whole segment from every posting. On 100,000 letters `norco --outcome
/// overturned` took 1.58 ms with a set (a bitset of the 55,000 overturned
/// decisions) and 1.06 ms with a term.
fn any_of(mut terms: Vec<Term>) -> Box<dyn Query> {
    match (terms.pop(), terms.is_empty()) {
        (Some(term), true) => Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            1.0,
        )),
        (last, _) => {
            terms.extend(last);
            Box::new(TermSetQuery::new(terms))
        }
    }
}

/// A parsed request: the text query (if any) and the filters, ready to run.
pub struct Request {
    /// The text part alone, for snippets; `None` for filters only.
    pub text_query: Option<Box<dyn Query>>,
    /// Text and filters combined.
    pub query: Box<dyn Query>,
}

/// Builds the tantivy query for a text and filters.
///
/// An empty text with filters matches every decision the filters allow.
pub fn build(store: &Store, text: &str, filters: &Filters) -> Result<Request> {
    let f = &store.fields;
    let text_query = if text.trim().is_empty() {
        None
    } else {
        let mut parser =
            QueryParser::for_index(&store.index, vec![f.rationale, f.item, f.case_summary]);
        parser.set_field_boost(f.rationale, 2.0);
        parser.set_field_boost(f.item, 1.5);
        parser.set_field_boost(f.case_summary, 1.0);
        parser.set_field_boost(f.rationale_pairs, 2.0);
        check_nesting(text)?;
        let expanded = route_phrases(&expand_drug_names(text), store.index.tokenizers());
        let q = parser
            .parse_query(&expanded)
            .map_err(|e| Error::Query(describe(&e, text)))?;
        Some(q)
    };
    let mut clauses = filters.clauses(f);
    let query: Box<dyn Query> = match (&text_query, clauses.is_empty()) {
        (None, true) => Box::new(AllQuery),
        (Some(q), true) => q.box_clone(),
        (tq, false) => {
            if let Some(q) = tq {
                clauses.push((Occur::Must, q.box_clone()));
            }
            Box::new(BooleanQuery::new(clauses))
        }
    };
    Ok(Request { text_query, query })
}

/// A failure while running a query: a field the parser let through but the
/// index lacks (`TO:*`) is the user's query, not a runtime failure.
pub(crate) fn run_error(context: &'static str) -> impl Fn(tantivy::TantivyError) -> Error {
    move |e| {
        match e {
        tantivy::TantivyError::FieldNotFound(field) => Error::Query(format!(
            "unknown field '{field}': use item, rationale, case_summary, drug, drug_brand, drug_class, category, outcome, source, specialty, state, letter_id"
        )),
        // `rationale:*` asks whether a full-text field exists: tantivy can
        // only answer that for fast fields.
        tantivy::TantivyError::SchemaError(msg) => Error::Query(format!(
            "{msg} `field:*` works on drug, drug_class, category, outcome, source, specialty, state, page, year"
        )),
        other => Error::tantivy(context)(other),
    }
    }
}

/// Parentheses nested deeper than this are refused: tantivy's recursive
/// parser would overflow the stack long before a person writes 64 levels.
pub const MAX_NESTING: usize = 64;

/// Refuses absurdly nested parentheses before they reach the parser.
fn check_nesting(text: &str) -> Result<()> {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_NESTING {
        return Err(Error::Query(format!(
            "parentheses nested {deepest} deep (at most {MAX_NESTING}): simplify the query"
        )));
    }
    Ok(())
}

/// One line for a query the parser refused.
fn describe(e: &tantivy::query::QueryParserError, text: &str) -> String {
    use tantivy::query::QueryParserError as E;
    let quotes = text.matches('"').count();
    match e {
        _ if quotes % 2 == 1 => "unbalanced quote: close the \"phrase\"".to_string(),
        E::SyntaxError(_) => format!(
            "syntax error in '{text}': check parentheses, quotes and operators (a trailing AND, OR or -)"
        ),
        E::FieldDoesNotExist(name) => format!(
            "unknown field '{name}': use item, rationale, case_summary, drug, drug_brand, drug_class, category, outcome, source, specialty, state, letter_id"
        ),
        E::FieldNotIndexed(name) => format!("field '{name}' cannot be searched"),
        E::ExpectedInt(_) | E::ExpectedBase64(_) | E::ExpectedFloat(_) | E::ExpectedBool(_) => {
            format!("{e}: a number was expected")
        }
        other => other.to_string(),
    }
}

/// Sends each quoted phrase of two or more words to the rationale's word
/// pairs (`rationale_pairs`, see [`crate::schema::WordPairs`]) instead of
/// the rationale's word positions: `"functional improvement"` becomes
/// `(rationale_pairs:"functional improvement" OR item:"functional
/// improvement" OR case_summary:"functional improvement")`, and
/// `rationale:"a b"` becomes `rationale_pairs:"a b"`. The decisions found
/// are the same; the rationale part is one term lookup for two words.
///
/// Left as written: phrases with slop (`"a b"~2`), prefix (`"a b"*`) or a
/// boost, of another field, of one word, with a word the analyzer drops
/// (a gap no pair spans) or one never paired (`"not medically necessary"`),
/// and any query with a backslash escape. Routing only saves time: were
/// the analyzers missing from `tokenizers`, phrases would stay as written.
pub fn route_phrases(text: &str, tokenizers: &TokenizerManager) -> String {
    if !text.contains('"') || text.contains('\\') {
        return text.to_string();
    }
    let (Some(mut stem), Some(mut pairs)) = (
        tokenizers.get(crate::schema::EN_STEM),
        tokenizers.get(crate::schema::EN_PAIRS),
    ) else {
        return text.to_string();
    };
    // True when the index holds a pair for every two adjacent words.
    let mut paired = |phrase: &str| {
        let mut words = stem.token_stream(phrase);
        let mut n = 0;
        while words.advance() {
            if words.token().position != n {
                return false;
            }
            n += 1;
        }
        let mut made = pairs.token_stream(phrase);
        let mut p = 0;
        while made.advance() {
            p += 1;
        }
        n >= 2 && p + 1 == n
    };
    let mut out = String::with_capacity(text.len() * 3);
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let Some(len) = rest[open + 1..].find('"') else {
            break;
        };
        let close = open + 1 + len;
        let (before, phrase, after) = (&rest[..open], &rest[open + 1..close], &rest[close + 1..]);
        // The field name right before the quote, as in `item:"..."`.
        let field = before.strip_suffix(':').map(|b| {
            let start = b
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            (&b[..start], &b[start..])
        });
        let plain = !after.starts_with(['~', '*', '^']) && paired(phrase);
        match field {
            None if plain => {
                out.push_str(before);
                out.push_str(&format!(
                    "(rationale_pairs:\"{phrase}\" OR item:\"{phrase}\" OR case_summary:\"{phrase}\")"
                ));
            }
            Some((head, "rationale")) if plain => {
                out.push_str(head);
                out.push_str(&format!("rationale_pairs:\"{phrase}\""));
            }
            _ => out.push_str(&rest[..=close]),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Replaces each bare drug name in a query with an OR of all its names
/// (`ambien` → `(ambien OR edluar OR intermezzo OR zolpidem)`). Words in quotes,
/// after `-` or `field:`, and operators are left alone.
pub fn expand_drug_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_quotes = false;
    for piece in text.split_inclusive(|c: char| c.is_whitespace() || c == '"') {
        let word = piece.trim_end_matches(|c: char| c.is_whitespace() || c == '"');
        let tail = &piece[word.len()..];
        let bare = !in_quotes
            && !word.is_empty()
            && !word.starts_with(['-', '+', '('])
            && !word.contains(':')
            && !word.ends_with(')')
            && !matches!(word, "AND" | "OR" | "NOT");
        // `drug:ambien` filters on the canonical generic, like `--drug ambien`.
        if !in_quotes {
            if let Some(name) = word.strip_prefix("drug:").filter(|n| !n.starts_with('"')) {
                if let Some(drug) = lookup_drug(name) {
                    out.push_str(&format!("drug:\"{}\"", drug.generic));
                    out.push_str(tail);
                    in_quotes ^= tail.matches('"').count() % 2 == 1;
                    continue;
                }
            }
        }
        match lookup_drug(word).filter(|_| bare) {
            Some(drug) => {
                let mut names: Vec<String> = drug
                    .names
                    .into_iter()
                    .map(|n| {
                        let clean: String = n
                            .chars()
                            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                            .collect();
                        clean.split_whitespace().collect::<Vec<_>>().join(" ")
                    })
                    .filter(|n| !n.is_empty())
                    .collect();
                names.sort_unstable();
                names.dedup();
                // A name of several words that holds a one-word name finds
                // nothing more: `ambien cr` finds only what `ambien` finds.
                // Left out, the OR is of single terms, which tantivy can
                // rank by skipping blocks (a phrase in it rules that out).
                let single: HashSet<String> =
                    names.iter().filter(|n| !n.contains(' ')).cloned().collect();
                names.retain(|n| !n.contains(' ') || !n.split(' ').any(|w| single.contains(w)));
                let names: Vec<String> = names
                    .into_iter()
                    .map(|n| {
                        if n.contains(' ') {
                            format!("\"{n}\"")
                        } else {
                            n
                        }
                    })
                    .collect();
                out.push('(');
                out.push_str(&names.join(" OR "));
                out.push(')');
            }
            None => out.push_str(word),
        }
        out.push_str(tail);
        in_quotes ^= tail.matches('"').count() % 2 == 1;
    }
    out
}

/// One search hit: one decision.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// The letter's id.
    pub letter_id: String,
    /// 1-based decision index in the letter.
    pub decision_index: u32,
    /// The disputed item.
    pub item: String,
    /// `upheld` or `overturned`.
    pub outcome: String,
    /// Canonical generic, or null for non-drug items.
    pub drug: Option<String>,
    /// BM25 score (0 for filter-only requests).
    pub score: f32,
    /// Rationale excerpt around the matched words.
    pub snippet: String,
    /// Byte ranges in `snippet` of the matched words.
    #[serde(skip)]
    pub highlights: Vec<(usize, usize)>,
    /// Where the letter was read from.
    pub source_path: String,
}

/// The contract's `query --json` object.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    /// The text as given.
    pub query: String,
    /// Matching decisions, exact.
    pub total: usize,
    /// In-process time in milliseconds.
    pub took_ms: f64,
    /// The hits of this page.
    pub hits: Vec<Hit>,
}

/// Runs a query: exact total, hits ordered by score, letter id, decision index.
pub fn search(
    store: &Store,
    text: &str,
    filters: &Filters,
    limit: usize,
    offset: usize,
) -> Result<SearchResult> {
    let started = Instant::now();
    let request = build(store, text, filters)?;
    let searcher = store.searcher()?;
    let wanted = offset.saturating_add(limit);
    let (total, page) = if request.text_query.is_some() {
        let (total, top) = top_by_score(&searcher, request.query.as_ref(), wanted)?;
        (
            total,
            order_page(&searcher, &store.fields, top, offset, limit)?,
        )
    } else {
        let (total, ranked) = top_by_letter(&searcher, &request.query, wanted)?;
        (
            total,
            read_page(&searcher, &store.fields, ranked, offset, limit)?,
        )
    };
    let terms = request
        .text_query
        .as_ref()
        .map(|q| highlight_terms(q.as_ref(), &store.fields))
        .unwrap_or_default();
    let mut analyzer = crate::schema::snippet_analyzer(&terms);
    let mut hits = Vec::with_capacity(page.len());
    for (score, letter_id, index, mut doc) in page {
        let f = &store.fields;
        let (snippet, highlights) = snippet(doc.text(f.rationale), &terms, &mut analyzer, 220);
        hits.push(Hit {
            letter_id,
            decision_index: index as u32,
            item: doc.take(f.item),
            outcome: doc.take(f.outcome),
            drug: Some(doc.take(f.drug)).filter(|d| !d.is_empty()),
            score,
            snippet,
            highlights,
            source_path: doc.take(f.source_path),
        });
    }
    Ok(SearchResult {
        query: text.to_string(),
        total,
        took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
        hits,
    })
}

/// The exact count and every hit scoring at least the `wanted`-th best:
/// the top `wanted` with any hits tied at the cut, so that ties are broken
/// by letter id and not by where tantivy stored them.
fn top_by_score(
    searcher: &Searcher,
    query: &dyn Query,
    wanted: usize,
) -> Result<(usize, Vec<(f32, DocAddress)>)> {
    // Counting apart lets top-k scoring skip blocks (block-max WAND); a
    // combined collector visits and scores every match, but counts in the
    // same pass. See [`worth_skipping`] for which wins.
    // The bound costs a term lookup per term and segment: only WAND's
    // decision (flat queries) and the thread decision (several segments)
    // use it.
    let postings =
        if can_skip_blocks(searcher.schema(), query) || searcher.segment_readers().len() > 1 {
            postings_bound(searcher, query)?
        } else {
            Postings::default()
        };
    if worth_skipping(searcher, query, postings.all) {
        let total = query.count(searcher).map_err(run_error("count failed"))?;
        let top = top_pruned(searcher, query, wanted).map_err(run_error("search failed"))?;
        return Ok((total, top));
    }
    let collector = CountAndBest { n: wanted };
    let (total, best) = match segment_executor(searcher, postings) {
        Some(executor) => searcher.search_with_executor(
            query,
            &collector,
            &executor,
            tantivy::query::EnableScoring::enabled_from_searcher(searcher),
        ),
        None => searcher.search(query, &collector),
    }
    .map_err(run_error("search failed"))?;
    Ok((total, best.into_sorted()))
}

/// Every hit scoring at least the `n`-th best, best first, ranked with
/// block-max WAND segment after segment, each segment starting from the
/// score the ones before it reached.
///
/// tantivy's `TopDocs` starts every segment from nothing, so a second
/// segment scores its blocks until it has found `n` hits of its own. On
/// 100,000 letters (two segments) `medically`, which every decision holds,
/// took 0.75 ms instead of 0.86 ms (back to back; 1.25 ms instead of 1.54
/// ms with each run after an FTS5 query), with the same hits.
fn top_pruned(
    searcher: &Searcher,
    query: &dyn Query,
    n: usize,
) -> tantivy::Result<Vec<(f32, DocAddress)>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(
        searcher,
    ))?;
    let mut best = Best::new(n);
    // tantivy offers a hit only when it beats the threshold, and skips a
    // block whose bound does not: the threshold sits a little under the
    // worst kept, so that hits tied with it are offered too even where a
    // block's bound (a sum of term maxima, added in another order) comes
    // out a rounding error under the score it bounds. Hits offered below
    // the worst kept are refused by `Best`.
    let below = |best: &Best| match best.floor() {
        Some(worst) if worst > 0.0 => worst * (1.0 - 1e-4),
        _ => f32::MIN,
    };
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let segment = ord as u32;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(below(&best), reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                best.push(score, DocAddress::new(segment, doc));
            }
            below(&best)
        })?;
    }
    Ok(best.into_sorted())
}

/// A hit of the page: score, letter id, decision index, stored document.
type PageHit = (f32, String, u64, HitDoc);

/// A stored value of a decision: the stored fields are text or numbers.
enum Stored {
    Text(String),
    Number(u64),
}

impl ValueDeserialize for Stored {
    fn deserialize<'de, D: ValueDeserializer<'de>>(
        d: D,
    ) -> std::result::Result<Self, DeserializeError> {
        struct Visitor;
        impl ValueVisitor for Visitor {
            type Value = Stored;
            fn visit_string(&self, v: String) -> std::result::Result<Stored, DeserializeError> {
                Ok(Stored::Text(v))
            }
            fn visit_u64(&self, v: u64) -> std::result::Result<Stored, DeserializeError> {
                Ok(Stored::Number(v))
            }
        }
        d.deserialize_any(Visitor)
    }
}

thread_local! {
    /// The field [`HitDoc`] drops as it reads (tantivy's document
    /// deserializer takes no context): `letter_json`.
    static DROPPED: std::cell::Cell<Option<tantivy::schema::Field>> =
        const { std::cell::Cell::new(None) };
}

/// A hit's stored fields without the letter's JSON.
///
/// A letter's first decision also stores the whole parsed letter as JSON
/// (about 5 KB) for `show` and `export`. Read as a `TantivyDocument` it
/// was copied into the document's arena and held with the whole page; here
/// it is dropped as soon as it is read, and its memory serves the next hit.
struct HitDoc {
    values: Vec<(tantivy::schema::Field, Stored)>,
}

impl HitDoc {
    /// The first text value of `field`, or "".
    fn text(&self, field: tantivy::schema::Field) -> &str {
        self.values
            .iter()
            .find_map(|(f, v)| match v {
                Stored::Text(t) if *f == field => Some(t.as_str()),
                _ => None,
            })
            .unwrap_or("")
    }

    /// Moves the first text value of `field` out ("" if none): a hit's
    /// fields go to its output without a copy.
    fn take(&mut self, field: tantivy::schema::Field) -> String {
        self.values
            .iter_mut()
            .find_map(|(f, v)| match v {
                Stored::Text(t) if *f == field => Some(std::mem::take(t)),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The first number of `field`.
    fn number(&self, field: tantivy::schema::Field) -> Option<u64> {
        self.values.iter().find_map(|(f, v)| match v {
            Stored::Number(n) if *f == field => Some(*n),
            _ => None,
        })
    }
}

impl DocumentDeserialize for HitDoc {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(
        mut d: D,
    ) -> std::result::Result<Self, DeserializeError> {
        let dropped = DROPPED.with(|c| c.get());
        let mut values = Vec::with_capacity(d.size_hint());
        while let Some((field, value)) = d.next_field::<Stored>()? {
            if Some(field) != dropped {
                values.push((field, value));
            }
        }
        Ok(HitDoc { values })
    }
}

/// Candidates past the page (hits tied with its last place) whose
/// documents are read for their sort keys rather than opening the key
/// columns.
///
/// Opening the letter id and decision index columns of two segments and
/// looking up eleven ids took 95 us of an 800 us query (`ambien`, 100,000
/// letters); reading the one stored document past the page of ten takes
/// about 14 us, and the page's own documents are read anyway. Alternated
/// binaries put the break-even near 8 spare documents: with 5
/// (`"short-term"`, 15 hits at or above the tenth score), reading them
/// instead of opening the columns made took_ms 0.735 -> 0.652 ms back to
/// back and 0.951 -> 0.883 ms after a 50 ms pause; with 8 (`"medically
/// necessary"`) 1.467 -> 1.436 and 1.821 -> 1.885 ms; with 16 (`insomnia`)
/// 0.805 -> 0.857 ms after a pause.
const SPARE_DOCS: usize = 6;

/// Orders the candidates by score, then letter id and decision index, and
/// reads the documents of the page `offset..offset + limit`.
fn order_page(
    searcher: &Searcher,
    f: &Fields,
    top: Vec<(f32, DocAddress)>,
    offset: usize,
    limit: usize,
) -> Result<Vec<PageHit>> {
    if limit == 0 {
        // `--limit 0` asks for the total alone: no document to read.
        return Ok(Vec::new());
    }
    if offset > 0 || top.len() > limit.saturating_add(SPARE_DOCS) {
        let wanted = offset.saturating_add(limit);
        return read_page(
            searcher,
            f,
            with_keys(searcher, top, wanted)?,
            offset,
            limit,
        );
    }
    // The candidates are the best `limit` and the hits tied with the last
    // of them (see `top_by_score`): any of them can be on the page.
    let mut hits = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let mut doc = read_doc(searcher, f, addr)?;
        let id = doc.take(f.letter_id);
        let index = doc.number(f.decision_index).unwrap_or(0);
        hits.push((score, id, index, doc));
    }
    hits.sort_by(|a, b| rank_order((a.0, &a.1, a.2), (b.0, &b.1, b.2)));
    hits.truncate(limit);
    Ok(hits)
}

/// Sorts keyed candidates and reads the documents of the page.
fn read_page(
    searcher: &Searcher,
    f: &Fields,
    mut ranked: Ranked,
    offset: usize,
    limit: usize,
) -> Result<Vec<PageHit>> {
    ranked.sort_by(|a, b| rank_order((a.0, &a.1, a.2), (b.0, &b.1, b.2)));
    ranked
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(score, id, index, addr)| Ok((score, id, index, read_doc(searcher, f, addr)?)))
        .collect()
}

/// The result order: score (highest first), then letter id, then decision index.
fn rank_order(a: (f32, &str, u64), b: (f32, &str, u64)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0)
        .then_with(|| a.1.cmp(b.1))
        .then_with(|| a.2.cmp(&b.2))
}

/// Reads a hit's stored fields, all but the letter's JSON.
fn read_doc(searcher: &Searcher, f: &Fields, addr: DocAddress) -> Result<HitDoc> {
    DROPPED.with(|c| c.set(Some(f.letter_json)));
    searcher
        .doc(addr)
        .map_err(Error::tantivy("cannot read a stored decision"))
}

/// Whether to count apart and rank with block-max WAND rather than count
/// while scoring every match in one pass.
///
/// Only an OR (or an AND) of plain terms can skip blocks; with a phrase, an
/// exclusion or a filter tantivy scores every match anyway. And skipping
/// pays only when most decisions match: on 100,000 letters `medically`
/// (every decision) took 1.2 ms with WAND and 2.7 ms in one pass, but
/// `opioid weaning withdrawal` (40% of them) 2.1 ms with WAND and 1.6 ms in
/// one pass. The terms' document frequencies (summed, an upper bound of
/// the matches) decide, at half the decisions.
fn worth_skipping(searcher: &Searcher, query: &dyn Query, postings: u64) -> bool {
    can_skip_blocks(searcher.schema(), query) && postings.saturating_mul(2) >= searcher.num_docs()
}

/// Upper bounds of the postings a query walks: the sums of its terms'
/// document frequencies over all segments.
#[derive(Debug, Clone, Copy, Default)]
struct Postings {
    /// Every term's, a phrase's words included.
    all: u64,
    /// The words of phrases alone, whose positions are read too.
    positional: u64,
}

/// The postings `query` walks at most, from its terms' document
/// frequencies: what decides WAND ([`worth_skipping`]) and threads
/// ([`segment_executor`]).
fn postings_bound(searcher: &Searcher, query: &dyn Query) -> Result<Postings> {
    let mut terms = Vec::new();
    query.query_terms(&mut |t, positions| terms.push((t.clone(), positions)));
    let mut postings = Postings {
        all: 0,
        positional: 0,
    };
    for (t, positions) in &terms {
        let n = searcher
            .doc_freq(t)
            .map_err(Error::tantivy("cannot read a term's frequency"))?;
        postings.all += n;
        if *positions {
            postings.positional += n;
        }
    }
    Ok(postings)
}

/// Work (postings, each phrase word's counted three times as its
/// positions are read too) from which a query that scores every match
/// searches its segments on threads of their own, one per core.
///
/// Starting the threads costs 0.1-0.3 ms on a 2-core VM, so only the
/// heaviest queries gain. On 100,000 letters (two segments, each run after
/// a 50 ms pause, binaries alternated): `"epidural steroid injection"`
/// (414,000) 4.2 -> 3.7 ms and 6.4 -> 4.3 ms in a slower hour,
/// `"functional improvement"` (450,000) 5.3 -> 4.6 ms, `function
/// --drug-class opioid --outcome upheld` (457,000) 2.4 -> 2.1 ms; but
/// `muscle spasm baclofen` (180,000) 1.7 -> 2.0 ms and `opioid weaning
/// withdrawal` (120,000) 1.3 -> 1.6 ms, and cheaper queries lost 0.03-0.2 ms.
const PARALLEL_WORK: u64 = 300_000;

/// A thread per segment (up to the cores) for a heavy query, or `None` to
/// search the segments on this thread. WAND ranking ([`top_pruned`]) stays
/// on one thread: each segment starts from the threshold the one before
/// reached.
fn segment_executor(searcher: &Searcher, postings: Postings) -> Option<tantivy::Executor> {
    let segments = searcher.segment_readers().len();
    let work = postings
        .all
        .saturating_add(postings.positional.saturating_mul(2));
    if segments < 2 || work < PARALLEL_WORK {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = segments.min(cores);
    // A pool that cannot start (no threads left) only means one thread.
    (threads >= 2)
        .then(|| tantivy::Executor::multi_thread(threads, "imr-search-segment-").ok())
        .flatten()
}

/// True when tantivy can rank `query` with block-max WAND: one term, or a
/// flat OR (or AND) of single terms, each perhaps boosted by its field,
/// each in a field that records term frequencies.
///
/// A field indexed without them (`outcome`, `drug`, `page`...) stores a
/// block maximum of term frequency 0, a score of 0: tantivy would skip
/// every full block once a hit scores above 0, and with it the hits tied
/// at the cut (`outcome:overturned`, where all 57,000 hits tie).
fn can_skip_blocks(schema: &tantivy::schema::Schema, query: &dyn Query) -> bool {
    let single_term = |q: &dyn Query| -> bool {
        if q.is::<BooleanQuery>() || q.is::<TermSetQuery>() || q.is::<AllQuery>() {
            return false;
        }
        let mut terms = 0;
        let mut positions = false;
        let mut freqs = true;
        q.query_terms(&mut |term, need_positions| {
            terms += 1;
            positions |= need_positions;
            freqs &= schema
                .get_field_entry(term.field())
                .field_type()
                .get_index_record_option()
                .is_some_and(IndexRecordOption::has_freq);
        });
        terms == 1 && !positions && freqs
    };
    match query.downcast_ref::<BooleanQuery>() {
        Some(b) => {
            let occur = b.clauses().first().map(|(o, _)| *o);
            !matches!(occur, None | Some(Occur::MustNot))
                && b.clauses()
                    .iter()
                    .all(|(o, q)| Some(*o) == occur && single_term(q.as_ref()))
        }
        None => single_term(query),
    }
}

/// Filter-only requests: every score is equal, so order by letter id.
fn top_by_letter(searcher: &Searcher, query: &dyn Query, wanted: usize) -> Result<(usize, Ranked)> {
    // A letter has at most a handful of decisions: widen past the last id.
    let mut n = wanted + 8;
    loop {
        let (total, top): (usize, Vec<(Option<String>, DocAddress)>) = searcher
            .search(
                query,
                &(
                    Count,
                    TopDocs::with_limit(n).order_by_string_fast_field("letter_id", Order::Asc),
                ),
            )
            .map_err(run_error("search failed"))?;
        let complete = wanted == 0 || top.len() < n || top[n - 1].0 != top[wanted - 1].0;
        if complete {
            let scored = top.into_iter().map(|(_, a)| (0.0, a)).collect();
            return Ok((total, with_keys(searcher, scored, wanted)?));
        }
        n = n.saturating_mul(2);
    }
}

/// Hits with their sort keys: score, letter id, decision index, address.
type Ranked = Vec<(f32, String, u64, DocAddress)>;

/// Adds letter id and decision index (from fast columns) to the hits that
/// can be among the best `wanted`; the others are dropped. Columns are
/// opened once per segment, not once per hit.
///
/// When many hits tie at the cut (`outcome:overturned`: 57,000 hits of one
/// score), only the tied hits with the smallest letter ids can make the
/// page. Within a segment a letter id's term ordinal sorts as the id does,
/// so each segment keeps its best tied hits by ordinal and only those ids
/// are spelled out: `outcome:overturned` took 99-119 ms when every id was
/// spelled out, 12-13 ms this way.
fn with_keys(
    searcher: &Searcher,
    mut top: Vec<(f32, DocAddress)>,
    wanted: usize,
) -> Result<Ranked> {
    type Columns = (tantivy::columnar::StrColumn, tantivy::columnar::Column<u64>);
    fn columns_of<'a>(
        searcher: &Searcher,
        columns: &'a mut [Option<Columns>],
        segment: u32,
    ) -> Result<&'a Columns> {
        let slot = columns
            .get_mut(segment as usize)
            .ok_or_else(|| Error::Data("a hit names a segment the index lacks".into()))?;
        if slot.is_none() {
            let ff = searcher.segment_reader(segment).fast_fields();
            let ids = ff
                .str("letter_id")
                .map_err(Error::tantivy("cannot read letter ids"))?
                .ok_or_else(|| Error::Data("the index has no letter_id column".into()))?;
            let index = ff
                .u64("decision_index")
                .map_err(Error::tantivy("cannot read decision indexes"))?;
            *slot = Some((ids, index));
        }
        slot.as_ref()
            .ok_or_else(|| Error::Data("a segment's key columns did not open".into()))
    }
    let mut columns: Vec<Option<Columns>> = vec![None; searcher.segment_readers().len()];
    // (score, letter id ordinal, decision index, address); a hit without
    // a letter id has no ordinal and sorts first, as its "" id does.
    let mut keyed = Vec::with_capacity(top.len());
    top.sort_by(|a, b| b.0.total_cmp(&a.0));
    let cut = top.get(wanted.max(1) - 1).map(|h| h.0);
    for (score, addr) in top {
        let (ids, index) = columns_of(searcher, &mut columns, addr.segment_ord)?;
        let ord = ids.term_ords(addr.doc_id).next();
        keyed.push((score, ord, index.first(addr.doc_id).unwrap_or(0), addr));
    }
    // Hits above the cut are all kept; of those at it, each segment keeps
    // its `wanted - above` best by (ordinal, decision index).
    if let Some(cut) = cut {
        let above = keyed.iter().take_while(|h| h.0 > cut).count();
        let need = wanted.saturating_sub(above);
        let mut tied = keyed.split_off(above);
        tied.retain(|h| h.0 >= cut);
        tied.sort_by_key(|h| (h.3.segment_ord, h.1, h.2));
        let mut kept_in_segment = 0;
        let mut segment = None;
        for h in tied {
            if segment != Some(h.3.segment_ord) {
                segment = Some(h.3.segment_ord);
                kept_in_segment = 0;
            }
            if kept_in_segment < need {
                keyed.push(h);
                kept_in_segment += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(keyed.len());
    for (score, ord, index, addr) in keyed {
        let (ids, _) = columns_of(searcher, &mut columns, addr.segment_ord)?;
        let mut id = String::new();
        if let Some(ord) = ord {
            ids.ord_to_str(ord, &mut id)
                .map_err(Error::io("cannot read a letter id"))?;
        }
        out.push((score, id, index, addr));
    }
    Ok(out)
}

/// The stemmed words of the query's text fields, phrase words included
/// (tantivy's SnippetGenerator skips phrase terms: tantivy issue #2358).
fn highlight_terms(query: &dyn Query, f: &Fields) -> FxHashSet<String> {
    let mut terms = FxHashSet::default();
    query.query_terms(&mut |term, _| {
        let field = term.field();
        if field == f.rationale || field == f.item || field == f.case_summary {
            if let Some(text) = term.value().as_str() {
                terms.insert(text.to_string());
            }
        } else if field == f.rationale_pairs {
            // `function improv`: both words are highlighted.
            if let Some(text) = term.value().as_str() {
                terms.extend(text.split(' ').map(str::to_string));
            }
        }
    });
    terms
}

/// The best window of `text` (about `width` bytes) around the matched
/// words, and the byte ranges of the matches within it.
pub fn snippet(
    text: &str,
    terms: &FxHashSet<String>,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    width: usize,
) -> (String, Vec<(usize, usize)>) {
    let mut matches: Vec<(usize, usize, String)> = Vec::new();
    if !terms.is_empty() {
        let mut stream = analyzer.token_stream(text);
        while let Some(tok) = stream.next() {
            if terms.contains(&tok.text) {
                matches.push((tok.offset_from, tok.offset_to, tok.text.clone()));
            }
        }
    }
    // Pick the window with the most distinct matched terms, then most matches.
    let (mut start, mut best) = (0usize, (0usize, 0usize));
    for (i, m) in matches.iter().enumerate() {
        let window: Vec<&(usize, usize, String)> = matches[i..]
            .iter()
            .take_while(|n| n.1 <= m.0 + width)
            .collect();
        let distinct: FxHashSet<&str> = window.iter().map(|n| n.2.as_str()).collect();
        let key = (distinct.len(), window.len());
        if key > best {
            best = key;
            start = m.0;
        }
    }
    // Start a little before the first match, on a word boundary.
    let mut from = start.saturating_sub(width / 4);
    while from > 0 && !text.is_char_boundary(from) {
        from -= 1;
    }
    if from > 0 {
        from = text[from..].find(' ').map_or(from, |p| from + p + 1);
    }
    let mut to = (from + width).min(text.len());
    while to < text.len() && !text.is_char_boundary(to) {
        to += 1;
    }
    if to < text.len() {
        to = text[..to].rfind(' ').filter(|&p| p > from).unwrap_or(to);
    }
    let prefix = if from > 0 { "... " } else { "" };
    let suffix = if to < text.len() { " ..." } else { "" };
    let snippet = format!("{prefix}{}{suffix}", &text[from..to]);
    let highlights = matches
        .iter()
        .filter(|m| m.0 >= from && m.1 <= to)
        .map(|m| (m.0 - from + prefix.len(), m.1 - from + prefix.len()))
        .collect();
    (snippet, highlights)
}

/// Calls `each` with every stored letter matching the filters (a letter is
/// stored on its first decision), in letter id order, one at a time: only
/// the ids are held in memory, so exporting a million letters stays small.
pub fn for_each_stored_letter(
    store: &Store,
    filters: &Filters,
    mut each: impl FnMut(crate::model::Letter) -> Result<()>,
) -> Result<usize> {
    let searcher = store.searcher()?;
    let mut clauses = filters.clauses(&store.fields);
    clauses.push((
        Occur::Must,
        Box::new(tantivy::query::TermQuery::new(
            Term::from_field_u64(store.fields.decision_index, 1),
            IndexRecordOption::Basic,
        )),
    ));
    let query = BooleanQuery::new(clauses);
    let addrs = searcher
        .search(&query, &tantivy::collector::DocSetCollector)
        .map_err(Error::tantivy("cannot list letters"))?;
    // Letter ids from the fast column, one column open per segment.
    let mut by_segment: std::collections::BTreeMap<u32, Vec<DocAddress>> = Default::default();
    for addr in addrs {
        by_segment.entry(addr.segment_ord).or_default().push(addr);
    }
    let mut keyed: Vec<(String, DocAddress)> = Vec::new();
    for (segment, addrs) in by_segment {
        let ids = searcher
            .segment_reader(segment)
            .fast_fields()
            .str("letter_id")
            .map_err(Error::tantivy("cannot read letter ids"))?
            .ok_or_else(|| Error::Data("the index has no letter_id column".into()))?;
        for addr in addrs {
            let mut id = String::new();
            if let Some(ord) = ids.term_ords(addr.doc_id).next() {
                ids.ord_to_str(ord, &mut id)
                    .map_err(Error::io("cannot read a letter id"))?;
            }
            keyed.push((id, addr));
        }
    }
    keyed.sort();
    let mut count = 0;
    for (_, addr) in keyed {
        let doc: TantivyDocument = searcher
            .doc(addr)
            .map_err(Error::tantivy("cannot read a stored letter"))?;
        if let Some(letter) = crate::indexer::stored_letter(&doc, &store.fields) {
            each(letter)?;
            count += 1;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty index in memory with the built-in schema and analyzers.
    fn empty_store() -> Store {
        let index = tantivy::Index::create_in_ram(
            crate::schema::SchemaSpec::builtin()
                .unwrap()
                .to_schema()
                .unwrap(),
        );
        crate::schema::register_tokenizers(&index);
        Store::for_tests(index)
    }

    /// A single-threaded writer on a test store.
    fn writer_of(store: &Store) -> tantivy::IndexWriter<TantivyDocument> {
        store.index.writer_with_num_threads(1, 15_000_000).unwrap()
    }

    /// A writer that keeps every commit a segment of its own.
    fn segments_writer(store: &Store) -> tantivy::IndexWriter<TantivyDocument> {
        let writer = writer_of(store);
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        writer
    }

    #[test]
    fn only_flat_term_queries_count_apart() {
        let store = empty_store();
        let skips = |text: &str, filters: &Filters| {
            can_skip_blocks(
                &store.index.schema(),
                build(&store, text, filters).unwrap().query.as_ref(),
            )
        };
        let none = Filters::default();
        assert!(skips("medically", &none));
        assert!(skips("opioid weaning withdrawal", &none));
        assert!(skips("ambien", &none));
        assert!(!skips("\"functional improvement\"", &none));
        assert!(!skips("injection -epidural", &none));
        assert!(!skips("percocet", &none), "holds a phrase");
        assert!(!skips("outcome:overturned", &none), "no term frequencies");
        assert!(!skips("page:80", &none), "no term frequencies");
        let upheld = Filters {
            outcomes: vec![Outcome::Upheld],
            ..Default::default()
        };
        assert!(!skips("function", &upheld));
    }

    #[test]
    fn wand_is_used_when_most_decisions_match() {
        let store = empty_store();
        let mut writer = writer_of(&store);
        for text in [
            "not medically necessary",
            "medically necessary",
            "medically necessary, antalgic gait",
            "medically appropriate",
        ] {
            let mut doc = TantivyDocument::default();
            doc.add_text(store.fields.rationale, text);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = store.searcher().unwrap();
        let worth = |text: &str| {
            let request = build(&store, text, &Filters::default()).unwrap();
            let query = request.query.as_ref();
            worth_skipping(
                &searcher,
                query,
                postings_bound(&searcher, query).unwrap().all,
            )
        };
        assert!(worth("medically"), "in every decision");
        assert!(!worth("antalgic"), "in one of four");
        assert!(
            worth("antalgic necessary"),
            "4 of 4 by document frequencies"
        );
        assert!(!worth("\"medically necessary\""), "a phrase cannot skip");
    }

    #[test]
    fn only_heavy_queries_over_several_segments_get_threads() {
        let store = empty_store();
        let mut writer = segments_writer(&store);
        for (rationale, item) in [
            ("epidural steroid injection", "epidural injection"),
            ("functional improvement", "physical therapy"),
        ] {
            let mut doc = TantivyDocument::default();
            doc.add_text(store.fields.rationale, rationale);
            doc.add_text(store.fields.item, item);
            writer.add_document(doc).unwrap();
            writer.commit().unwrap();
        }
        let two = store.searcher().unwrap();
        assert_eq!(two.segment_readers().len(), 2);
        let work = |all, positional| Postings { all, positional };
        assert!(segment_executor(&two, work(PARALLEL_WORK - 1, 0)).is_none());
        // A phrase's words count three times: 100,000 of them are heavy.
        let heavy = work(PARALLEL_WORK / 3, PARALLEL_WORK / 3);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(segment_executor(&two, heavy).is_some(), cores >= 2);
        // The bound sums every term's document frequency: `epidural` in the
        // rationale and the item (none in case summaries), then both words
        // of the item phrase, whose positions are read.
        let text = "epidural item:\"epidural injection\"";
        let request = build(&store, text, &Filters::default()).unwrap();
        let bound = postings_bound(&two, request.query.as_ref()).unwrap();
        assert_eq!((bound.all, bound.positional), (4, 2));
        let one = {
            let store = empty_store();
            let mut writer = writer_of(&store);
            writer.add_document(TantivyDocument::default()).unwrap();
            writer.commit().unwrap();
            store.searcher().unwrap()
        };
        assert!(
            segment_executor(&one, heavy).is_none(),
            "one segment, one thread"
        );
    }

    #[test]
    fn every_stored_field_is_text_or_a_number_as_hits_read_them() {
        // `Stored` reads text and u64 values only: a stored field of any
        // other type would make every query fail to read its hits.
        let schema = crate::schema::SchemaSpec::builtin()
            .unwrap()
            .to_schema()
            .unwrap();
        let stored: Vec<(&str, bool)> = schema
            .fields()
            .filter(|(_, e)| e.is_stored())
            .map(|(_, e)| {
                let readable = matches!(
                    e.field_type(),
                    tantivy::schema::FieldType::Str(_) | tantivy::schema::FieldType::U64(_)
                );
                (e.name(), readable)
            })
            .collect();
        assert!(stored.iter().any(|(name, _)| *name == "rationale"));
        assert!(stored.iter().any(|(name, _)| *name == "decision_index"));
        for (name, readable) in stored {
            assert!(readable, "stored field {name} is neither text nor u64");
        }
    }

    #[test]
    fn a_hit_is_read_without_the_letter_json() {
        let store = empty_store();
        let f = store.fields;
        let mut writer = writer_of(&store);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.letter_id, "000_2c01b65a799f327b");
        doc.add_u64(f.decision_index, 2);
        doc.add_text(f.item, "AMBIEN 10MG #30");
        doc.add_text(f.rationale, "Ambien is not indicated beyond 35 days.");
        doc.add_text(f.letter_json, "{\"letter_id\":\"000_2c01b65a799f327b\"}");
        writer.add_document(doc).unwrap();
        writer.commit().unwrap();
        let searcher = store.searcher().unwrap();
        let mut hit = read_doc(&searcher, &f, DocAddress::new(0, 0)).unwrap();
        assert_eq!(hit.text(f.letter_id), "000_2c01b65a799f327b");
        assert_eq!(hit.number(f.decision_index), Some(2));
        assert_eq!(hit.text(f.item), "AMBIEN 10MG #30");
        assert_eq!(
            hit.text(f.rationale),
            "Ambien is not indicated beyond 35 days."
        );
        assert_eq!(hit.text(f.outcome), "", "not stored here");
        assert_eq!(hit.text(f.letter_json), "", "dropped while reading");
        assert_eq!(hit.values.len(), 4);
        // Taken for the output, a value is moved out, not copied.
        assert_eq!(hit.take(f.item), "AMBIEN 10MG #30");
        assert_eq!(hit.text(f.item), "");
        assert_eq!(hit.take(f.outcome), "", "not stored here");
    }

    #[test]
    fn a_filter_of_one_value_matches_and_scores_as_a_set_of_values() {
        let store = empty_store();
        let mut writer = writer_of(&store);
        for (id, outcome, text) in [
            ("a", "upheld", "ambien is not medically necessary"),
            ("b", "overturned", "ambien is medically necessary"),
            ("c", "upheld", "norco is not medically necessary"),
        ] {
            let mut doc = TantivyDocument::default();
            doc.add_text(store.fields.letter_id, id);
            doc.add_u64(store.fields.decision_index, 1);
            doc.add_text(store.fields.outcome, outcome);
            doc.add_text(store.fields.rationale, text);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let run = |text: &str, outcomes: Vec<Outcome>| {
            let filters = Filters {
                outcomes,
                ..Default::default()
            };
            let r = search(&store, text, &filters, 10, 0).unwrap();
            let hits: Vec<_> = r
                .hits
                .iter()
                .map(|h| (h.letter_id.clone(), h.score))
                .collect();
            (r.total, hits)
        };
        // One value is a lazy term filter, two a term set: both add 1.
        let (total, upheld) = run("medically", vec![Outcome::Upheld]);
        assert_eq!(total, 2);
        assert_eq!(
            upheld.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        let (_, both) = run("medically", vec![Outcome::Upheld, Outcome::Overturned]);
        let (_, plain) = run("medically", vec![]);
        for (id, score) in &upheld {
            let in_both = both.iter().find(|h| &h.0 == id).unwrap().1;
            let unfiltered = plain.iter().find(|h| &h.0 == id).unwrap().1;
            assert_eq!(*score, in_both);
            assert!((score - unfiltered - 1.0).abs() < 1e-5, "a filter adds 1");
        }
        assert_eq!(run("", vec![Outcome::Overturned]).0, 1);
        assert_eq!(run("ambien", vec![Outcome::Overturned]).1[0].0, "b");
    }

    #[test]
    fn pruned_and_one_pass_tops_hold_every_hit_at_or_above_the_cut() {
        let store = empty_store();
        let mut writer = segments_writer(&store);
        // Three segments; rationales of varied length and repetition so
        // scores spread, and some repeat exactly so scores tie.
        let words = ["medically", "necessary", "baclofen", "spasm", "guidelines"];
        for segment in 0..3u64 {
            for i in 0..400u64 {
                let mut text = String::new();
                for w in 0..(1 + (i * 7 + segment) % 13) {
                    text.push_str(words[((i + w * 3) % 5) as usize]);
                    text.push(' ');
                }
                let mut doc = TantivyDocument::default();
                doc.add_text(store.fields.letter_id, format!("{segment}-{i}"));
                doc.add_u64(store.fields.decision_index, 1);
                doc.add_text(store.fields.rationale, &text);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = store.searcher().unwrap();
        assert_eq!(searcher.segment_readers().len(), 3);
        for text in [
            "medically",
            "baclofen spasm",
            "necessary guidelines medically",
        ] {
            let request = build(&store, text, &Filters::default()).unwrap();
            // Every match with its score, from tantivy's own collector.
            let all = searcher
                .search(
                    request.query.as_ref(),
                    &TopDocs::with_limit(10_000).order_by_score(),
                )
                .unwrap();
            let sorted = |v: &[(f32, DocAddress)]| {
                let mut a: Vec<(u32, u32)> =
                    v.iter().map(|h| (h.1.segment_ord, h.1.doc_id)).collect();
                a.sort();
                a
            };
            for n in [1, 2, 10, 11, 50, 1200, 5000] {
                // The hits scoring at least the n-th best, ties included.
                let cut = all.get(n - 1).map_or(f32::MIN, |h| h.0);
                let expected: Vec<(f32, DocAddress)> =
                    all.iter().copied().filter(|h| h.0 >= cut).collect();
                assert!(n >= all.len() || expected.len() >= n);
                let pruned = top_pruned(&searcher, request.query.as_ref(), n).unwrap();
                assert_eq!(sorted(&pruned), sorted(&expected), "{text} top {n}");
                assert!(pruned.windows(2).all(|w| w[0].0 >= w[1].0), "best first");
                let (count, best) = searcher
                    .search(request.query.as_ref(), &CountAndBest { n })
                    .unwrap();
                assert_eq!(count, all.len(), "{text}");
                assert_eq!(
                    sorted(&best.into_sorted()),
                    sorted(&expected),
                    "{text} top {n}"
                );
            }
        }
    }

    #[test]
    fn equal_scores_are_ordered_by_letter_then_decision_on_every_page() {
        let store = empty_store();
        let mut writer = writer_of(&store);
        // Added against the result order: only the tie-break can restore it.
        for (id, index) in [("c", 1), ("b", 1), ("a", 2), ("a", 1), ("d", 1)] {
            let mut doc = TantivyDocument::default();
            doc.add_text(store.fields.letter_id, id);
            doc.add_u64(store.fields.decision_index, index);
            doc.add_text(
                store.fields.rationale,
                "baclofen is not medically necessary",
            );
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let page = |limit, offset| {
            let r = search(&store, "baclofen", &Filters::default(), limit, offset).unwrap();
            assert_eq!(r.total, 5);
            r.hits
                .iter()
                .map(|h| format!("{}{}", h.letter_id, h.decision_index))
                .collect::<Vec<_>>()
        };
        // Few candidates: keys from the stored documents.
        assert_eq!(page(10, 0), ["a1", "a2", "b1", "c1", "d1"]);
        assert!(page(0, 0).is_empty(), "the total alone");
        assert!(page(0, 2).is_empty(), "the total alone");
        assert_eq!(page(1, 0), ["a1"]);
        assert_eq!(page(2, 0), ["a1", "a2"]);
        // A page past the first: keys from the columns.
        assert_eq!(page(2, 1), ["a2", "b1"]);
        assert_eq!(page(10, 3), ["c1", "d1"]);
    }

    /// A tie far larger than the page, spread over three segments in no
    /// id order: every page is the next run of ids in sorted order, whether
    /// the page is read from the stored documents or pruned by ordinals.
    #[test]
    fn a_large_tie_over_segments_pages_in_letter_order() {
        let store = empty_store();
        let mut writer = segments_writer(&store);
        let mut ids = Vec::new();
        for segment in 0..3u64 {
            for i in 0..60u64 {
                // Ids interleave across segments and are added backwards.
                let id = format!("L{:03}", (59 - i) * 3 + (2 - segment));
                for index in [2u64, 1] {
                    let mut doc = TantivyDocument::default();
                    doc.add_text(store.fields.letter_id, &id);
                    doc.add_u64(store.fields.decision_index, index);
                    doc.add_text(store.fields.outcome, "overturned");
                    doc.add_text(
                        store.fields.rationale,
                        "baclofen is not medically necessary",
                    );
                    writer.add_document(doc).unwrap();
                    ids.push(format!("{id}/{index}"));
                }
            }
            writer.commit().unwrap();
        }
        ids.sort();
        assert_eq!(ids.len(), 360);
        for text in ["baclofen", "outcome:overturned"] {
            for (limit, offset) in [
                (10, 0),
                (1, 0),
                (3, 0),
                (10, 7),
                (25, 100),
                (10, 355),
                (400, 0),
            ] {
                let r = search(&store, text, &Filters::default(), limit, offset).unwrap();
                assert_eq!(r.total, 360, "{text}");
                let got: Vec<String> = r
                    .hits
                    .iter()
                    .map(|h| format!("{}/{}", h.letter_id, h.decision_index))
                    .collect();
                let end = (offset + limit).min(ids.len());
                assert_eq!(
                    got,
                    ids[offset.min(end)..end],
                    "{text} {limit} {offset} {:?}",
                    r.hits.iter().map(|h| h.score).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn plain_phrases_go_to_the_word_pairs() {
        let store = empty_store();
        let route = |q: &str| route_phrases(q, store.index.tokenizers());
        assert_eq!(
            route("\"functional improvement\" -norco"),
            "(rationale_pairs:\"functional improvement\" OR item:\"functional improvement\" \
             OR case_summary:\"functional improvement\") -norco"
        );
        assert_eq!(
            route("-rationale:\"short-term\""),
            "-rationale_pairs:\"short-term\""
        );
        // "not" and "no" are paired (data/pair-stopwords.txt).
        assert_eq!(
            route("\"not recommended\""),
            "(rationale_pairs:\"not recommended\" OR item:\"not recommended\" \
             OR case_summary:\"not recommended\")"
        );
        // Left alone: another field, slop, prefix, boost, one word, a stop
        // word (never paired), a word too long to index, an escape.
        for q in [
            "item:\"norco 10\"",
            "\"functional improvement\"~1",
            "\"functional impro\"*",
            "\"functional improvement\"^2",
            "\"zolpidem\"",
            "\"is not recommended\"",
            "\"a b\"",
            &format!("\"pain {} relief\"", "x".repeat(41)),
            "\"pain \\\"relief\"",
        ] {
            assert_eq!(route(q), q);
        }
        // An unclosed quote is the parser's to report.
        assert_eq!(route("\"pain relief"), "\"pain relief");
    }

    #[test]
    fn drug_names_expand_outside_quotes_and_fields() {
        // data/drugs.tsv: zolpidem, brands Ambien, Ambien CR, Edluar,
        // Intermezzo, aliases zolpidem tartrate, zolpidem er. The names of
        // several words that hold a one-word name add nothing and go.
        assert_eq!(
            expand_drug_names("Ambien FDA 35 days"),
            "(ambien OR edluar OR intermezzo OR zolpidem) FDA 35 days"
        );
        assert_eq!(
            expand_drug_names("\"ambien use\" -ambien drug:ambien"),
            "\"ambien use\" -ambien drug:\"zolpidem\""
        );
        assert_eq!(
            expand_drug_names("drug:norco"),
            "drug:\"hydrocodone/acetaminophen\""
        );
        assert_eq!(expand_drug_names("drug:unobtainium"), "drug:unobtainium");
        // The alias `hydrocodone` holds every `hydrocodone ...` name.
        assert_eq!(
            expand_drug_names("norco"),
            "(hydrocodone OR lorcet OR lortab OR norco OR verdrocet OR vicodin OR xodol)"
        );
        // No one-word name inside `oxycodone/acetaminophen`: the phrases stay.
        assert_eq!(
            expand_drug_names("percocet"),
            "(endocet OR \"oxycodone acetaminophen\" OR \"oxycodone apap\" OR percocet OR primlev OR roxicet)"
        );
    }

    #[test]
    fn snippets_highlight_every_matched_word() {
        let mut analyzer = tantivy::tokenizer::TextAnalyzer::builder(
            tantivy::tokenizer::SimpleTokenizer::default(),
        )
        .filter(tantivy::tokenizer::LowerCaser)
        .filter(tantivy::tokenizer::Stemmer::new(
            tantivy::tokenizer::Language::English,
        ))
        .build();
        let terms: FxHashSet<String> = ["short", "term", "insomnia"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let text = "the FDA notes that Ambien is indicated in the short-term management of insomnia, for up to 35 days.";
        let (s, h) = snippet(text, &terms, &mut analyzer, 220);
        assert_eq!(s, text);
        let words: Vec<&str> = h.iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(words, vec!["short", "term", "insomnia"]);
    }
}

//! The index schema, built from `index-schema/schema.json`.
//!
//! The JSON file is the readable description (fields, types, tokenizers,
//! what is stored or fast, and why); this module turns it into a tantivy
//! [`Schema`] and registers the tokenizers it names.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::sync::Arc;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

/// The schema description shipped with the binary.
pub const SCHEMA_JSON: &str = include_str!("../index-schema/schema.json");

/// The English stemming analyzer's name.
pub const EN_STEM: &str = "en_stem";
/// The analyzer of adjacent stemmed word pairs (see [`WordPairs`]).
pub const EN_PAIRS: &str = "en_pairs";
/// The lower-cased whole-value analyzer's name.
pub const KEYWORD: &str = "keyword";

/// A bad schema description.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The JSON does not parse.
    #[error("index-schema/schema.json: {0}")]
    Json(#[from] serde_json::Error),
    /// A field with a type or tokenizer this code does not know.
    #[error("index-schema/schema.json: field '{field}': {reason}")]
    Field {
        /// The field's name.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

/// The schema file's top level.
#[derive(Debug, Deserialize)]
pub struct SchemaSpec {
    /// Bumped whenever documents change shape; stored in the index.
    pub format_version: u32,
    /// The fields, in order.
    pub fields: Vec<FieldSpec>,
}

/// One field as the schema file describes it.
#[derive(Debug, Deserialize)]
pub struct FieldSpec {
    /// Field name.
    pub name: String,
    /// `text` or `u64`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `raw`, `en_stem`, `keyword`, or null for stored-only text.
    #[serde(default)]
    pub tokenizer: Option<String>,
    /// Whether the value is stored in the doc store.
    #[serde(default)]
    pub stored: bool,
    /// Whether the field has a fast (columnar) column.
    #[serde(default)]
    pub fast: bool,
    /// For u64 fields: whether they are indexed (term lookups).
    #[serde(default)]
    pub indexed: bool,
    /// For text: whether positions are kept (phrase queries).
    #[serde(default)]
    pub positions: bool,
    /// Query-time boost for full-text fields.
    #[serde(default)]
    pub boost: Option<f32>,
    /// Whether a document can carry several values.
    #[serde(default)]
    pub multi: bool,
}

impl SchemaSpec {
    /// The built-in description.
    pub fn builtin() -> Result<SchemaSpec, SchemaError> {
        Ok(serde_json::from_str(SCHEMA_JSON)?)
    }

    /// The tantivy schema the description says.
    pub fn to_schema(&self) -> Result<Schema, SchemaError> {
        let mut builder = Schema::builder();
        for f in &self.fields {
            let bad = |reason: &str| SchemaError::Field {
                field: f.name.clone(),
                reason: reason.to_string(),
            };
            match f.kind.as_str() {
                "text" => {
                    let mut opts = TextOptions::default();
                    if let Some(tok) = &f.tokenizer {
                        let record = match (tok.as_str(), f.positions) {
                            (EN_STEM | EN_PAIRS, true) => IndexRecordOption::WithFreqsAndPositions,
                            (EN_STEM | EN_PAIRS, false) => IndexRecordOption::WithFreqs,
                            ("raw" | KEYWORD, _) => IndexRecordOption::Basic,
                            _ => return Err(bad(&format!("unknown tokenizer '{tok}'"))),
                        };
                        opts = opts.set_indexing_options(
                            TextFieldIndexing::default()
                                .set_tokenizer(tok)
                                .set_index_option(record),
                        );
                    }
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    if f.fast {
                        opts = opts.set_fast("raw");
                    }
                    builder.add_text_field(&f.name, opts);
                }
                "u64" => {
                    let mut opts = NumericOptions::default();
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    if f.fast {
                        opts = opts.set_fast();
                    }
                    if f.indexed {
                        opts = opts.set_indexed();
                    }
                    builder.add_u64_field(&f.name, opts);
                }
                other => return Err(bad(&format!("unknown type '{other}'"))),
            }
        }
        Ok(builder.build())
    }
}

/// Registers the analyzers the schema names on an index.
pub fn register_tokenizers(index: &Index) {
    let manager = index.tokenizers();
    manager.register(EN_STEM, stemmed_words(CachedStemmer::default()).build());
    manager.register(
        EN_PAIRS,
        stemmed_words(CachedStemmer::default())
            .filter(WordPairs::new())
            .build(),
    );
    manager.register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// The words of [`EN_STEM`]: split on non-alphanumerics, over-long words
/// dropped, lower-cased, stemmed. [`EN_PAIRS`] and [`snippet_analyzer`]
/// start from the same chain, so their words are always the indexed words.
fn stemmed_words(stemmer: CachedStemmer) -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(stemmer)
}

/// The English Porter stemmer with a cache of the words already seen.
///
/// The letters use a small vocabulary over and over ("medically",
/// "necessary", "guidelines"...): looking a word up is much cheaper than
/// stemming it again, and indexing stems every token. Output is exactly
/// tantivy's `Stemmer::new(Language::English)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer {
    /// When set, only words whose first byte is marked are stemmed (see
    /// [`snippet_analyzer`]).
    only: Option<[bool; 256]>,
}

/// The analyzer that finds a hit's matched words for its snippet: the same
/// tokens as [`EN_STEM`] for every word that can stem to one of `stems`.
///
/// The English stemmer only ever rewrites a word's ending, never its first
/// letter (`injections` -> `inject`, `medically` -> `medic`), so a word whose
/// first byte starts none of the stems cannot match and is not stemmed:
/// that was most of the cost of ten snippets.
pub fn snippet_analyzer<'a>(stems: impl IntoIterator<Item = &'a String>) -> TextAnalyzer {
    let mut only = [false; 256];
    for stem in stems {
        if let Some(&b) = stem.as_bytes().first() {
            only[usize::from(b)] = true;
        }
    }
    stemmed_words(CachedStemmer { only: Some(only) }).build()
}

/// Words cached per analyzer instance at most (a typo-heavy corpus cannot grow it without bound).
///
/// The cache hashes with FxHash, not SipHash: the keys are short words and
/// SipHash was 4% of the whole build's CPU (this bound caps what a crafted
/// letter could do to it).
const STEM_CACHE_MAX: usize = 200_000;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            only: self.only,
            cache: FxHashMap::default(),
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    only: Option<[bool; 256]>,
    cache: FxHashMap<String, String>,
    stemmer: TextAnalyzer,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            only: self.only.as_ref(),
            cache: &mut self.cache,
            stemmer: &mut self.stemmer,
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    only: Option<&'a [bool; 256]>,
    cache: &'a mut FxHashMap<String, String>,
    stemmer: &'a mut TextAnalyzer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let (Some(only), Some(&b)) = (self.only, token.text.as_bytes().first()) {
            if !only[usize::from(b)] {
                return true;
            }
        }
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(&token.text);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                token.text.clone()
            }
        };
        if self.cache.len() < STEM_CACHE_MAX {
            self.cache
                .insert(std::mem::take(&mut token.text), stem.clone());
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Turns a stream of words into a stream of adjacent pairs: each pair is one
/// token, the two words joined by a space, at the first word's position.
///
/// "Functional improvement documented" gives `function improv` and
/// `improv document`. A quoted phrase of two words is
/// then one term lookup, and one of three or more a phrase of pairs, rather
/// than a check of word positions in every decision that holds all the
/// words (`"functional improvement"`: 112,000 such decisions on 100,000
/// letters). Words are paired only when their positions are adjacent: a
/// word dropped as too long leaves a gap that no phrase spans either.
///
/// A pair with a word of `data/pair-stopwords.txt` is not made ("is not",
/// "of the"): six pairs in ten are such, and a phrase with one of those
/// words is checked by positions as before.
#[derive(Clone, Debug)]
pub struct WordPairs {
    /// The stems of the words never paired.
    skip: Arc<FxHashSet<String>>,
}

/// The words never paired, one per line.
const PAIR_STOPWORDS: &str = include_str!("../data/pair-stopwords.txt");

impl WordPairs {
    /// Pairs every two adjacent words but those of `data/pair-stopwords.txt`.
    pub fn new() -> WordPairs {
        let mut stemmer = TextAnalyzer::builder(RawTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let skip = PAIR_STOPWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|w| {
                let mut s = stemmer.token_stream(w);
                s.advance().then(|| s.token().text.clone())
            })
            .collect();
        WordPairs {
            skip: Arc::new(skip),
        }
    }
}

impl Default for WordPairs {
    fn default() -> WordPairs {
        WordPairs::new()
    }
}

impl TokenFilter for WordPairs {
    type Tokenizer<T: Tokenizer> = WordPairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordPairsFilter<T> {
        WordPairsFilter {
            inner: tokenizer,
            skip: self.skip,
        }
    }
}

/// [`WordPairs`] applied to a tokenizer.
#[derive(Clone)]
pub struct WordPairsFilter<T> {
    inner: T,
    skip: Arc<FxHashSet<String>>,
}

impl<T: Tokenizer> Tokenizer for WordPairsFilter<T> {
    type TokenStream<'a> = WordPairsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordPairsStream {
            tail: self.inner.token_stream(text),
            skip: &self.skip,
            previous: None,
            last: String::new(),
            token: Token::default(),
        }
    }
}

/// The token stream of [`WordPairsFilter`].
pub struct WordPairsStream<'a, T> {
    tail: T,
    skip: &'a FxHashSet<String>,
    /// The last word seen (unless a never-paired word followed it): its
    /// position and start offset; its text is in `last`.
    previous: Option<(usize, usize)>,
    last: String,
    token: Token,
}

impl<T: TokenStream> TokenStream for WordPairsStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let word = self.tail.token();
            if self.skip.contains(&word.text) {
                self.previous = None;
                continue;
            }
            let paired = match self.previous {
                Some((position, from)) if position + 1 == word.position => {
                    self.token.text.clear();
                    self.token.text.push_str(&self.last);
                    self.token.text.push(' ');
                    self.token.text.push_str(&word.text);
                    self.token.position = position;
                    self.token.offset_from = from;
                    self.token.offset_to = word.offset_to;
                    self.token.position_length = 1;
                    true
                }
                _ => false,
            };
            self.previous = Some((word.position, word.offset_from));
            self.last.clear();
            self.last.push_str(&word.text);
            if paired {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Every field handle the indexer and searcher use, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `letter_id`
    pub letter_id: Field,
    /// `letter_hash`
    pub letter_hash: Field,
    /// `source_path`
    pub source_path: Field,
    /// `decision_index`
    pub decision_index: Field,
    /// `item`
    pub item: Field,
    /// `rationale`
    pub rationale: Field,
    /// `rationale_pairs`
    pub rationale_pairs: Field,
    /// `case_summary`
    pub case_summary: Field,
    /// `outcome`
    pub outcome: Field,
    /// `category`
    pub category: Field,
    /// `drug`
    pub drug: Field,
    /// `drug_brand`
    pub drug_brand: Field,
    /// `drug_class`
    pub drug_class: Field,
    /// `source`
    pub source: Field,
    /// `page`
    pub page: Field,
    /// `specialty`
    pub specialty: Field,
    /// `state`
    pub state: Field,
    /// `year`
    pub year: Field,
    /// `letter_json`
    pub letter_json: Field,
}

impl Fields {
    /// Resolves every field in `schema`; an index built by another schema fails here.
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            letter_id: f("letter_id")?,
            letter_hash: f("letter_hash")?,
            source_path: f("source_path")?,
            decision_index: f("decision_index")?,
            item: f("item")?,
            rationale: f("rationale")?,
            rationale_pairs: f("rationale_pairs")?,
            case_summary: f("case_summary")?,
            outcome: f("outcome")?,
            category: f("category")?,
            drug: f("drug")?,
            drug_brand: f("drug_brand")?,
            drug_class: f("drug_class")?,
            source: f("source")?,
            page: f("page")?,
            specialty: f("specialty")?,
            state: f("state")?,
            year: f("year")?,
            letter_json: f("letter_json")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::FieldType;

    #[test]
    fn the_description_and_the_tantivy_schema_agree() {
        let spec = SchemaSpec::builtin().unwrap();
        let schema = spec.to_schema().unwrap();
        assert_eq!(schema.fields().count(), spec.fields.len());
        for f in &spec.fields {
            let field = schema.get_field(&f.name).unwrap();
            let entry = schema.get_field_entry(field);
            assert_eq!(entry.is_stored(), f.stored, "{} stored", f.name);
            assert_eq!(entry.is_fast(), f.fast, "{} fast", f.name);
            match entry.field_type() {
                FieldType::Str(opts) => {
                    assert_eq!(f.kind, "text");
                    let indexing = opts.get_indexing_options();
                    assert_eq!(
                        indexing.map(|i| i.tokenizer().to_string()),
                        f.tokenizer.clone(),
                        "{} tokenizer",
                        f.name
                    );
                    assert_eq!(
                        indexing.is_some_and(|i| i.index_option().has_positions()),
                        f.positions,
                        "{} positions",
                        f.name
                    );
                }
                FieldType::U64(opts) => {
                    assert_eq!(f.kind, "u64");
                    assert_eq!(opts.is_indexed(), f.indexed, "{} indexed", f.name);
                }
                other => panic!("{}: unexpected type {other:?}", f.name),
            }
        }
        Fields::resolve(&schema).expect("every field the code uses is described");
    }

    #[test]
    fn the_cached_stemmer_stems_like_tantivys() {
        let text =
            "Injections injection medically necessary guidelines guidelines running Ran ponies";
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer::default())
            .build();
        let tokens = |a: &mut TextAnalyzer| {
            let mut out = Vec::new();
            let mut s = a.token_stream(text);
            while s.advance() {
                out.push((
                    s.token().text.clone(),
                    s.token().offset_from,
                    s.token().position,
                ));
            }
            out
        };
        let expected = tokens(&mut plain);
        assert_eq!(expected[0].0, "inject");
        assert_eq!(tokens(&mut cached), expected);
        // A second pass is served from the cache, identically.
        assert_eq!(tokens(&mut cached), expected);
    }

    #[test]
    fn the_snippet_analyzer_finds_what_en_stem_finds() {
        let text = "Injections, inject, INJECTED; medically necessary. Medication injured ideally";
        let index = Index::create_in_ram(SchemaSpec::builtin().unwrap().to_schema().unwrap());
        register_tokenizers(&index);
        let mut full = index.tokenizers().get(EN_STEM).unwrap();
        let stems: Vec<String> = vec!["inject".into(), "medic".into()];
        let mut quick = snippet_analyzer(&stems);
        let tokens = |a: &mut TextAnalyzer| {
            let mut out = Vec::new();
            let mut s = a.token_stream(text);
            while s.advance() {
                out.push((s.token().text.clone(), s.token().offset_from));
            }
            out
        };
        let (full, quick) = (tokens(&mut full), tokens(&mut quick));
        assert_eq!(full.len(), quick.len());
        for (f, q) in full.iter().zip(&quick) {
            // Same offsets; the same text wherever either is a wanted stem.
            assert_eq!(f.1, q.1);
            if stems.contains(&f.0) || stems.contains(&q.0) {
                assert_eq!(f, q);
            }
        }
        let found = quick.iter().filter(|t| stems.contains(&t.0)).count();
        // Injections, inject, INJECTED; medically, Medication.
        assert_eq!(found, 5, "{quick:?}");
        // Words starting with other letters are left unstemmed.
        assert!(quick.iter().any(|t| t.0 == "necessary"), "{quick:?}");
    }

    #[test]
    fn word_pairs_join_adjacent_stems_at_the_first_position() {
        let index = Index::create_in_ram(SchemaSpec::builtin().unwrap().to_schema().unwrap());
        register_tokenizers(&index);
        let mut pairs = index.tokenizers().get(EN_PAIRS).unwrap();
        let long = "x".repeat(41);
        let text =
            format!("Functional improvement, documented; short-term {long} use is not shown");
        let mut s = pairs.token_stream(&text);
        let mut out = Vec::new();
        while s.advance() {
            let t = s.token();
            out.push((
                t.text.clone(),
                t.position,
                &text[t.offset_from..t.offset_to],
            ));
        }
        assert_eq!(
            out,
            vec![
                ("function improv".to_string(), 0, "Functional improvement"),
                ("improv document".to_string(), 1, "improvement, documented"),
                ("document short".to_string(), 2, "documented; short"),
                ("short term".to_string(), 3, "short-term"),
                // The 41-byte word (position 5) is dropped: no pair spans
                // it. "use is" and "is not" hold a stop word; "not" is
                // paired.
                ("not shown".to_string(), 8, "not shown"),
            ]
        );
        drop(s);
        // One word alone makes no pair.
        assert!(!pairs.token_stream("zolpidem").advance());
    }

    #[test]
    fn unknown_types_and_tokenizers_are_errors() {
        let spec: SchemaSpec = serde_json::from_str(
            r#"{"format_version":1,"fields":[{"name":"x","type":"text","tokenizer":"klingon"}]}"#,
        )
        .unwrap();
        assert_eq!(
            spec.to_schema().unwrap_err().to_string(),
            "index-schema/schema.json: field 'x': unknown tokenizer 'klingon'"
        );
    }
}

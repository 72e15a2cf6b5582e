//! The command line (clap types only), turned into a validated [`Command`].
//!
//! Nothing else in the crate sees clap: [`Cli::into_command`] hands the
//! library plain, checked values.

use clap::{Args, Parser, Subcommand};
use imr_search::config::{
    Command, ExportConfig, ExportFormat, FacetsConfig, IndexConfig, ParseConfig, QueryConfig,
    ShowConfig,
};
use imr_search::error::Error;
use imr_search::facets::FacetField;
use imr_search::model::{Category, DrugClass, Outcome, Source};
use imr_search::search::Filters;
use std::path::PathBuf;

/// Search California workers' compensation IMR final determination letters.
#[derive(Debug, Parser)]
#[command(
    name = "imr-search",
    version,
    about = "Search California workers' compensation Independent Medical Review (IMR) decisions",
    long_about = "Parses IMR final determination letters (plain text extracted from the published PDFs) into one record per decision (drug, outcome, reviewer specialty, guideline pages...), indexes them, and answers ranked searches over the reviewers' rationales and counts of how reviewers decided.",
    after_help = "Examples:\n  imr-search index ./letters\n  imr-search query \"Ambien FDA 35 days\" --outcome upheld\n  imr-search facets --by drug\n  imr-search show 000_2c01b65a799f327b\n\nExit codes: 0 success, 1 runtime failure, 2 bad usage or bad query."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Cmd,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Index folders of letters (*.txt, recursively); re-runs index only new or changed letters
    #[command(
        after_help = "Examples:\n  imr-search index ./letters\n  imr-search index ./2014 ./2015 --index ~/imr-index\n  imr-search index ./letters --rebuild\n\nLetters whose content is unchanged since the last run are skipped; a changed letter replaces its old decisions. Letters deleted from disk stay in the index until `--rebuild`. Ctrl-C stops after committing the letters already done; run the same command again to finish."
    )]
    Index(IndexArgs),
    /// Ranked search over the rationales, items and case summaries
    #[command(
        after_help = "Query language:\n  words            ranked BM25 (rationale counts most, then item, then case summary)\n  \"exact phrase\"   words in this order\n  -word            exclude decisions with the word\n  a AND b, a OR b  boolean operators; parentheses group\n  field:value      drug:zolpidem, drug_class:opioid, outcome:upheld, source:odg, item:norco\nDrug names are one word: `ambien` also finds rationales that only say `zolpidem`.\n\nExamples:\n  imr-search query \"Ambien FDA 35 days\" --outcome upheld\n  imr-search query '\"functional improvement\" -weaning' --drug norco --json\n  imr-search query \"\" --page 78          (every decision citing MTUS page 78)"
    )]
    Query(QueryArgs),
    /// Count decisions per value of a field, split into upheld and overturned
    #[command(
        after_help = "Fields: drug, drug-class, category, outcome, specialty, source, page, state, year.\nDecisions with no value for the field (non-drug items for --by drug) are counted under \"(none)\", so the buckets account for every matching decision.\n\nExamples:\n  imr-search facets --by drug\n  imr-search facets --by drug --drug-class opioid\n  imr-search facets --by outcome --drug norco\n  imr-search facets --by page --source MTUS --query \"opioid\""
    )]
    Facets(FacetsArgs),
    /// Parse letters and print what was extracted (no index needed)
    #[command(
        after_help = "Examples:\n  imr-search parse sample-data/000_2c01b65a799f327b.txt\n  imr-search parse letters/*.txt --json > letters.jsonl"
    )]
    Parse(ParseArgs),
    /// Show one indexed letter, all its decisions
    #[command(after_help = "Example:\n  imr-search show 000_2c01b65a799f327b --json")]
    Show(ShowArgs),
    /// Export every indexed decision (one JSON object per line) for other engines
    #[command(
        after_help = "Each line is a decision with the contract's decision fields plus its letter's fields; index-schema/ holds matching Quickwit and OpenSearch mappings.\n\nExample:\n  imr-search export --format ndjson > decisions.ndjson"
    )]
    Export(ExportArgs),
}

/// Where the index lives.
#[derive(Debug, Args)]
pub struct IndexPath {
    /// Index directory [env: IMR_SEARCH_INDEX; default: ./imr-index]
    #[arg(
        long = "index",
        value_name = "PATH",
        env = "IMR_SEARCH_INDEX",
        hide_env = true
    )]
    pub index: Option<PathBuf>,
}

impl IndexPath {
    fn resolve(self) -> PathBuf {
        self.index
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("./imr-index"))
    }
}

/// `index` arguments.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folders (searched recursively for *.txt) or letter files
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub index: IndexPath,
    /// Delete the existing index and build it again from scratch
    #[arg(long)]
    pub rebuild: bool,
    /// Merge the index into one segment when done: later queries open one
    /// segment instead of several (cheap ones 0.02-0.1 ms faster on 100,000
    /// letters; the heaviest lose searching segments on several cores), for
    /// a longer build (4-7 s more per 100,000 letters)
    #[arg(long)]
    pub merge: bool,
    /// Worker threads for parsing and indexing [default: all cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// No progress bar and no per-file warnings; the summary and failures still print
    #[arg(long, short)]
    pub quiet: bool,
    /// Refuse letter files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = imr_search::letter::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    /// Writer memory budget in MB (bounded whatever the corpus size)
    #[arg(long, value_name = "MB", default_value_t = 512, value_parser = clap::value_parser!(u64).range(32..=8192))]
    pub memory_mb: u64,
    /// Commit after this many new or changed letters (crash-safety granularity)
    #[arg(long, value_name = "N", default_value_t = 100_000, hide = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub commit_every: u64,
}

/// Filters shared by query, facets and export.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only decisions with this outcome (repeatable: OR)
    #[arg(long, value_name = "upheld|overturned")]
    pub outcome: Vec<Outcome>,
    /// Drug, brand or generic, any case: `ambien` = `zolpidem` (repeatable)
    #[arg(long, value_name = "NAME")]
    pub drug: Vec<String>,
    /// Drug class: opioid, muscle-relaxant, sedative-hypnotic, benzodiazepine, nsaid, anticonvulsant, antidepressant, antiemetic, topical, gastro-protective, other
    #[arg(long = "drug-class", value_name = "CLASS")]
    pub drug_class: Vec<DrugClass>,
    /// Item category: pharmacy, injection, imaging, diagnostic, physical-medicine, surgery, dme, behavioral, program, consultation, home-care, other
    #[arg(long, value_name = "CATEGORY")]
    pub category: Vec<Category>,
    /// Reviewer specialty or subspecialty, any case (repeatable)
    #[arg(long, value_name = "NAME")]
    pub specialty: Vec<String>,
    /// Guideline body the IMR reviewer relied on: MTUS, ACOEM, ODG, FDA, CCR, OTHER
    #[arg(long, value_name = "SOURCE")]
    pub source: Vec<Source>,
    /// Guideline page cited by the IMR reviewer; a letter citing 74-80 matches 78
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub page: Vec<u32>,
    /// Reviewer licensure state, any case (repeatable)
    #[arg(long, value_name = "NAME")]
    pub state: Vec<String>,
    /// Year of injury (YYYY)
    #[arg(long, value_name = "YYYY", allow_negative_numbers = true, value_parser = parse_year)]
    pub year: Vec<u32>,
    /// One letter's decisions only (repeatable)
    #[arg(long, value_name = "LETTER_ID")]
    pub letter: Vec<String>,
}

/// `--year 2014`; anything else says what a year looks like.
fn parse_year(s: &str) -> Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
        .ok_or_else(|| {
            "a year of injury is four digits between 1900 and 2100, e.g. 2014".to_string()
        })
}

impl From<FilterArgs> for Filters {
    fn from(a: FilterArgs) -> Filters {
        Filters {
            outcomes: a.outcome,
            drugs: a.drug,
            drug_classes: a.drug_class,
            categories: a.category,
            specialties: a.specialty,
            sources: a.source,
            pages: a.page,
            states: a.state,
            years: a.year,
            letters: a.letter,
        }
    }
}

/// `query` arguments.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query text (may be "" to list what the filters match)
    #[arg(value_name = "TEXT", allow_hyphen_values = true)]
    pub text: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub index: IndexPath,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub filters: FilterArgs,
    /// Hits to show
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub limit: u64,
    /// Hits to skip (for paging)
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=10_000_000))]
    pub offset: u64,
    /// Print the contract's JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

/// `facets` arguments.
#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Field to count: drug, drug-class, category, outcome, specialty, source, page, state, year
    #[arg(long, value_name = "FIELD")]
    pub by: FacetField,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub index: IndexPath,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub filters: FilterArgs,
    /// Count only decisions matching this query text
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Print the contract's JSON object instead of a table
    #[arg(long)]
    pub json: bool,
}

/// `parse` arguments.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Letter files
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One JSON object per file (JSON Lines)
    #[arg(long)]
    pub json: bool,
    /// Refuse files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = imr_search::letter::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
}

/// `show` arguments.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The letter id (the file name without .txt)
    #[arg(value_name = "LETTER_ID")]
    pub id: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub index: IndexPath,
    /// Print the parsed letter as JSON
    #[arg(long)]
    pub json: bool,
}

/// `export` arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format (ndjson: one JSON object per decision per line)
    #[arg(long, value_name = "FORMAT", default_value = "ndjson", value_parser = ["ndjson"])]
    pub format: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub index: IndexPath,
}

impl Cli {
    /// Validates the arguments into a plain command.
    pub fn into_command(self) -> Result<Command, Error> {
        Ok(match self.command {
            Cmd::Index(a) => {
                let threads = a
                    .threads
                    .map(usize::from)
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
                Command::Index(IndexConfig {
                    inputs: a.dirs,
                    index_path: a.index.resolve(),
                    rebuild: a.rebuild,
                    merge: a.merge,
                    threads,
                    quiet: a.quiet,
                    max_bytes: a.max_bytes,
                    memory_budget: (a.memory_mb as usize) << 20,
                    commit_every: a.commit_every as usize,
                })
            }
            Cmd::Query(a) => {
                if a.text.len() > 100_000 {
                    return Err(Error::Usage(
                        "the query text is over 100,000 characters: shorten it".into(),
                    ));
                }
                Command::Query(QueryConfig {
                    index_path: a.index.resolve(),
                    text: a.text,
                    filters: a.filters.into(),
                    limit: a.limit as usize,
                    offset: a.offset as usize,
                    json: a.json,
                })
            }
            Cmd::Facets(a) => Command::Facets(FacetsConfig {
                index_path: a.index.resolve(),
                by: a.by,
                query: a.query.unwrap_or_default(),
                filters: a.filters.into(),
                json: a.json,
            }),
            Cmd::Parse(a) => Command::Parse(ParseConfig {
                files: a.files,
                json: a.json,
                max_bytes: a.max_bytes,
            }),
            Cmd::Show(a) => Command::Show(ShowConfig {
                index_path: a.index.resolve(),
                id: a.id,
                json: a.json,
            }),
            Cmd::Export(a) => Command::Export(ExportConfig {
                index_path: a.index.resolve(),
                format: match a.format.as_str() {
                    "ndjson" => ExportFormat::Ndjson,
                    other => {
                        return Err(Error::Usage(format!(
                            "unknown export format '{other}': use ndjson"
                        )))
                    }
                },
            }),
        })
    }
}

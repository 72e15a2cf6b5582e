//! Validated commands: what the binary's argument parser hands the library.

use crate::facets::FacetField;
use crate::search::Filters;
use std::path::PathBuf;

/// One command, checked and ready to run.
#[derive(Debug, Clone)]
pub enum Command {
    /// `imr-search index`
    Index(IndexConfig),
    /// `imr-search query`
    Query(QueryConfig),
    /// `imr-search facets`
    Facets(FacetsConfig),
    /// `imr-search parse`
    Parse(ParseConfig),
    /// `imr-search show`
    Show(ShowConfig),
    /// `imr-search export`
    Export(ExportConfig),
}

/// `index DIR...`
#[derive(Debug, Clone)]
pub struct IndexConfig {
    /// Folders or files to index.
    pub inputs: Vec<PathBuf>,
    /// The index directory.
    pub index_path: PathBuf,
    /// Start from scratch.
    pub rebuild: bool,
    /// Merge into one segment at the end.
    pub merge: bool,
    /// Worker threads.
    pub threads: usize,
    /// No progress bar, no warnings.
    pub quiet: bool,
    /// Larger files are refused.
    pub max_bytes: u64,
    /// Writer memory budget in bytes.
    pub memory_budget: usize,
    /// Commit after this many new or changed letters.
    pub commit_every: usize,
}

/// `query TEXT`
#[derive(Debug, Clone)]
pub struct QueryConfig {
    /// The index directory.
    pub index_path: PathBuf,
    /// The query text.
    pub text: String,
    /// Filters.
    pub filters: Filters,
    /// Hits to show.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// JSON output.
    pub json: bool,
}

/// `facets --by FIELD`
#[derive(Debug, Clone)]
pub struct FacetsConfig {
    /// The index directory.
    pub index_path: PathBuf,
    /// The field counted.
    pub by: FacetField,
    /// Optional query text ("" for all).
    pub query: String,
    /// Filters.
    pub filters: Filters,
    /// JSON output.
    pub json: bool,
}

/// `parse FILE...`
#[derive(Debug, Clone)]
pub struct ParseConfig {
    /// Letter files.
    pub files: Vec<PathBuf>,
    /// JSON Lines output.
    pub json: bool,
    /// Larger files are refused.
    pub max_bytes: u64,
}

/// `show LETTER_ID`
#[derive(Debug, Clone)]
pub struct ShowConfig {
    /// The index directory.
    pub index_path: PathBuf,
    /// The letter id.
    pub id: String,
    /// JSON output.
    pub json: bool,
}

/// Formats `export` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per decision per line.
    Ndjson,
}

/// `export --format ndjson`
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// The index directory.
    pub index_path: PathBuf,
    /// Output format.
    pub format: ExportFormat,
}

//! The library's error type, and the exit code each error means.

use std::path::PathBuf;

/// Everything that can go wrong in a command, worded for the user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad usage: an invalid flag value or combination (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A query the parser cannot read (exit code 2).
    #[error("invalid query: {0}")]
    Query(String),
    /// No index where one was expected.
    #[error("no index at {0}: run `imr-search index DIR` first (or pass --index PATH)")]
    NoIndex(PathBuf),
    /// The index path exists but is not an imr-search index.
    #[error("{0} is not an imr-search index (no imr-search.json): pick another --index path")]
    NotAnIndex(PathBuf),
    /// The index path is a file.
    #[error("{0} is a file, not an index directory: pick another --index path")]
    IndexIsFile(PathBuf),
    /// An index written by another format version.
    #[error("the index at {path} has format v{found}, this imr-search reads v{expected}: run `imr-search index --rebuild DIR`")]
    IndexVersion {
        /// The index directory.
        path: PathBuf,
        /// The version found there.
        found: u32,
        /// The version this build writes.
        expected: u32,
    },
    /// Another process holds the index writer lock.
    #[error("the index at {0} is being written by another process: wait for it to finish")]
    Locked(PathBuf),
    /// A letter id not in the index.
    #[error("no letter with id '{id}' in the index at {path}")]
    UnknownLetter {
        /// The id asked for.
        id: String,
        /// The index directory.
        path: PathBuf,
    },
    /// A file system problem, with what we were doing.
    #[error("{context}: {source}")]
    Io {
        /// What failed, e.g. `cannot create /x/index`.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A tantivy failure, with what we were doing.
    #[error("{context}: {source}")]
    Tantivy {
        /// What failed.
        context: String,
        /// The cause.
        source: tantivy::TantivyError,
    },
    /// A bad built-in data file (a bug: the tests parse them all).
    #[error("{0}")]
    Data(String),
    /// Stopped by Ctrl-C after committing what was done.
    #[error("interrupted: {0}")]
    Interrupted(String),
}

impl Error {
    /// The process exit code: 2 for bad usage or a bad query, else 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Query(_) => 2,
            _ => 1,
        }
    }

    /// Wraps an I/O error with what we were doing.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    /// Wraps a tantivy error with what we were doing.
    pub fn tantivy(context: impl Into<String>) -> impl FnOnce(tantivy::TantivyError) -> Error {
        let context = context.into();
        move |source| Error::Tantivy { context, source }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! The index on disk: create, open, check the format version, take the writer.
//!
//! An index directory holds tantivy's files and `imr-search.json`, which
//! records the format version of the documents (from
//! `index-schema/schema.json`). tantivy's commits are atomic: a crash or a
//! `kill -9` leaves the last committed state readable.

use crate::error::{Error, Result};
use crate::schema::{register_tokenizers, Fields, SchemaSpec};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexWriter, TantivyDocument};

/// The marker file that says a directory is an imr-search index.
pub const META_FILE: &str = "imr-search.json";

/// What `imr-search.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    format_version: u32,
    created_by: String,
}

/// Bytes of stored documents compressed together (tantivy's default is
/// 16 KB). A hit decompresses its whole block: on 100,000 letters 8 KB
/// blocks made took_ms 0 to 12% lower (`medically` 0.72 -> 0.63 ms,
/// `antalgic` 0.68 -> 0.62 ms, back to back) for an index of 451 MB
/// instead of 394 MB (0.82 of the corpus) and no slower a build.
const DOC_STORE_BLOCK: usize = 8 * 1024;

/// How a command reads the index files, so the kernel reads ahead only
/// where that helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// Whole columns and runs of documents (facets, export, indexing): the
    /// kernel's readahead, as tantivy leaves it.
    #[default]
    Sequential,
    /// A few scattered pages (a query: term lookups, postings, ten stored
    /// hits): no readahead (`madvise(MADV_RANDOM)`). This VM's disk reads
    /// ahead 8 MB; with the index half evicted from the page cache, as after
    /// a SQLite or ripgrep run, a query that faulted in one 16 KB block of
    /// stored documents read megabytes. took_ms over the query mix on
    /// 100,000 letters, each run after an FTS5 query: median 1.02-1.17 ->
    /// 0.95-0.96 ms, p99 5.2-29.6 -> 5.0-5.1 ms. On unix, reads of a few
    /// kilobytes are also copied rather than mapped ([`crate::directory`]).
    Scattered,
}

/// An open index with its resolved fields.
pub struct Store {
    /// The index directory.
    pub path: PathBuf,
    /// The tantivy index.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// The searcher over the last commit, opened on first use.
    searcher: OnceLock<tantivy::Searcher>,
    /// Decompressed blocks of stored documents kept per segment.
    doc_cache_blocks: usize,
}

fn format_version() -> Result<u32> {
    Ok(SchemaSpec::builtin()
        .map_err(|e| Error::Data(e.to_string()))?
        .format_version)
}

impl Store {
    /// Opens an existing index for reading (or writing).
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_for(path, Access::Sequential)
    }

    /// Opens an existing index, telling the kernel how it will be read.
    pub fn open_for(path: &Path, access: Access) -> Result<Store> {
        if path.is_file() {
            return Err(Error::IndexIsFile(path.to_path_buf()));
        }
        if !path.exists() {
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        let meta_path = path.join(META_FILE);
        let text = match std::fs::read_to_string(&meta_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let empty = std::fs::read_dir(path)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
                return Err(if empty {
                    Error::NoIndex(path.to_path_buf())
                } else {
                    Error::NotAnIndex(path.to_path_buf())
                });
            }
            Err(e) => return Err(Error::io(format!("cannot read {}", meta_path.display()))(e)),
        };
        let meta: Meta =
            serde_json::from_str(&text).map_err(|_| Error::NotAnIndex(path.to_path_buf()))?;
        if !path.join("meta.json").exists() {
            // Created, but stopped before its first commit.
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        let expected = format_version()?;
        if meta.format_version != expected {
            return Err(Error::IndexVersion {
                path: path.to_path_buf(),
                found: meta.format_version,
                expected,
            });
        }
        let dir = match access {
            #[cfg(unix)]
            Access::Scattered => crate::directory::QueryDirectory::open(path)
                .map(|d| Box::new(d) as Box<dyn tantivy::Directory>),
            _ => MmapDirectory::open(path).map(|d| Box::new(d) as Box<dyn tantivy::Directory>),
        }
        .map_err(|e| Error::Data(format!("cannot open index at {}: {e}", path.display())))?;
        let index = Index::open(dir).map_err(Error::tantivy(format!(
            "cannot open the index at {} (run `imr-search index --rebuild DIR` if it is damaged)",
            path.display()
        )))?;
        let mut store = Self::with_index(path, index)?;
        if access == Access::Scattered {
            // A query reads ten scattered hits: keeping no block lets each
            // decompress into the memory the one before freed, where a
            // kept block makes the next one land in fresh pages (faults).
            // On 100,000 letters took_ms 0-10% lower over the mix (11 runs
            // of each query, binaries alternated; `ambien` 1.15 -> 0.94 ms
            // with a 50 ms pause before each run).
            store.doc_cache_blocks = 0;
        }
        Ok(store)
    }

    /// Opens the index at `path`, creating it if the directory is missing or
    /// empty; `rebuild` deletes an existing index first.
    pub fn open_or_create(path: &Path, rebuild: bool) -> Result<Store> {
        if path.is_file() {
            return Err(Error::IndexIsFile(path.to_path_buf()));
        }
        let has_meta = path.join(META_FILE).exists();
        // The marker is written before tantivy's first commit: a run killed
        // in between leaves a marker without `meta.json`, an empty index.
        let created = path.join("meta.json").exists();
        if rebuild && has_meta {
            Self::remove(path)?;
        } else if has_meta && created {
            return Self::open(path);
        } else if path.exists() && !has_meta {
            let empty = std::fs::read_dir(path)
                .map_err(Error::io(format!("cannot read {}", path.display())))?
                .next()
                .is_none();
            if !empty {
                return Err(Error::NotAnIndex(path.to_path_buf()));
            }
        }
        std::fs::create_dir_all(path).map_err(Error::io(format!(
            "cannot create the index directory {}",
            path.display()
        )))?;
        let spec = SchemaSpec::builtin().map_err(|e| Error::Data(e.to_string()))?;
        let schema = spec.to_schema().map_err(|e| Error::Data(e.to_string()))?;
        // The marker goes first: it is what makes `--rebuild` allowed to
        // delete this directory, whatever happens next.
        let meta = Meta {
            format_version: spec.format_version,
            created_by: format!("imr-search {}", env!("CARGO_PKG_VERSION")),
        };
        let tmp = path.join(format!("{META_FILE}.tmp"));
        let json = serde_json::to_string_pretty(&meta).map_err(|e| Error::Data(e.to_string()))?;
        std::fs::write(&tmp, json)
            .and_then(|_| std::fs::rename(&tmp, path.join(META_FILE)))
            .map_err(Error::io(format!(
                "cannot write {}",
                path.join(META_FILE).display()
            )))?;
        let dir = MmapDirectory::open(path)
            .map_err(|e| Error::Data(format!("cannot open index at {}: {e}", path.display())))?;
        let settings = tantivy::IndexSettings {
            docstore_blocksize: DOC_STORE_BLOCK,
            ..Default::default()
        };
        let index = Index::create(dir, schema, settings).map_err(Error::tantivy(format!(
            "cannot create an index in {}",
            path.display()
        )))?;
        Self::with_index(path, index)
    }

    /// Removes an index directory's contents (only if it is an imr-search index).
    fn remove(path: &Path) -> Result<()> {
        // Refuse to rebuild while another process writes. The old index may
        // be of another format version or damaged: only its lock matters.
        let old = MmapDirectory::open(path)
            .ok()
            .and_then(|dir| Index::open(dir).ok());
        if let Some(index) = old {
            let writer: tantivy::Result<IndexWriter<TantivyDocument>> =
                index.writer_with_num_threads(1, 15_000_000);
            if let Err(tantivy::TantivyError::LockFailure(..)) = writer {
                return Err(Error::Locked(path.to_path_buf()));
            }
        }
        std::fs::remove_dir_all(path).map_err(Error::io(format!(
            "cannot remove the old index at {}",
            path.display()
        )))
    }

    /// A store over an index in memory, for unit tests.
    #[cfg(test)]
    pub(crate) fn for_tests(index: Index) -> Store {
        Self::with_index(Path::new("(memory)"), index).expect("the built-in schema resolves")
    }

    fn with_index(path: &Path, index: Index) -> Result<Store> {
        register_tokenizers(&index);
        let fields = Fields::resolve(&index.schema()).map_err(|_| Error::IndexVersion {
            path: path.to_path_buf(),
            found: 0,
            expected: format_version().unwrap_or(0),
        })?;
        Ok(Store {
            path: path.to_path_buf(),
            index,
            fields,
            searcher: OnceLock::new(),
            doc_cache_blocks: 1,
        })
    }

    /// A searcher over the last commit as of the first call, opened once per
    /// store (a clone is cheap): commits made after it are not seen, so a
    /// program that writes and then reads opens a new store. No reload
    /// thread or file watcher: every command is one short process.
    pub fn searcher(&self) -> Result<tantivy::Searcher> {
        if let Some(s) = self.searcher.get() {
            return Ok(s.clone());
        }
        let reader: tantivy::IndexReader = self
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            // One decompressed block per segment (none for a query, see
            // `open_for`): reading in document order (export) still
            // decompresses each block once, and hits reuse the memory of the
            // block before instead of touching fresh pages for each. 100
            // blocks (tantivy's default) -> 1, on 100,000 letters: took_ms
            // `ambien` 0.71 -> 0.66 ms, `short-term` 0.75 -> 0.70 ms; export
            // 1.48 -> 1.40 s.
            .doc_store_cache_num_blocks(self.doc_cache_blocks)
            .try_into()
            .map_err(Error::tantivy(format!(
                "cannot read the index at {}",
                self.path.display()
            )))?;
        Ok(self.searcher.get_or_init(|| reader.searcher()).clone())
    }

    /// Ends the store without unmapping its files, for a process about to
    /// exit: the kernel drops every mapping at once at exit, while unmapping
    /// the segments' files one by one was 8% of a query's whole time. A
    /// long-lived program simply drops the store instead.
    pub fn leak(self) {
        std::mem::forget(self);
    }

    /// Takes the single writer, with a total memory budget in bytes.
    pub fn writer(
        &self,
        memory_budget: usize,
        threads: usize,
    ) -> Result<IndexWriter<TantivyDocument>> {
        let threads = threads.clamp(1, 8);
        let budget = memory_budget.max(threads * 15_000_000);
        self.index
            .writer_with_num_threads(threads, budget)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Locked(self.path.clone()),
                tantivy::TantivyError::IoError(io)
                    if io.kind() == std::io::ErrorKind::PermissionDenied
                        || io.kind() == std::io::ErrorKind::ReadOnlyFilesystem =>
                {
                    Error::Io {
                        context: format!("cannot write the index at {}", self.path.display()),
                        source: std::io::Error::new(io.kind(), io.to_string()),
                    }
                }
                other => Error::tantivy(format!(
                    "cannot write the index at {}",
                    self.path.display()
                ))(other),
            })
    }
}

//! How a query process reads the index files: small reads are `pread`s,
//! large ones map the file.
//!
//! A query is one short process. With every file mapped (tantivy's
//! `MmapDirectory`), each first touch of a page is a page fault, and on a
//! virtual machine a fault costs about 2 us: the footer at the end of each
//! of a segment's six files, the block of each stored hit, the postings of
//! a rare word. A `pread` of those few kilobytes costs a system call and a
//! copy. Large reads (a field's term dictionary, its field norms, the
//! postings of a common word) still map the file, once, and only the
//! pages they touch are faulted in.

use std::fmt;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};
use tantivy::HasLen;

/// Reads up to this many bytes are copied with `pread` rather than mapped.
///
/// A stored hit's compressed block is a few KB and a footer a few dozen
/// bytes; a field's norms (one byte per decision) are 100 KB per segment.
pub const PREAD_MAX: usize = 16 * 1024;

/// The last bytes of a file, read once and kept: where its footers are.
///
/// Opening a segment file, tantivy reads its last 8 bytes (the footer's
/// length), then the footer (86 bytes), then the length and the table of
/// the file's fields (4 and 123 bytes): four `pread`s within the last 221
/// bytes, for each of a segment's six files. One read of the tail serves
/// them all: on 100,000 letters (two segments) `ambien` makes 84 `pread`s
/// instead of 120 and took_ms over the query mix is 4-10% lower (back to
/// back, binaries alternated). Keeping every page read, not just the
/// tails, saved more calls (62) but was slower: the pages kept are fresh
/// heap memory, and a page fault here costs more than a `pread`.
const TAIL: usize = 512;

/// An index directory opened for reading by one query.
///
/// Reads go through [`QueryFile`]; everything else (locks, the managed
/// file list, writes, which a query does not make) is tantivy's
/// `MmapDirectory`.
#[derive(Clone)]
pub struct QueryDirectory {
    root: PathBuf,
    inner: MmapDirectory,
}

impl fmt::Debug for QueryDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueryDirectory({})", self.root.display())
    }
}

impl QueryDirectory {
    /// Opens the index directory at `root`.
    pub fn open(
        root: &Path,
    ) -> Result<QueryDirectory, tantivy::directory::error::OpenDirectoryError> {
        Ok(QueryDirectory {
            root: root.to_path_buf(),
            inner: MmapDirectory::open(root)?,
        })
    }
}

impl Directory for QueryDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let full = self.root.join(path);
        let file = File::open(&full).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                OpenReadError::FileDoesNotExist(path.to_path_buf())
            } else {
                OpenReadError::wrap_io_error(e, full.clone())
            }
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, full.clone()))?
            .len();
        let len = usize::try_from(len).map_err(|_| {
            OpenReadError::wrap_io_error(
                io::Error::new(io::ErrorKind::InvalidData, "file too large to map"),
                full.clone(),
            )
        })?;
        Ok(Arc::new(QueryFile {
            path: full,
            file,
            len,
            map: OnceLock::new(),
            tail: OnceLock::new(),
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(
        &self,
        lock: &Lock,
    ) -> Result<DirectoryLock, tantivy::directory::error::LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// One index file: small reads copied with `pread`, large ones sliced
/// from a mapping made on the first large read.
struct QueryFile {
    path: PathBuf,
    file: File,
    len: usize,
    /// The whole file mapped, with random-access advice (no read-ahead:
    /// this machine's disk reads ahead 8 MB, which evicts more than a
    /// query reads); or why it could not be.
    map: OnceLock<Result<OwnedBytes, String>>,
    /// The last [`TAIL`] bytes, read on the first read within them.
    tail: OnceLock<OwnedBytes>,
}

impl fmt::Debug for QueryFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueryFile({}, {} bytes)", self.path.display(), self.len)
    }
}

impl HasLen for QueryFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl QueryFile {
    fn mapped(&self) -> io::Result<&OwnedBytes> {
        let map = self.map.get_or_init(|| {
            // SAFETY: index files are written once and never modified in
            // place (tantivy writes new segments and deletes old files);
            // a query only reads them. This is tantivy's own premise for
            // `MmapDirectory`.
            let map = unsafe { memmap2::Mmap::map(&self.file) }.map_err(|e| e.to_string())?;
            // Advice is only a hint: a kernel that refuses it still reads.
            let _ = map.advise(memmap2::Advice::Random);
            Ok(OwnedBytes::new(map))
        });
        map.as_ref()
            .map_err(|e| io::Error::other(format!("cannot map {}: {e}", self.path.display())))
    }
}

impl FileHandle for QueryFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "read of bytes {range:?} past the end of {} ({} bytes)",
                    self.path.display(),
                    self.len
                ),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let tail_start = self.len.saturating_sub(TAIL);
        if range.start >= tail_start {
            let tail = match self.tail.get() {
                Some(tail) => tail,
                None => {
                    let mut buf = vec![0u8; self.len - tail_start];
                    self.file.read_exact_at(&mut buf, tail_start as u64)?;
                    self.tail.get_or_init(|| OwnedBytes::new(buf))
                }
            };
            return Ok(tail.slice(range.start - tail_start..range.end - tail_start));
        }
        if range.len() <= PREAD_MAX {
            let mut buf = vec![0u8; range.len()];
            self.file.read_exact_at(&mut buf, range.start as u64)?;
            return Ok(OwnedBytes::new(buf));
        }
        Ok(self.mapped()?.slice(range))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(bytes: &[u8]) -> (tempfile::TempDir, Arc<dyn FileHandle>) {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("f.bin"), bytes).expect("write");
        let d = QueryDirectory::open(dir.path()).expect("open");
        let h = d.get_file_handle(Path::new("f.bin")).expect("handle");
        (dir, h)
    }

    #[test]
    fn small_and_large_reads_return_the_same_bytes_as_the_file() {
        let bytes: Vec<u8> = (0..3 * PREAD_MAX as u32).map(|i| (i % 251) as u8).collect();
        let (_dir, h) = file_of(&bytes);
        assert_eq!(h.len(), bytes.len());
        // Small (pread), large (mapped), small again after the mapping,
        // the last byte, and an empty range.
        for r in [
            10..100,
            5..5 + 2 * PREAD_MAX,
            PREAD_MAX..PREAD_MAX + 7,
            bytes.len() - 1..bytes.len(),
            0..bytes.len(),
            42..42,
        ] {
            assert_eq!(h.read_bytes(r.clone()).expect("read").as_slice(), &bytes[r]);
        }
    }

    #[test]
    fn reads_in_the_tail_come_from_one_read_of_it() {
        // A segment file's open: its last 8 bytes, the footer before them,
        // the length and table of its fields before that; then a read
        // across the tail's start, and a file shorter than the tail.
        let bytes: Vec<u8> = (0..3 * TAIL as u32).map(|i| (i * 7 % 253) as u8).collect();
        let n = bytes.len();
        let (_dir, h) = file_of(&bytes);
        for r in [
            n - 8..n,
            n - 94..n - 8,
            n - 98..n - 94,
            n - 221..n - 98,
            n - TAIL - 10..n - TAIL + 10,
            n - TAIL..n,
            n..n,
        ] {
            assert_eq!(h.read_bytes(r.clone()).expect("read").as_slice(), &bytes[r]);
        }
        let (_dir, short) = file_of(b"0123456789");
        assert_eq!(short.read_bytes(6..10).expect("read").as_slice(), b"6789");
        assert_eq!(short.read_bytes(0..3).expect("read").as_slice(), b"012");
    }

    #[test]
    fn a_read_past_the_end_is_an_error_not_a_panic() {
        let (_dir, h) = file_of(b"0123456789");
        assert!(h.read_bytes(5..11).is_err());
        let d = QueryDirectory::open(_dir.path()).expect("open");
        assert!(matches!(
            d.get_file_handle(Path::new("missing.bin")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}

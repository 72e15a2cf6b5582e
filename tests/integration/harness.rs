//! A small harness in the spirit of ripgrep's: each test gets its own temp
//! dir and runs the built `imr-search` binary in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `sample-data/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every letter in `sample-data/`, sorted.
pub fn sample_letters() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("sample-data"))
        .expect("sample-data/ exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// A temp dir with a command builder for the binary.
pub struct Dir {
    /// Removed when the test ends.
    pub tmp: tempfile::TempDir,
}

impl Dir {
    /// A fresh empty directory.
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Copies the sample letters into `letters/` and returns that folder.
    pub fn with_samples(&self) -> PathBuf {
        let dir = self.path().join("letters");
        std::fs::create_dir_all(&dir).expect("mkdir letters");
        for f in sample_letters() {
            std::fs::copy(&f, dir.join(f.file_name().expect("file name"))).expect("copy letter");
        }
        dir
    }

    /// Writes a file (creating parents) and returns its path.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, bytes).expect("write file");
        path
    }

    /// The binary, run in this dir, with the index in `./index`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_imr-search"));
        cmd.current_dir(self.path())
            .env("IMR_SEARCH_INDEX", self.path().join("index"))
            .env("NO_COLOR", "1")
            .args(args);
        cmd
    }

    /// Runs the binary and returns its output, whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run imr-search")
    }

    /// Runs the binary, asserts success and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "imr-search {args:?} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs with `--json` appended and deserializes stdout.
    pub fn json<T: serde::de::DeserializeOwned>(&self, args: &[&str]) -> T {
        let mut args = args.to_vec();
        args.push("--json");
        let stdout = self.ok(&args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{stdout}"))
    }
}

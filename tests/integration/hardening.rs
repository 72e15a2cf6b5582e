//! Bad input, crashes, concurrent use: real files and real processes.

use crate::harness::{root, Dir};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(root().join("sample-data").join(name)).expect("sample letter")
}

/// `n` copies of the sample letters under `dir`, with distinct ids.
fn many_letters(dir: &Dir, n: usize) -> PathBuf {
    let letters = dir.path().join("many");
    let samples = crate::harness::sample_letters();
    for i in 0..n {
        let src = &samples[i % samples.len()];
        let bytes = std::fs::read(src).unwrap();
        dir.write(&format!("many/{:03}/{:06}_copy.txt", i / 500, i), bytes);
    }
    letters
}

fn total(dir: &Dir) -> u64 {
    let v: Value = dir.json(&["facets", "--by", "outcome"]);
    v["total"].as_u64().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_folder_of_mixed_good_and_bad_files_indexes_every_good_letter() {
    let dir = Dir::new();
    dir.write("in/good/000.txt", seed("000_2c01b65a799f327b.txt"));
    dir.write("in/good/004.txt", seed("004_f0d839e0a1819322.txt"));
    dir.write("in/empty.txt", "");
    dir.write(
        "in/scan.txt",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    );
    dir.write("in/binary.txt", [0u8, 159, 146, 150, 0, 1, 2, 3]);
    dir.write(
        "in/latin1-notes.txt",
        b"Caf\xe9 notes: not a letter at all.\n",
    );
    dir.write(
        "in/notes.txt",
        "Meeting notes. Decision: Upheld the plan.\n",
    );
    // Seed 001 cut inside its third decision's rationale.
    let s001 = String::from_utf8(seed("001_9f725823616277a3.txt")).unwrap();
    let cut = s001
        .find("relaxants are recommended as a second line")
        .unwrap();
    dir.write("in/truncated.txt", &s001[..cut]);
    dir.write("in/huge.txt", vec![b'a'; 300_000]);
    std::fs::create_dir_all(dir.path().join("in/folder.txt")).unwrap();
    dir.write("in/folder.txt/002.txt", seed("002_e57c482dd8f76b11.txt"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("in"), dir.path().join("in/good/loop")).unwrap();

    let out = dir.run(&["index", "in", "--max-bytes", "200000"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let expect = [
        ("in/binary.txt", "binary content (NUL bytes)"),
        ("in/empty.txt", "not an IMR determination letter"),
        (
            "in/huge.txt",
            "file is 300000 bytes, over the 200000-byte limit",
        ),
        ("in/latin1-notes.txt", "not an IMR determination letter"),
        ("in/notes.txt", "not an IMR determination letter"),
        ("in/scan.txt", "binary content (a PDF file)"),
    ];
    for (path, reason) in expect {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("failed: {path}: ")))
            .unwrap_or_else(|| panic!("no failure line for {path}:\n{err}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(
        err.lines()
            .any(|l| l.starts_with("failed: in/good/loop") && l.contains("symbolic link loop")),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning: in/truncated.txt")
                && l.contains("1 prescription for Baclofen 10mg")
                && l.contains("incomplete")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // 000 (3), 004 (3), 002 inside folder.txt (3), the truncated 001's two complete decisions.
    assert_eq!(total(&dir), 11);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("indexed: 4,"), "{stdout}");
    assert!(stdout.contains("failed: 7,"), "{stdout}");
}

#[test]
#[cfg(unix)]
fn an_unreadable_file_is_a_failure_not_a_crash() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let path = dir.write("in/locked.txt", seed("000_2c01b65a799f327b.txt"));
    dir.write("in/ok.txt", seed("004_f0d839e0a1819322.txt"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Running as root: permissions do not stop us; nothing to test here.
        return;
    }
    let out = dir.run(&["index", "in"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("failed: in/locked.txt: cannot read file: Permission denied"),
        "{}",
        stderr(&out)
    );
    assert_eq!(total(&dir), 3);
}

#[test]
fn a_second_writer_is_refused_while_readers_keep_working() {
    let dir = Dir::new();
    let letters = dir.with_samples();
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    // This test process holds the writer lock, as a running `index` would.
    let store = imr_search::store::Store::open(&dir.path().join("index")).unwrap();
    let writer = store.writer(50_000_000, 1).unwrap();
    let out = dir.run(&["index", letters.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "error: the index at {} is being written by another process: wait for it to finish",
            dir.path().join("index").display()
        )
    );
    // Readers see the last commit.
    assert_eq!(total(&dir), 25);
    dir.ok(&["query", "norco"]);
    dir.ok(&["show", "000_2c01b65a799f327b"]);
    drop(writer);
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
}

/// Starts `index` on `letters`, waits `after`, kills it with `signal`.
fn interrupted_run(
    dir: &Dir,
    letters: &Path,
    signal: &str,
    after: Duration,
) -> std::process::Output {
    let child = dir
        .cmd(&[
            "index",
            letters.to_str().unwrap(),
            "--quiet",
            "--commit-every",
            "200",
            "--threads",
            "1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    child.wait_with_output().unwrap()
}

#[test]
fn kill_9_leaves_a_readable_index_and_a_rerun_completes_it() {
    let dir = Dir::new();
    let letters = many_letters(&dir, 2100);
    let clean = Dir::new();
    let clean_letters = many_letters(&clean, 2100);
    clean.ok(&["index", clean_letters.to_str().unwrap(), "--quiet"]);
    let expected = total(&clean);
    assert_eq!(expected, 7500); // 2100 letters = 300 copies of the 7 samples, 25 decisions each set

    let killed = interrupted_run(&dir, &letters, "-9", Duration::from_millis(700));
    // Whatever the moment: the index opens and answers from its last commit.
    let partial = total(&dir);
    assert!(partial <= expected, "{partial}");
    if killed.status.success() {
        eprintln!("note: the run finished before the kill");
    }
    let rerun = dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    assert!(rerun.contains("letters seen: 2100"), "{rerun}");
    assert_eq!(total(&dir), expected);
    let again = dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    assert!(again.contains("unchanged: 2100"), "{again}");
}

#[test]
#[cfg(unix)]
fn ctrl_c_stops_cleanly_after_a_commit() {
    let dir = Dir::new();
    let letters = many_letters(&dir, 2100);
    let out = interrupted_run(&dir, &letters, "-INT", Duration::from_millis(500));
    if out.status.success() {
        eprintln!("note: the run finished before Ctrl-C");
    } else {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("error: interrupted: the letters done so far are committed"),
            "{}",
            stderr(&out)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("letters seen: 2100"), "{stdout}");
    }
    let partial = total(&dir);
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    let done = total(&dir);
    assert!(partial <= done);
    assert_eq!(done, 7500);
}

#[test]
fn hostile_queries_are_bounded_or_refused() {
    let dir = Dir::new();
    let letters = dir.with_samples();
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    // Empty query, no filters: every decision, in letter order.
    let all: Value = dir.json(&["query", ""]);
    assert_eq!(all["total"], 25);
    // 10,000 terms.
    let long: String = (0..10_000).map(|i| format!("pain{i} ")).collect();
    let started = Instant::now();
    let out: Value = dir.json(&["query", &long]);
    assert_eq!(out["total"], 0);
    assert!(started.elapsed() < Duration::from_secs(30));
    // Deep nesting would overflow the parser's stack: refused.
    let deep = format!("{}norco{}", "(".repeat(5000), ")".repeat(5000));
    let out = dir.run(&["query", &deep]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: invalid query: parentheses nested 5000 deep (at most 64): simplify the query"
    );
    // Reasonable nesting works.
    dir.ok(&["query", "((norco OR (ambien AND fda)))"]);
    // A huge --limit is a usage error; a big one works.
    let out = dir.run(&["query", "x", "--limit", "1000000000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--limit"), "{}", stderr(&out));
    let big: Value = dir.json(&["query", "", "--limit", "10000"]);
    assert_eq!(big["hits"].as_array().unwrap().len(), 25);
    // A field the query parser lets through but the index lacks (found by
    // the query property test): a bad query, not a runtime failure.
    let out = dir.run(&["query", "TO:*"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: invalid query: unknown field 'TO'"),
        "{}",
        stderr(&out)
    );
    let out = dir.run(&["query", "rationale:*"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`field:*` works on drug"),
        "{}",
        stderr(&out)
    );
    dir.ok(&["query", "drug:*"]);
    // Trailing operators.
    let out = dir.run(&["query", "norco AND"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: invalid query: syntax error in 'norco AND': check parentheses, quotes and operators (a trailing AND, OR or -)"
    );
}

#[test]
fn index_path_problems_say_what_to_do() {
    let dir = Dir::new();
    let missing = dir.run(&["query", "x", "--index", "nowhere"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stderr(&missing).trim(),
        "error: no index at nowhere: run `imr-search index DIR` first (or pass --index PATH)"
    );
    dir.write("afile", "x");
    let file = dir.run(&["facets", "--by", "drug", "--index", "afile"]);
    assert_eq!(file.status.code(), Some(1));
    assert_eq!(
        stderr(&file).trim(),
        "error: afile is a file, not an index directory: pick another --index path"
    );
    dir.write("notindex/readme.md", "hello");
    let other = dir.run(&["index", ".", "--index", "notindex"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains("notindex is not an imr-search index"),
        "{}",
        stderr(&other)
    );
    assert!(
        dir.path().join("notindex/readme.md").exists(),
        "never delete what is not ours"
    );

    // An index of another format version.
    let letters = dir.with_samples();
    dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    let meta = dir.path().join("index/imr-search.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(
        &meta,
        text.replace("\"format_version\": 4", "\"format_version\": 999"),
    )
    .unwrap();
    let old = dir.run(&["query", "x"]);
    assert_eq!(old.status.code(), Some(1));
    assert_eq!(
        stderr(&old).trim(),
        format!(
            "error: the index at {} has format v999, this imr-search reads v4: run `imr-search index --rebuild DIR`",
            dir.path().join("index").display()
        )
    );
    let rebuilt = dir.ok(&["index", letters.to_str().unwrap(), "--rebuild", "--quiet"]);
    assert!(rebuilt.contains("indexed: 7"), "{rebuilt}");
    assert_eq!(total(&dir), 25);
}

#[test]
#[cfg(unix)]
fn a_read_only_index_directory_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), "x").is_ok() {
        return; // root ignores permissions
    }
    let letters = dir.with_samples();
    let out = dir.run(&["index", letters.to_str().unwrap(), "--index", "ro/index"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: cannot create the index directory ro/index: Permission denied"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn a_run_killed_before_its_first_commit_leaves_an_index_that_a_rerun_completes() {
    let dir = Dir::new();
    let letters = dir.with_samples();
    // What a run killed right after creating the index directory leaves:
    // the marker, and no tantivy commit yet.
    dir.write(
        "index/imr-search.json",
        "{\"format_version\": 4, \"created_by\": \"imr-search\"}",
    );
    let query = dir.run(&["query", "norco"]);
    assert_eq!(query.status.code(), Some(1));
    assert!(stderr(&query).contains("no index at"), "{}", stderr(&query));
    let rerun = dir.ok(&["index", letters.to_str().unwrap(), "--quiet"]);
    assert!(rerun.contains("indexed: 7"), "{rerun}");
    assert_eq!(total(&dir), 25);
}

#!/usr/bin/env python3
"""imr-search side by side with SQLite FTS5 and ripgrep, on one generated corpus.

Usage:
    python3 benches/compare.py --letters 100000 [--work /tmp/imr-bench] [--runs 21]

Builds release binaries, generates the corpus with `imr-corpus` (skipped when
it is already there), then measures every program the same way: as a whole
process started from here, wall time from spawn to exit, peak RSS from
wait4(). Prints a Markdown table (paste it into BENCHMARKS.md).

FTS5 gets one row per decision from `imr-search export --format ndjson`
(its build time counts only the SQLite load: it does no parsing at all).
The index is built twice: as `index` leaves it (the figures compared with
FTS5) and with `index --merge` (one segment), whose query mix is reported
in a table of its own.
ripgrep searches the raw letters; it cannot filter by outcome or count by
drug, so those rows say so.
"""

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (label, imr-search query args, FTS5 MATCH expression, FTS5 extra SQL filter, ripgrep args)
QUERIES = [
    ("word: ambien", ["ambien"], "ambien", "", ["-i", "-w", "ambien"]),
    ("word: medically (in most decisions)", ["medically"], "medically", "", ["-i", "-w", "medically"]),
    ("word: antalgic (rare)", ["antalgic"], "antalgic", "", ["-i", "-w", "antalgic"]),
    ("phrase: \"functional improvement\"", ['"functional improvement"'], '"functional improvement"', "", ["-i", "functional improvement"]),
    ("phrase: \"epidural steroid injection\"", ['"epidural steroid injection"'], '"epidural steroid injection"', "", ["-i", "epidural steroid injection"]),
    ("phrase: \"short-term\"", ['"short-term"'], '"short term"', "", ["-i", "short-term"]),
    ("multi: opioid weaning withdrawal", ["opioid weaning withdrawal"], "opioid OR weaning OR withdrawal", "", ["-i", "-e", "opioid", "-e", "weaning", "-e", "withdrawal"]),
    ("multi: Ambien FDA 35 days", ["Ambien FDA 35 days"], "ambien OR fda OR 35 OR days", "", ["-i", "-e", "ambien", "-e", "fda", "-e", "35 days"]),
    ("multi: muscle spasm baclofen", ["muscle spasm baclofen"], "muscle OR spasm OR baclofen", "", ["-i", "-e", "muscle spasm", "-e", "baclofen"]),
    ("filter: norco --outcome overturned", ["norco", "--outcome", "overturned"], "norco", "AND outcome = 'overturned'", ["-i", "-w", "norco"]),
    ("filter: insomnia --drug ambien", ["insomnia", "--drug", "ambien"], "insomnia", "AND drug = 'zolpidem'", ["-i", "-w", "insomnia"]),
    ("filter: function --drug-class opioid --outcome upheld", ["function", "--drug-class", "opioid", "--outcome", "upheld"], "function", "AND drug_class = 'opioid' AND outcome = 'upheld'", ["-i", "-w", "function"]),
    ("exclusion: injection -epidural", ["injection -epidural"], "injection NOT epidural", "", ["-i", "-w", "injection"]),
]

FACETS = [
    ("facets: by drug, all", ["--by", "drug"], "SELECT drug, outcome, count(*) FROM d GROUP BY drug, outcome"),
    ("facets: by drug, query 'opioid'", ["--by", "drug", "--query", "opioid"], "SELECT drug, outcome, count(*) FROM d WHERE d MATCH 'opioid' GROUP BY drug, outcome"),
]


def run(cmd):
    """Runs a whole process; returns (seconds from spawn to exit, stdout)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # ripgrep exits 1 when nothing matches
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:500]}")
    return elapsed, proc.stdout


def timed_with_rss(cmd):
    """Whole-process wall time and peak RSS (MB) using wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} failed ({code}): {err[:500]}")
    return elapsed, usage.ru_maxrss / 1024, err


def du(path):
    total = 0
    for base, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(base, f))
            except OSError:
                pass
    return total


def ensure_tools():
    """Installs ripgrep and sqlite3 from the distribution if missing; returns
    the set of tools available (a machine without root still gets the
    imr-search rows)."""
    missing = [t for t in ("rg", "sqlite3") if shutil.which(t) is None]
    if missing and shutil.which("apt-get") and (os.geteuid() == 0 or shutil.which("sudo")):
        pkgs = {"rg": "ripgrep", "sqlite3": "sqlite3"}
        cmd = ["apt-get", "install", "-y", "-q"] + [pkgs[m] for m in missing]
        if os.geteuid() != 0:
            cmd = ["sudo"] + cmd
        update = ["apt-get", "update", "-q"] if os.geteuid() == 0 else ["sudo", "apt-get", "update", "-q"]
        # Package manager chatter goes to stderr: stdout is the report.
        subprocess.run(update, check=False, stdout=sys.stderr)
        subprocess.run(cmd, check=False, stdout=sys.stderr, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    have = {t for t in ("rg", "sqlite3") if shutil.which(t)}
    for t in ("rg", "sqlite3"):
        if t not in have:
            print(f"warning: {t} is not installed and could not be installed: its rows are skipped", file=sys.stderr)
    return have


def percentile(values, p):
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--letters", type=int, default=100000)
    ap.add_argument("--work", default="/tmp/imr-bench")
    ap.add_argument("--runs", type=int, default=21, help="runs per query (median and p99 over them)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    have = ensure_tools()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bins"], cwd=ROOT, check=True)
    imr = os.path.join(ROOT, "target", "release", "imr-search")
    gen = os.path.join(ROOT, "target", "release", "imr-corpus")

    work = os.path.abspath(args.work)
    corpus = os.path.join(work, f"corpus-{args.letters}")
    index = os.path.join(work, f"index-{args.letters}")
    db = os.path.join(work, f"fts5-{args.letters}.db")
    ndjson = os.path.join(work, f"export-{args.letters}.ndjson")
    os.makedirs(work, exist_ok=True)

    rows = []
    if not os.path.isdir(corpus):
        t, rss, _ = timed_with_rss([gen, "--letters", str(args.letters), "--out", corpus, "--seed", str(args.seed)])
        rows.append(("imr-corpus: generate", f"{t:.1f} s", f"{args.letters / t:,.0f} letters/s"))
    corpus_bytes = sum(os.path.getsize(os.path.join(b, f)) for b, _, fs in os.walk(corpus) for f in fs if f.endswith(".txt"))
    corpus_mb = corpus_bytes / 1e6

    # Every program reads its input from the page cache: FTS5's rows were
    # just written by the export, so read the letters once too (this
    # machine's kernel reclaims idle page cache within minutes, and a cold
    # read of the corpus added 5-7 s to the index build).
    for b, _, fs in os.walk(corpus):
        for f in fs:
            with open(os.path.join(b, f), "rb") as fh:
                while fh.read(1 << 20):
                    pass

    # imr-search index from scratch.
    shutil.rmtree(index, ignore_errors=True)
    t_index, rss_index, err = timed_with_rss([imr, "index", corpus, "--index", index, "--quiet"])
    index_mb = du(index) / 1e6
    # Export for FTS5 (not timed against anyone: FTS5's input).
    with open(ndjson, "wb") as out:
        subprocess.run([imr, "export", "--format", "ndjson", "--index", index], stdout=out, check=True)
    with open(ndjson, "rb") as f:
        decisions = sum(1 for _ in f)

    # SQLite FTS5 build: one row per decision.
    if os.path.exists(db):
        os.remove(db)
    loader = os.path.join(ROOT, "benches", "fts5_load.py")
    t_fts, rss_fts, _ = timed_with_rss([sys.executable, loader, ndjson, db])
    fts_mb = os.path.getsize(db) / 1e6
    nan = float("nan")

    # The same build ending in one segment (`index --merge`), for the query
    # mix run a second time below: slower to build, faster to query.
    index_one = os.path.join(work, f"index-{args.letters}-merged")
    shutil.rmtree(index_one, ignore_errors=True)
    t_one, rss_one, _ = timed_with_rss([imr, "index", corpus, "--index", index_one, "--quiet", "--merge"])
    one_mb = du(index_one) / 1e6

    print(f"\n## Build ({args.letters:,} letters, {corpus_mb:,.0f} MB, {decisions:,} decisions)\n")
    print("| step | wall | MB/s | letters/s | peak RSS | on disk | disk / corpus |")
    print("|---|---|---|---|---|---|---|")
    print(f"| imr-search index (parse + index) | {t_index:.1f} s | {corpus_mb / t_index:.1f} | {args.letters / t_index:,.0f} | {rss_index:,.0f} MB | {index_mb:,.0f} MB | {index_mb / corpus_mb:.2f} |")
    print(f"| imr-search index --merge (one segment) | {t_one:.1f} s | {corpus_mb / t_one:.1f} | {args.letters / t_one:,.0f} | {rss_one:,.0f} MB | {one_mb:,.0f} MB | {one_mb / corpus_mb:.2f} |")
    print(f"| SQLite FTS5 load (no parsing) | {t_fts:.1f} s | {corpus_mb / t_fts:.1f} | {args.letters / t_fts:,.0f} | {rss_fts:,.0f} MB | {fts_mb:,.0f} MB | {fts_mb / corpus_mb:.2f} |")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | | {r[2]} | | | |")

    # Queries: whole process, median and p99 over runs.
    print(f"\n## Queries (whole process, {args.runs} runs each; ms)\n")
    print("| query | imr-search median | p99 | took_ms median | p99 | FTS5 median | p99 | ripgrep median | FTS5 / imr | rg / imr |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    all_ratios_fts, all_ratios_rg, imr_medians, took_all = [], [], [], []
    for label, qargs, match, extra, rgargs in QUERIES:
        imr_t, took, fts_t, rg_t = [], [], [], []
        for i in range(args.runs):
            t, out = run([imr, "query"] + qargs + ["--index", index, "--json", "--limit", "10"])
            imr_t.append(t * 1000)
            took.append(json.loads(out)["took_ms"])
            sql = f"SELECT letter_id, decision_index FROM d WHERE d MATCH '{match.replace(chr(39), chr(39) * 2)}' {extra} ORDER BY rank LIMIT 10;"
            if "sqlite3" in have:
                t, _ = run(["sqlite3", db, sql])
                fts_t.append(t * 1000)
            else:
                fts_t.append(nan)
            if "rg" not in have:
                rg_t.append(nan)
            elif i < max(3, args.runs // 7):  # ripgrep is slow: fewer runs
                t, _ = run(["rg", "-c", "--no-messages"] + rgargs + [corpus])
                rg_t.append(t * 1000)
        im, fm, rm = statistics.median(imr_t), statistics.median(fts_t), statistics.median(rg_t)
        imr_medians.append(im)
        took_all.extend(took)
        all_ratios_fts.append(fm / im)
        all_ratios_rg.append(rm / im)
        print(f"| {label} | {im:.1f} | {percentile(imr_t, 99):.1f} | {statistics.median(took):.2f} | {percentile(took, 99):.2f} | {fm:.1f} | {percentile(fts_t, 99):.1f} | {rm:.0f} | {fm / im:.1f}x | {rm / im:.0f}x |")
    print(f"\nOver the mix: imr-search median {statistics.median(imr_medians):.1f} ms; in-process took_ms median {statistics.median(took_all):.2f} ms, p99 {percentile(took_all, 99):.2f} ms; FTS5/imr median ratio {statistics.median(all_ratios_fts):.1f}x; ripgrep/imr median ratio {statistics.median(all_ratios_rg):.0f}x.")

    # The mix again on the one-segment index, each run still followed by
    # the FTS5 query (as above), so the two tables see the same conditions.
    print(f"\n## Queries on the one-segment index (`index --merge`; whole process, {args.runs} runs each; ms)\n")
    print("| query | imr-search median | p99 | took_ms median | p99 |")
    print("|---|---|---|---|---|")
    one_medians, one_took = [], []
    for label, qargs, match, extra, _ in QUERIES:
        imr_t, took = [], []
        for i in range(args.runs):
            t, out = run([imr, "query"] + qargs + ["--index", index_one, "--json", "--limit", "10"])
            imr_t.append(t * 1000)
            took.append(json.loads(out)["took_ms"])
            if "sqlite3" in have:
                sql = f"SELECT letter_id, decision_index FROM d WHERE d MATCH '{match.replace(chr(39), chr(39) * 2)}' {extra} ORDER BY rank LIMIT 10;"
                run(["sqlite3", db, sql])
        one_medians.append(statistics.median(imr_t))
        one_took.extend(took)
        print(f"| {label} | {statistics.median(imr_t):.1f} | {percentile(imr_t, 99):.1f} | {statistics.median(took):.2f} | {percentile(took, 99):.2f} |")
    print(f"\nOver the mix, one segment: imr-search median {statistics.median(one_medians):.1f} ms; in-process took_ms median {statistics.median(one_took):.2f} ms, p99 {percentile(one_took, 99):.2f} ms.")

    print(f"\n## Facet counts (whole process, {args.runs} runs each; ms)\n")
    print("| facet | imr-search median | p99 | took_ms median | FTS5 median | p99 | FTS5 / imr |")
    print("|---|---|---|---|---|---|---|")
    for label, fargs, sql in FACETS:
        imr_t, fts_t, took = [], [], []
        for _ in range(args.runs):
            t, out = run([imr, "facets"] + fargs + ["--index", index, "--json"])
            imr_t.append(t * 1000)
            took.append(json.loads(out).get("took_ms", float("nan")))
            if "sqlite3" in have:
                t, _ = run(["sqlite3", db, sql + ";"])
                fts_t.append(t * 1000)
            else:
                fts_t.append(nan)
        im, fm = statistics.median(imr_t), statistics.median(fts_t)
        print(f"| {label} | {im:.1f} | {percentile(imr_t, 99):.1f} | {statistics.median(took):.2f} | {fm:.1f} | {percentile(fts_t, 99):.1f} | {fm / im:.1f}x |")
    print("\nripgrep cannot count decisions per drug and outcome; it has no row here.")


if __name__ == "__main__":
    main()

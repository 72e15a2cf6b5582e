//! `imr-corpus`: writes a realistic, deterministic corpus of synthetic IMR
//! letters with a truth file, for benchmarks and parser-accuracy checks.
//!
//! `imr-corpus --letters 100000 --out DIR [--seed 42] [--per-dir 10000]`
//! writes `DIR/00000/000000_<hex>.txt`... and one `truth.jsonl` per folder.

mod compose;
mod damage;
mod rng;

use clap::Parser;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Generate synthetic IMR letters (all layouts, all PDF damage) with a truth file.
#[derive(Debug, Parser)]
#[command(name = "imr-corpus", version)]
struct Args {
    /// Number of letters
    #[arg(long, default_value_t = 1000)]
    letters: u64,
    /// Output folder (created; must be empty or missing)
    #[arg(long)]
    out: PathBuf,
    /// Random seed: the same seed writes the same bytes
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Letters per subfolder
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    per_dir: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    if args.out.exists()
        && std::fs::read_dir(&args.out)
            .map_err(|e| format!("cannot read {}: {e}", args.out.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} is not empty: pick a new --out folder",
            args.out.display()
        ));
    }
    let started = Instant::now();
    let folders = args.letters.div_ceil(args.per_dir);
    let lexicon = imr_search::lexicon::Lexicon::builtin();
    let totals: Result<Vec<(u64, u64)>, String> = (0..folders)
        .into_par_iter()
        .map(|f| {
            let first = f * args.per_dir;
            let last = (first + args.per_dir).min(args.letters);
            write_folder(
                &args.out.join(format!("{f:05}")),
                args.seed,
                first..last,
                lexicon,
            )
        })
        .collect();
    let (decisions, bytes) = totals?
        .into_iter()
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let secs = started.elapsed().as_secs_f64();
    println!(
        "letters: {}, decisions: {decisions}, bytes: {bytes}, folders: {folders}, seconds: {secs:.2}",
        args.letters
    );
    Ok(())
}

/// Writes one folder of letters and its truth file; returns (decisions, bytes).
fn write_folder(
    dir: &Path,
    seed: u64,
    numbers: std::ops::Range<u64>,
    lexicon: &imr_search::lexicon::Lexicon,
) -> Result<(u64, u64), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let truth_path = dir.join("truth.jsonl");
    let truth_file = std::fs::File::create(&truth_path)
        .map_err(|e| format!("cannot create {}: {e}", truth_path.display()))?;
    let mut truth = std::io::BufWriter::new(truth_file);
    let (mut decisions, mut bytes) = (0u64, 0u64);
    for number in numbers {
        let mut rng = rng::Rng::for_letter(seed, number);
        let (id, lines, t) = compose::letter(&mut rng, number, lexicon);
        let data = damage::render(&mut rng, lines);
        let path = dir.join(format!("{id}.txt"));
        std::fs::write(&path, &data)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        serde_json::to_writer(&mut truth, &t).map_err(|e| e.to_string())?;
        truth.write_all(b"\n").map_err(|e| e.to_string())?;
        decisions += t.decisions.len() as u64;
        bytes += data.len() as u64;
    }
    truth.flush().map_err(|e| e.to_string())?;
    Ok((decisions, bytes))
}

//! The `imr-search` binary: parse arguments, run, map the result to an exit code.

mod allocator;
mod cli;

use clap::Parser;
use imr_search::app::{self, Env};
use imr_search::config::Command;
use imr_search::indexer::Progress;
use imr_search::output::Style;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An indicatif bar on stderr: letters/s and ETA.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn progress_bar(show: bool) -> Bar {
    if !show {
        return Bar(indicatif::ProgressBar::hidden());
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} letters ({per_sec}, ETA {eta})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Bar(bar)
}

/// mimalloc for `index`, the system allocator for the rest (see `allocator`).
#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => {
            // --help and --version: print in full, exit 0.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(&usage_line(&e), 2),
    };
    let quiet = matches!(&args.command, cli::Cmd::Index(a) if a.quiet);
    let command = match args.into_command() {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string(), e.exit_code()),
    };
    let stop = Arc::new(AtomicBool::new(false));
    // Only `index` stops cleanly on Ctrl-C (it commits what is done); the
    // read-only commands keep the default, die at once, and do not pay
    // for the handler's thread at start-up.
    if matches!(command, Command::Index(_)) {
        // Before the handler's and the writer's threads start.
        allocator::use_mimalloc();
        let stop = Arc::clone(&stop);
        // A second Ctrl-C kills at once; commits make that safe too.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let bar = progress_bar(!quiet && std::io::stderr().is_terminal());
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let mut env = Env {
        out: &mut out,
        err: &mut err,
        style: Style { color },
        progress: &bar,
        stop: &stop,
    };
    let result = app::run(command, &mut env);
    let flushed = out.flush();
    match result {
        Ok(code) => match flushed {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                fail(&format!("cannot write output: {e}"), 1)
            }
            _ => ExitCode::from(code as u8),
        },
        Err(imr_search::error::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            // `imr-search query ... | head`: the reader left; that is success.
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string(), e.exit_code()),
    }
}

/// Clap's usage error as one line: what is wrong, its tip, where help is.
fn usage_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let lines: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // What is wrong: the lines before the tip or the usage.
    let what: Vec<&str> = lines
        .iter()
        .take_while(|l| {
            !l.starts_with("tip:") && !l.starts_with("Usage:") && !l.starts_with("For more")
        })
        .copied()
        .collect();
    let what = what.join(" ");
    let what = what.trim_start_matches("error: ");
    let tip = lines
        .iter()
        .find_map(|l| l.strip_prefix("tip: "))
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    format!("{what}{tip}; run `imr-search --help` for usage")
}

fn fail(message: &str, code: i32) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::from(code.clamp(1, 255) as u8)
}

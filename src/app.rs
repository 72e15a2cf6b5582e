//! Runs a validated [`Command`]: the one entry point the binary calls.

use crate::config::{Command, ExportConfig, IndexConfig, ParseConfig};
use crate::error::{Error, Result};
use crate::indexer::{self, IndexOptions, Progress};
use crate::letter;
use crate::model::{Decision, Letter};
use crate::output::{self, Style};
use crate::store::{Access, Store};
use serde::Serialize;
use std::io::Write;
use std::sync::atomic::AtomicBool;

/// What the binary provides: where output goes and how it may look.
pub struct Env<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
    /// Colours on stdout.
    pub style: Style,
    /// A progress display for `index` (a bar on a terminal, else nothing).
    pub progress: &'a dyn Progress,
    /// Set by the Ctrl-C handler.
    pub stop: &'a AtomicBool,
}

/// Runs a command; `Ok(1)` means it ran but some inputs failed (reported).
pub fn run(cmd: Command, env: &mut Env<'_>) -> Result<i32> {
    match cmd {
        Command::Index(c) => index(c, env),
        Command::Query(c) => {
            let store = Store::open_for(&c.index_path, Access::Scattered)?;
            let result = crate::search::search(&store, &c.text, &c.filters, c.limit, c.offset)?;
            if c.json {
                output::json_line(env.out, &result)
            } else {
                output::search(env.out, &result, c.offset, env.style)
            }
            .map_err(Error::io("cannot write the results"))?;
            store.leak();
            Ok(0)
        }
        Command::Facets(c) => {
            let store = Store::open(&c.index_path)?;
            let result = crate::facets::facets(&store, c.by, &c.query, &c.filters)?;
            if c.json {
                output::json_line(env.out, &result)
            } else {
                output::facets(env.out, &result, env.style)
            }
            .map_err(Error::io("cannot write the counts"))?;
            store.leak();
            Ok(0)
        }
        Command::Parse(c) => parse(c, env),
        Command::Show(c) => {
            let store = Store::open(&c.index_path)?;
            let filters = crate::search::Filters {
                letters: vec![c.id.clone()],
                ..Default::default()
            };
            let mut found = None;
            crate::search::for_each_stored_letter(&store, &filters, |l| {
                found = Some(l);
                Ok(())
            })?;
            let letter = found.ok_or_else(|| Error::UnknownLetter {
                id: c.id.clone(),
                path: c.index_path.clone(),
            })?;
            if c.json {
                output::json_line(env.out, &letter)
            } else {
                output::letter(env.out, &letter, true, env.style)
            }
            .map_err(Error::io("cannot write the letter"))?;
            Ok(0)
        }
        Command::Export(c) => export(c, env),
    }
}

fn index(c: IndexConfig, env: &mut Env<'_>) -> Result<i32> {
    let opts = IndexOptions {
        inputs: c.inputs,
        index_path: c.index_path.clone(),
        rebuild: c.rebuild,
        merge: c.merge,
        threads: c.threads,
        max_bytes: c.max_bytes,
        memory_budget: c.memory_budget,
        commit_every: c.commit_every,
    };
    let summary = indexer::index(&opts, env.progress, env.stop)?;
    let err = &mut *env.err;
    let w = |e| Error::io("cannot write the summary")(e);
    if !c.quiet {
        for (path, warning) in &summary.warnings {
            writeln!(err, "warning: {}: {warning}", path.display()).map_err(w)?;
        }
    }
    for f in &summary.failed {
        writeln!(err, "failed: {}: {}", f.path.display(), f.reason).map_err(w)?;
    }
    output::index_summary(env.out, &summary, &c.index_path).map_err(w)?;
    if summary.interrupted {
        return Err(Error::Interrupted(
            "the letters done so far are committed; run the same command again to finish".into(),
        ));
    }
    Ok(if summary.failed.is_empty() { 0 } else { 1 })
}

fn parse(c: ParseConfig, env: &mut Env<'_>) -> Result<i32> {
    let mut status = 0;
    for (i, path) in c.files.iter().enumerate() {
        match letter::parse_file(path, c.max_bytes) {
            Ok(l) => {
                let written = if c.json {
                    output::json_line(env.out, &l)
                } else {
                    if i > 0 {
                        let _ = writeln!(env.out);
                    }
                    output::letter(env.out, &l, false, env.style)
                };
                written.map_err(Error::io("cannot write the letter"))?;
            }
            Err(e) => {
                status = 1;
                writeln!(env.err, "error: {}: {e}", path.display())
                    .map_err(Error::io("cannot write an error"))?;
            }
        }
    }
    Ok(status)
}

/// One exported decision: the contract's decision fields plus its letter's.
#[derive(Debug, Serialize)]
pub struct ExportRecord<'a> {
    /// Letter id.
    pub letter_id: &'a str,
    /// Where the letter was read from.
    pub source_path: &'a str,
    /// Letter layout.
    pub layout: crate::model::Layout,
    /// IMR case number.
    pub case_number: Option<&'a str>,
    /// Reviewer specialties.
    pub reviewer_specialties: &'a [String],
    /// Reviewer subspecialties.
    pub reviewer_subspecialties: &'a [String],
    /// Reviewer licensure states.
    pub reviewer_licensure: &'a [String],
    /// Patient age.
    pub patient_age: Option<u32>,
    /// Patient sex.
    pub patient_sex: Option<crate::model::Sex>,
    /// Date of injury.
    pub injury_date: Option<&'a str>,
    /// Year of injury.
    pub injury_year: Option<u32>,
    /// The clinical case summary.
    pub case_summary: &'a str,
    /// The decision's own fields.
    #[serde(flatten)]
    pub decision: &'a Decision,
}

impl<'a> ExportRecord<'a> {
    /// The record of one decision of a letter.
    pub fn new(l: &'a Letter, decision: &'a Decision) -> ExportRecord<'a> {
        ExportRecord {
            letter_id: &l.letter_id,
            source_path: &l.source_path,
            layout: l.layout,
            case_number: l.case_number.as_deref(),
            reviewer_specialties: &l.reviewer.specialties,
            reviewer_subspecialties: &l.reviewer.subspecialties,
            reviewer_licensure: &l.reviewer.licensure,
            patient_age: l.patient.age,
            patient_sex: l.patient.sex,
            injury_date: l.patient.injury_date.as_deref(),
            injury_year: l
                .patient
                .injury_date
                .as_deref()
                .and_then(|d| d.get(..4))
                .and_then(|y| y.parse().ok()),
            case_summary: &l.case_summary,
            decision,
        }
    }
}

fn export(c: ExportConfig, env: &mut Env<'_>) -> Result<i32> {
    let store = Store::open(&c.index_path)?;
    let crate::config::ExportFormat::Ndjson = c.format;
    let out = &mut *env.out;
    crate::search::for_each_stored_letter(&store, &Default::default(), |l| {
        for d in &l.decisions {
            output::json_line(out, &ExportRecord::new(&l, d))
                .map_err(Error::io("cannot write the export"))?;
        }
        Ok(())
    })?;
    Ok(0)
}

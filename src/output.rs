//! Output formatting: human text (aligned, highlighted on a terminal) and JSON.

use crate::facets::FacetResult;
use crate::indexer::IndexSummary;
use crate::model::{Decision, Letter};
use crate::search::SearchResult;
use serde::Serialize;
use std::io::{self, Write};

/// How human output may look.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours and bold (only when stdout is a terminal and NO_COLOR is unset).
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    fn outcome(&self, outcome: &str) -> String {
        match outcome.trim_end() {
            "overturned" => self.paint("32", outcome),
            _ => self.paint("33", outcome),
        }
    }
}

/// Writes one value as a JSON line.
pub fn json_line<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Query hits, one block each.
pub fn search(
    out: &mut dyn Write,
    r: &SearchResult,
    offset: usize,
    style: Style,
) -> io::Result<()> {
    if r.hits.is_empty() {
        writeln!(out, "no decisions match ({} ms)", r.took_ms)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} decision{} match; showing {}-{} ({} ms)\n",
        r.total,
        if r.total == 1 { "" } else { "s" },
        offset + 1,
        offset + r.hits.len(),
        r.took_ms
    )?;
    for (i, h) in r.hits.iter().enumerate() {
        let mut snippet = String::new();
        let mut at = 0;
        for &(a, b) in &h.highlights {
            if a < at || b > h.snippet.len() {
                continue;
            }
            snippet.push_str(&h.snippet[at..a]);
            snippet.push_str(&style.paint("1;31", &h.snippet[a..b]));
            at = b;
        }
        snippet.push_str(&h.snippet[at..]);
        writeln!(
            out,
            "{:>3}. {} {}",
            offset + i + 1,
            // Pad before painting: escape codes must not count as width.
            style.outcome(&format!("{:<10}", h.outcome)),
            style.bold(&h.item)
        )?;
        let drug = h
            .drug
            .as_deref()
            .map(|d| format!("  drug: {d}"))
            .unwrap_or_default();
        writeln!(
            out,
            "     {} #{}  score {:.2}{}",
            style.dim(&h.letter_id),
            h.decision_index,
            h.score,
            drug
        )?;
        for line in wrap(&snippet, 92) {
            writeln!(out, "     {line}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// A facet table with the overturn rate.
pub fn facets(out: &mut dyn Write, r: &FacetResult, style: Style) -> io::Result<()> {
    let width = r
        .buckets
        .iter()
        .map(|b| b.value.chars().count())
        .max()
        .unwrap_or(0)
        .max(r.field.len())
        .min(60);
    writeln!(
        out,
        "{}",
        style.bold(&format!(
            "{:<width$}  {:>8}  {:>8}  {:>10}  {:>10}",
            r.field, "count", "upheld", "overturned", "overturn %"
        ))
    )?;
    for b in &r.buckets {
        let rate = if b.count == 0 {
            0.0
        } else {
            100.0 * b.overturned as f64 / b.count as f64
        };
        writeln!(
            out,
            "{:<width$}  {:>8}  {:>8}  {:>10}  {:>9.1}%",
            b.value, b.count, b.upheld, b.overturned, rate
        )?;
    }
    writeln!(
        out,
        "\n{} matching decisions, {} values ({} ms)",
        r.total,
        r.buckets.len(),
        r.took_ms
    )
}

/// A parsed letter; `full` prints guidelines and rationales too.
pub fn letter(out: &mut dyn Write, l: &Letter, full: bool, style: Style) -> io::Result<()> {
    writeln!(
        out,
        "{}  {}",
        style.bold(&l.letter_id),
        style.dim(&l.source_path)
    )?;
    let mut facts = vec![format!("layout {}", serde_plain(&l.layout))];
    if let Some(c) = &l.case_number {
        facts.push(format!("case {c}"));
    }
    if let Some(d) = &l.date_assigned {
        facts.push(format!("assigned {d}"));
    }
    if let Some(d) = &l.ur_denial_date {
        facts.push(format!("UR denial {d}"));
    }
    writeln!(out, "  {}", facts.join(", "))?;
    let r = &l.reviewer;
    let mut reviewer = if r.specialties.is_empty() {
        "specialty not stated".to_string()
    } else {
        r.specialties.join(", ")
    };
    if !r.subspecialties.is_empty() {
        reviewer.push_str(&format!(" (subspecialty: {})", r.subspecialties.join(", ")));
    }
    if !r.licensure.is_empty() {
        reviewer.push_str(&format!("; licensed in {}", r.licensure.join(", ")));
    }
    writeln!(out, "  reviewer: {reviewer}")?;
    let p = &l.patient;
    writeln!(
        out,
        "  patient: age {}, sex {}, injured {}",
        p.age.map_or("not stated".into(), |a| a.to_string()),
        p.sex.map_or("not stated".into(), |s| serde_plain(&s)),
        p.injury_date.as_deref().unwrap_or("not stated")
    )?;
    if full && !l.case_summary.is_empty() {
        writeln!(out, "\n  {}", style.bold("Clinical case summary"))?;
        for line in wrap(&l.case_summary, 90) {
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(out)?;
    for d in &l.decisions {
        decision(out, d, full, style)?;
    }
    for w in &l.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}

fn decision(out: &mut dyn Write, d: &Decision, full: bool, style: Style) -> io::Result<()> {
    writeln!(
        out,
        "  {}. {}  {}",
        d.index,
        style.bold(&d.item),
        style.outcome(d.outcome.as_str())
    )?;
    if let Some(drug) = &d.drug {
        let mut parts = vec![drug.generic.clone()];
        if let Some(b) = &drug.brand {
            parts.push(format!("({b})"));
        }
        parts.push(drug.class.to_string());
        if let Some(s) = &drug.strength {
            parts.push(s.clone());
        }
        if let Some(q) = drug.quantity {
            parts.push(format!("#{q}"));
        }
        if drug.refills > 0 {
            parts.push(format!(
                "{} refill{}",
                drug.refills,
                if drug.refills == 1 { "" } else { "s" }
            ));
        }
        writeln!(out, "     drug: {}", parts.join(" "))?;
    }
    let sources: Vec<&str> = d.sources.iter().map(|s| s.as_str()).collect();
    let pages: Vec<String> = d.pages.iter().map(u32::to_string).collect();
    writeln!(
        out,
        "     category: {}  sources: {}  pages: {}  medically necessary: {}",
        d.category,
        if sources.is_empty() {
            "-".into()
        } else {
            sources.join(", ")
        },
        if pages.is_empty() {
            "-".into()
        } else {
            pages.join(", ")
        },
        d.medically_necessary
            .map_or("unclear", |m| if m { "yes" } else { "no" })
    )?;
    if full {
        if let Some(g) = &d.claims_administrator_guideline {
            labelled(out, "Claims Administrator guideline", g, style)?;
        }
        if let Some(g) = &d.imr_guideline {
            labelled(out, "IMR reviewer guideline", g, style)?;
        }
        labelled(out, "Rationale", &d.rationale, style)?;
    }
    writeln!(out)
}

fn labelled(out: &mut dyn Write, label: &str, text: &str, style: Style) -> io::Result<()> {
    writeln!(out, "     {}", style.dim(label))?;
    for line in wrap(text, 88) {
        writeln!(out, "       {line}")?;
    }
    Ok(())
}

/// The index run's summary: counts, then each failure on its own line.
pub fn index_summary(
    out: &mut dyn Write,
    s: &IndexSummary,
    index: &std::path::Path,
) -> io::Result<()> {
    writeln!(
        out,
        "letters seen: {}, indexed: {}, unchanged: {}, failed: {}, decisions indexed: {}, elapsed: {:.2}s",
        s.seen,
        s.indexed,
        s.unchanged,
        s.failed.len(),
        s.decisions,
        s.elapsed.as_secs_f64()
    )?;
    writeln!(out, "index: {}", index.display())?;
    if s.interrupted {
        writeln!(out, "interrupted: the letters done so far are committed; run the same command again to finish")?;
    }
    Ok(())
}

/// Wraps text at `width` columns on spaces (ANSI codes count as text; fine for display).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A serde enum's plain spelling (`body-only`, `female`).
fn serde_plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(wrap("aa bb cc dd", 5), vec!["aa bb", "cc dd"]);
        assert_eq!(wrap("", 5), Vec::<String>::new());
    }
}

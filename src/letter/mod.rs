//! Letter parsing: repaired text to a [`Letter`].
//!
//! A letter is a run of sections under fixed capitalised headings
//! (`HOW THE IMR FINAL DETERMINATION WAS MADE`, `CLINICAL CASE SUMMARY`,
//! `IMR ISSUES, DECISIONS AND RATIONALES`...), optionally after a header
//! block of `Key: value` lines. [`parse_bytes`] repairs the text
//! ([`crate::repair`]), finds the sections, and reads each one.

mod citations;
mod dates;
mod decisions;
mod people;

pub use citations::{pages, sources};
pub use dates::to_iso as parse_date;
pub use decisions::conclusion;

use crate::lexicon::Lexicon;
use crate::model::{Decision, Layout, Letter, Outcome};
use crate::repair::{self, join_lines, Repaired};
use regex::Regex;
use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

/// Letters larger than this are refused by default (real letters are ~7 KB).
pub const DEFAULT_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Why a file could not be parsed into a letter.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Unreadable(#[from] std::io::Error),
    /// The file is larger than the configured limit.
    #[error("file is {size} bytes, over the {limit}-byte limit (raise it with --max-bytes)")]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The bytes look binary (a PDF, an image...).
    #[error("binary content ({0}), not a text letter: extract the text first (e.g. pdftotext)")]
    Binary(&'static str),
    /// The text does not look like an IMR determination letter.
    #[error("not an IMR determination letter (none of its section headings found)")]
    NotALetter,
    /// A letter without any `<item>: Upheld|Overturned` block.
    #[error("no decisions found (no '<item>: Upheld' or '<item>: Overturned' line)")]
    NoDecisions,
}

/// The sections a letter can have, keyed by their headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Determination,
    DocumentsReviewed,
    HowMade,
    CaseSummary,
    Decisions,
    LaterDecisions,
}

/// Headings as they stand alone on a line, upper case in every layout seen.
const HEADINGS: &[(&str, Section)] = &[
    ("DETERMINATION", Section::Determination),
    ("FINAL DETERMINATION", Section::Determination),
    ("DOCUMENTS REVIEWED", Section::DocumentsReviewed),
    ("HOW THE IMR FINAL DETERMINATION WAS MADE", Section::HowMade),
    ("CLINICAL CASE SUMMARY", Section::CaseSummary),
    ("IMR ISSUES, DECISIONS AND RATIONALES", Section::Decisions),
    ("IMR ISSUES AND RATIONALES", Section::Decisions),
    ("IMR DECISION(S) AND RATIONALE(S)", Section::LaterDecisions),
    ("IMR DECISIONS AND RATIONALES", Section::LaterDecisions),
];

/// `Case Number: CM14-0098765   Date Assigned: 07/21/2014` (one or two per line).
static HEADER_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(IMR\s+Case\s+(?:Number|No\.?)|Case\s+(?:Number|No\.?)|Date\s+Assigned|Date\s+of\s+Injury|Decision\s+Date|UR\s+Denial\s+Date|Priority|Application\s+Received|Employee(?:\s+Name)?|Claim\s+(?:Number|No\.?)|Provider(?:\s+Name)?|Employer|Treatment\(s\)\s+in\s+Dispute\s+Listed\s+on\s+IMR\s+Application)\s*:")
        .expect("header key regex")
});
/// A case number anywhere: `CM14-0098765`.
static CASE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bCM\d{2}-\d{4,8}\b").expect("case number regex"));
/// The boilerplate sentence that opens every case summary.
static SUMMARY_BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:\s*")
        .expect("boilerplate regex")
});

/// Reads and parses one letter file, refusing files over `max_bytes`.
pub fn parse_file(path: &Path, max_bytes: u64) -> Result<Letter, LetterError> {
    let bytes = read_bytes(path, max_bytes)?;
    parse_bytes(&bytes, &path.to_string_lossy())
}

/// Reads a letter file's bytes, refusing directories and files over
/// `max_bytes` (never reading more than that, even if the file grows).
pub fn read_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>, LetterError> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(LetterError::Unreadable(std::io::Error::other(
            "is a directory",
        )));
    }
    if meta.len() > max_bytes {
        return Err(LetterError::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(LetterError::TooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(bytes)
}

/// Parses a letter from raw bytes; `source_path` names it in the result and
/// gives the letter id (the file name without its extension).
pub fn parse_bytes(bytes: &[u8], source_path: &str) -> Result<Letter, LetterError> {
    if let Some(kind) = binary_kind(bytes) {
        return Err(LetterError::Binary(kind));
    }
    let repaired = repair::repair(bytes);
    parse_repaired(&repaired, source_path)
}

/// Parses already repaired text (see [`crate::repair::repair`]).
pub fn parse_repaired(text: &Repaired, source_path: &str) -> Result<Letter, LetterError> {
    let lines = &text.lines;
    let sections = find_sections(lines);
    let has_labels = lines.iter().any(|l| {
        let l = l.trim_start();
        starts_with_ignore_case(l, "Decision rationale:")
            || starts_with_ignore_case(l, "MAXIMUS guideline:")
    });
    if sections.is_empty() && !has_labels {
        return Err(LetterError::NotALetter);
    }
    let body_start = sections.first().map_or(lines.len(), |s| s.1);
    let span = |want: &[Section]| -> Option<std::ops::Range<usize>> {
        let pos = sections.iter().position(|(s, _)| want.contains(s))?;
        let start = sections[pos].1 + 1;
        let end = sections.get(pos + 1).map_or(lines.len(), |s| s.1);
        Some(start..end)
    };

    // Header block: everything before the first heading.
    let header = header_fields(&lines[..body_start.min(lines.len())]);
    let get = |key: &str| {
        header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    };
    let case_number = get("case number")
        .and_then(|v| {
            CASE_NUMBER
                .find(v)
                .map(|m| m.as_str().to_string())
                .or_else(|| non_empty(v))
        })
        .or_else(|| {
            lines[..body_start]
                .iter()
                .find_map(|l| CASE_NUMBER.find(l).map(|m| m.as_str().to_string()))
        });
    let date_assigned = get("date assigned").and_then(parse_date);
    let ur_denial_date = get("ur denial date").and_then(parse_date);
    let header_injury = get("date of injury").and_then(parse_date);

    let layout = if sections
        .iter()
        .any(|(s, _)| matches!(s, Section::DocumentsReviewed | Section::LaterDecisions))
    {
        Layout::Later
    } else if !header.is_empty() {
        Layout::Header
    } else {
        Layout::BodyOnly
    };

    let how = span(&[Section::HowMade]).unwrap_or(0..0);
    let reviewer = people::reviewer(&lines[how.clone()], &text.join(how));

    let summary_range = span(&[Section::CaseSummary]).unwrap_or(0..0);
    let summary_text = text.join(summary_range);
    let case_summary = SUMMARY_BOILERPLATE.replace(&summary_text, "").into_owned();
    let patient = people::patient(&case_summary, header_injury);

    let decisions_range =
        span(&[Section::Decisions, Section::LaterDecisions]).unwrap_or_else(|| {
            // No decisions heading: look after the last section we know.
            sections.last().map_or(0, |s| s.1 + 1)..lines.len()
        });
    let mut warnings: Vec<String> = Vec::new();
    let decisions = build_decisions(&lines[decisions_range], &mut warnings);
    if decisions.is_empty() {
        return Err(LetterError::NoDecisions);
    }

    Ok(Letter {
        letter_id: letter_id(source_path),
        source_path: source_path.to_string(),
        layout,
        case_number,
        date_assigned,
        ur_denial_date,
        reviewer,
        patient,
        case_summary,
        decisions,
        warnings,
    })
}

/// The letter id: the file name without its extension.
pub fn letter_id(source_path: &str) -> String {
    let path = Path::new(source_path);
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| source_path.to_string())
}

/// Turns raw blocks into decisions: drug, category, citations, conclusion.
fn build_decisions(lines: &[String], warnings: &mut Vec<String>) -> Vec<Decision> {
    let lexicon = Lexicon::builtin();
    let raw = decisions::blocks(lines);
    let count = raw.len();
    let mut out = Vec::with_capacity(count);
    for (n, block) in raw.into_iter().enumerate() {
        let index = out.len() as u32 + 1;
        let rationale = block.rationale.unwrap_or_default();
        let medically_necessary = conclusion(&rationale);
        let is_last = n + 1 == count;
        let looks_cut = !decisions::concludes(&rationale);
        if is_last && looks_cut {
            warnings.push(format!(
                "decision '{}' is incomplete (letter truncated?): dropped",
                block.item
            ));
            continue;
        }
        if rationale.is_empty() {
            warnings.push(format!(
                "decision {index} ('{}') has no decision rationale",
                block.item
            ));
        }
        match (block.outcome, medically_necessary) {
            (Outcome::Upheld, Some(true)) | (Outcome::Overturned, Some(false)) => {
                warnings.push(format!(
                    "decision {index} ('{}') is {} but its rationale concludes the treatment is {}medically necessary",
                    block.item,
                    block.outcome,
                    if medically_necessary == Some(true) { "" } else { "not " }
                ));
            }
            _ => {}
        }
        let imr = block.imr_guideline.unwrap_or_default();
        let drug = lexicon.identify_drug(&block.item);
        let category = lexicon.categorize(&block.item, drug.as_ref());
        out.push(Decision {
            index,
            category,
            drug,
            sources: sources(&imr),
            pages: pages(&imr),
            imr_guideline: non_empty(&imr),
            claims_administrator_guideline: block.claims_guideline.filter(|s| !s.is_empty()),
            item: block.item,
            outcome: block.outcome,
            rationale,
            medically_necessary,
        });
    }
    out
}

/// Each heading line and where it stands, in letter order; repeated headings
/// (a page header repeating a heading) keep their first place.
fn find_sections(lines: &[String]) -> Vec<(Section, usize)> {
    let mut found: Vec<(Section, usize)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.len() > 60 {
            continue;
        }
        let bare = line.trim_end_matches(':').trim();
        if let Some(&(_, section)) = HEADINGS
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(bare) && bare.chars().all(|c| !c.is_lowercase()))
        {
            if !found.iter().any(|(s, _)| *s == section) {
                found.push((section, i));
            }
        }
    }
    found
}

/// `Key: value` pairs of the header block, values trimmed; a key's value runs
/// to the next key on the line, or to the next key line for wrapped values.
fn header_fields(lines: &[String]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        let keys: Vec<_> = HEADER_KEY.captures_iter(line).collect();
        if keys.is_empty() {
            // A wrapped value (`Treatment(s) in Dispute ...` lists run on).
            if let Some((_, value)) = fields.last_mut().filter(|_| !line.is_empty()) {
                value.push(' ');
                value.push_str(line);
            }
            continue;
        }
        for (k, cap) in keys.iter().enumerate() {
            let (Some(whole), Some(name)) = (cap.get(0), cap.get(1)) else {
                continue;
            };
            let end = keys
                .get(k + 1)
                .and_then(|c| c.get(0))
                .map_or(line.len(), |m| m.start());
            let key = join_lines(&[name.as_str()]).to_ascii_lowercase();
            let key = key.strip_prefix("imr ").unwrap_or(&key).to_string();
            let value = line[whole.end()..end].trim().to_string();
            fields.push((key, value));
        }
    }
    fields
}

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF") {
        return Some("a PDF file");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Some("a ZIP or Office file");
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Some("NUL bytes");
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    (control * 20 > head.len().max(1)).then_some("control characters")
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_non_letters_are_refused() {
        assert!(matches!(
            parse_bytes(b"%PDF-1.4 ...", "a.txt"),
            Err(LetterError::Binary(_))
        ));
        assert!(matches!(
            parse_bytes(b"abc\0def", "a.txt"),
            Err(LetterError::Binary(_))
        ));
        assert!(matches!(
            parse_bytes(b"Shopping list: eggs, milk. Verdict: Upheld", "notes.txt"),
            Err(LetterError::NotALetter)
        ));
        assert!(matches!(
            parse_bytes(b"CLINICAL CASE SUMMARY\nA 40-year-old male.\n", "a.txt"),
            Err(LetterError::NoDecisions)
        ));
    }

    #[test]
    fn header_fields_two_per_line_and_wrapped() {
        let lines: Vec<String> = [
            "IMR Case Number: CM16-0456789        Date Assigned: 05/02/2016",
            "Treatment(s) in Dispute Listed on IMR Application: Norco; MRI of the",
            "right knee",
        ]
        .map(String::from)
        .to_vec();
        let f = header_fields(&lines);
        assert_eq!(f[0], ("case number".into(), "CM16-0456789".into()));
        assert_eq!(f[1], ("date assigned".into(), "05/02/2016".into()));
        assert_eq!(f[2].1, "Norco; MRI of the right knee");
    }

    #[test]
    fn letter_id_is_the_file_stem() {
        assert_eq!(
            letter_id("sample-data/000_2c01b65a799f327b.txt"),
            "000_2c01b65a799f327b"
        );
    }
}

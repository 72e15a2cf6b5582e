//! The decisions section: one block per disputed item.
//!
//! A block starts with the item and its outcome, which may wrap:
//! `Physical therapy two times a week for six weeks for the lumbar spine and the left`
//! / `shoulder (12 sessions):  Upheld`, then labelled parts:
//! `Claims Administrator guideline: ...`, `MAXIMUS guideline: ...`,
//! `Decision rationale: ...`, which run until the next block.

use crate::repair::join_lines;
use regex::Regex;
use std::sync::LazyLock;

use crate::model::Outcome;

/// A line that states an item's outcome: `NORCO 10/325MG #60:  Upheld` or
/// `1 prescription Norco 10/325mg #180: Overturned.` gives the item's last
/// words (`NORCO 10/325MG #60`; empty when the item sits on the lines above)
/// and the outcome.
///
/// What `(?i)^(.*?)\s*:\s*(upheld|overturned)\s*\.?$` matches, by hand:
/// the regex's captures were a seventh of the parser's time, as a rationale
/// line ending in "is upheld." ran the lazy `(.*?)` over a whole paragraph.
/// (ASCII case folding is the regex's Unicode folding for these two words.)
fn parse_outcome_line(line: &str) -> Option<(&str, Outcome)> {
    fn strip_suffix_ignore_case<'a>(s: &'a str, word: &str) -> Option<&'a str> {
        let cut = s.len().checked_sub(word.len())?;
        let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
        tail.eq_ignore_ascii_case(word).then_some(head)
    }
    let bare = line.strip_suffix('.').unwrap_or(line).trim_end();
    let (rest, outcome) = match strip_suffix_ignore_case(bare, "upheld") {
        Some(rest) => (rest, Outcome::Upheld),
        None => (
            strip_suffix_ignore_case(bare, "overturned")?,
            Outcome::Overturned,
        ),
    };
    let head = rest.trim_end().strip_suffix(':')?;
    Some((head.trim_end(), outcome))
}

/// The labels that open a block's parts, with the layouts' variants.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(claims\s+administrator(?:'s)?\s+guidelines?|guidelines?\s+(?:used|cited|relied\s+upon)\s+by\s+the\s+claims\s+administrator)|(maximus\s+guidelines?|imr\s+guidelines?|expert\s+reviewer(?:'s)?\s+guidelines?|guidelines?\s+(?:used|cited|relied\s+upon)\s+by\s+the\s+(?:expert|imr)\s+reviewer)|(decision\s+rationale|rationale(?:\s+for\s+(?:the\s+)?decision)?))\s*:\s*",
    )
    .expect("label regex")
});

/// The label a line starts with, if any, and the text after it (a colon
/// within the first 60 bytes is checked before the regex runs). The regex
/// matches the label alone: capturing the rest of the line as well ran the
/// capture engine over whole rationale paragraphs.
fn label(line: &str) -> Option<(Part, &str)> {
    let head = &line.as_bytes()[..line.len().min(60)];
    if !head.contains(&b':') {
        return None;
    }
    // Every label starts with one of these letters (claims, guidelines,
    // maximus, imr, expert, decision, rationale; none of them has another
    // case-insensitive form): other lines with a colon skip the regex.
    if !line.starts_with([
        'c', 'C', 'g', 'G', 'm', 'M', 'i', 'I', 'e', 'E', 'd', 'D', 'r', 'R',
    ]) {
        return None;
    }
    let c = LABEL.captures(line)?;
    let part = if c.get(1).is_some() {
        Part::Claims
    } else if c.get(2).is_some() {
        Part::Imr
    } else {
        Part::Rationale
    };
    let end = c.get(0).map_or(0, |m| m.end());
    Some((part, &line[end..]))
}

/// Lines after the last block that are not part of its rationale: the
/// letters' closing matter.
static TRAILER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:cc:|APPEAL\s+RIGHTS|ADDITIONAL\s+INFORMATION|RIGHT\s+TO\s+APPEAL|Sincerely,?$|/s/)")
        .expect("trailer regex")
});

/// An item this long is not an item (a rationale sentence ending in `Upheld`).
const MAX_ITEM_CHARS: usize = 400;
/// An item wraps onto at most this many lines.
const MAX_ITEM_LINES: usize = 4;

/// A decision block as written, before drug and citation analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDecision {
    /// The item, white space collapsed.
    pub item: String,
    /// The outcome as stated after the item.
    pub outcome: Outcome,
    /// `Claims Administrator guideline:` text.
    pub claims_guideline: Option<String>,
    /// `MAXIMUS guideline:` text.
    pub imr_guideline: Option<String>,
    /// `Decision rationale:` text.
    pub rationale: Option<String>,
}

/// Which labelled part of a block a line belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Preamble,
    Claims,
    Imr,
    Rationale,
}

/// Splits the decisions section (repaired lines) into blocks.
pub fn blocks(lines: &[String]) -> Vec<RawDecision> {
    let lines = merge_split_outcomes(lines);
    // Find the outcome lines and where each item begins.
    // (item start, outcome line, outcome, the item's words on the outcome line)
    let mut starts: Vec<(usize, usize, Outcome, &str)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((head, outcome)) = parse_outcome_line(line) else {
            continue;
        };
        if label(line).is_some() {
            continue;
        }
        let floor = starts.last().map_or(0, |&(_, end, _, _)| end + 1);
        let start = item_start(&lines, i, floor, head.is_empty());
        starts.push((start, i, outcome, head));
    }
    let mut out = Vec::with_capacity(starts.len());
    for (n, &(start, outcome_line, outcome, head)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(lines.len(), |&(s, _, _, _)| s);
        let mut item_lines: Vec<&str> = lines[start..outcome_line]
            .iter()
            .map(String::as_str)
            .collect();
        item_lines.push(head);
        let item = join_lines(&item_lines);
        if item.is_empty() || item.len() > MAX_ITEM_CHARS {
            continue;
        }
        let body = &lines[outcome_line + 1..end];
        let is_last = n + 1 == starts.len();
        out.push(parts(item, outcome, body, is_last));
    }
    out
}

/// Joins `shoulder (12 sessions):` / `Upheld` back into one line.
fn merge_split_outcomes(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        let bare = line.trim_end_matches('.');
        let is_outcome_word =
            bare.eq_ignore_ascii_case("upheld") || bare.eq_ignore_ascii_case("overturned");
        if is_outcome_word {
            if let Some(prev) = out.last_mut().filter(|p| p.ends_with(':')) {
                prev.push(' ');
                prev.push_str(line);
                continue;
            }
        }
        out.push(line.clone());
    }
    out
}

/// Where the item ending at `outcome_line` begins: walk back over lines that
/// continue it (no paragraph break, no sentence end, not a label), never past
/// `floor` (the previous block's outcome line).
fn item_start(lines: &[String], outcome_line: usize, floor: usize, head_empty: bool) -> usize {
    let mut start = outcome_line;
    let mut taken = usize::from(!head_empty);
    while start > floor && taken < MAX_ITEM_LINES {
        let prev = &lines[start - 1];
        let ends_sentence = prev.ends_with(['.', ':', '?', '!']) || prev.ends_with(".\"");
        if prev.is_empty() || ends_sentence || label(prev).is_some() || is_heading(prev) {
            break;
        }
        start -= 1;
        taken += 1;
    }
    start
}

/// An all-capitals line such as `IMR ISSUES, DECISIONS AND RATIONALES`.
fn is_heading(line: &str) -> bool {
    line.len() > 3
        && line.chars().any(|c| c.is_ascii_uppercase())
        && !line.chars().any(|c| c.is_lowercase())
        && !line.chars().any(|c| c.is_ascii_digit())
}

/// Splits a block's body into its labelled parts.
fn parts(item: String, outcome: Outcome, body: &[String], is_last: bool) -> RawDecision {
    let mut current = Part::Preamble;
    let mut texts: [Vec<&str>; 4] = Default::default();
    let mut seen = [false; 4];
    for line in body {
        if is_last && TRAILER.is_match(line) {
            break;
        }
        if let Some((part, rest)) = label(line) {
            // A label seen twice (a quoted guideline) is text, not a new part.
            if !seen[part as usize] {
                current = part;
                seen[part as usize] = true;
                texts[current as usize].push(rest);
                continue;
            }
        }
        texts[current as usize].push(line);
    }
    let text = |p: Part| seen[p as usize].then(|| join_lines(&texts[p as usize]));
    RawDecision {
        item,
        outcome,
        claims_guideline: text(Part::Claims),
        imr_guideline: text(Part::Imr),
        rationale: text(Part::Rationale),
    }
}

/// A phrase that states a conclusion about medical necessity.
static NECESSITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bmedically\s+(?:necessary|appropriate|reasonable|indicated|unnecessary)\b|\b(?:is|are)\s+(?:not\s+)?(?:certified|recommended|warranted|supported|indicated)\b")
        .expect("necessity regex")
});

/// True when the rationale's last sentence states a conclusion: a real
/// rationale ends `Therefore, the request is not medically necessary.`, a
/// letter cut short ends anywhere else.
pub fn concludes(rationale: &str) -> bool {
    let last = rationale
        .trim_end()
        .trim_end_matches(['.', '!', '"', ')'])
        .rsplit(". ")
        .next()
        .unwrap_or("");
    rationale.trim_end().ends_with(['.', '!', '"', ')']) && NECESSITY.is_match(last)
}

/// `the request ... is medically necessary.` → `Some(true)`;
/// `is not medically necessary`, `not considered to be medically necessary`,
/// `determined to not be medically necessary` → `Some(false)`.
///
/// The conclusion is the last sentence that speaks of medical necessity.
pub fn conclusion(rationale: &str) -> Option<bool> {
    static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:not|no|never|cannot|neither|nor|isn't|aren't|unnecessary|un-?supported|unwarranted|non-certified)\b")
            .expect("negation regex")
    });
    // Split into sentences at `. ` and take the last one that concludes.
    let sentences = sentences(rationale);
    let strong = sentences.iter().rev().find(|s| says_medically(s));
    let sentence = strong.or_else(|| sentences.iter().rev().find(|s| NECESSITY.is_match(s)))?;
    let hit = NECESSITY.find(sentence)?;
    // The negation that counts is in the clause that carries the conclusion:
    // `Thus, based upon the evidence and the guidelines, epidural steroid
    // injections are not considered to be medically necessary.`
    let prefix = &sentence[..hit.start()];
    let mut clause_start = prefix.rfind([';', ',']).map_or(0, |p| p + 1);
    if prefix[clause_start..].split_whitespace().count() < 2 {
        clause_start = prefix[..clause_start.saturating_sub(1)]
            .rfind([';', ','])
            .map_or(0, |p| p + 1);
    }
    Some(!NEGATION.is_match(&sentence[clause_start..hit.end()]))
}

/// The rationale cut after each `. `, as `split_inclusive(". ")` cuts it,
/// with a byte scan instead of a substring searcher.
fn sentences(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'.' && b[i + 1] == b' ' {
            out.push(&text[start..i + 2]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Whether a sentence says `medically necessary`, `medically unnecessary`
/// or `medically appropriate`, in any ASCII case, without lower-casing a
/// copy of it (three copies per sentence were a tenth of the parser's time).
fn says_medically(sentence: &str) -> bool {
    const WORD: &[u8] = b"medically ";
    let b = sentence.as_bytes();
    (0..b.len().saturating_sub(WORD.len() - 1)).any(|i| {
        b[i..i + WORD.len()].eq_ignore_ascii_case(WORD) && {
            let rest = &b[i + WORD.len()..];
            ["necessary", "unnecessary", "appropriate"]
                .iter()
                .any(|next| {
                    rest.get(..next.len())
                        .is_some_and(|r| r.eq_ignore_ascii_case(next.as_bytes()))
                })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sentences_are_cut_as_split_inclusive_cuts_them() {
        for text in [
            "",
            ". ",
            "One. Two. Three.",
            "One.  Two.. Three. ",
            "No break at all",
            "é. ü. ",
            "a. . b",
            ".",
        ] {
            let want: Vec<&str> = text.split_inclusive(". ").collect();
            assert_eq!(sentences(text), want, "{text:?}");
        }
    }

    #[test]
    fn says_medically_is_a_case_insensitive_contains() {
        for s in [
            "is not medically necessary.",
            "MEDICALLY NECESSARY",
            "Medically  necessary",
            "medically unnecessary at this time",
            "is medically appropriate",
            "medically",
            "medically nec",
            "xmedically necessaryx",
            "the request is not medically\u{a0}necessary",
            "",
            "é medically appropriate é",
        ] {
            let l = s.to_ascii_lowercase();
            let want = [
                "medically necessary",
                "medically unnecessary",
                "medically appropriate",
            ]
            .iter()
            .any(|p| l.contains(p));
            assert_eq!(says_medically(s), want, "{s:?}");
        }
    }

    #[test]
    fn outcome_lines_are_what_the_outcome_regex_matched() {
        let regex = Regex::new(r"(?i)^(.*?)\s*:\s*(upheld|overturned)\s*\.?$").unwrap();
        let heads = [
            "",
            "NORCO 10/325MG #60",
            "A : ",
            "x:",
            "Lidoderm\u{a0}",
            "é",
            " ",
        ];
        let seps = ["", ":", " :", ": ", ":  ", "\t:\u{2003}", "::", ": x"];
        let words = [
            "Upheld",
            "upheld",
            "OVERTURNED",
            "Overturned",
            "uphel",
            "xupheld",
            "Uphéld",
        ];
        let ends = ["", ".", " .", "  ", ". ", "..", "\u{a0}."];
        let mut checked = 0;
        for h in heads {
            for sep in seps {
                for w in words {
                    for e in ends {
                        let line = format!("{h}{sep}{w}{e}");
                        let want = regex.captures(&line).map(|c| {
                            let up = c[2].eq_ignore_ascii_case("upheld");
                            (c.get(1).map_or("", |m| m.as_str()).to_string(), up)
                        });
                        let got = parse_outcome_line(&line)
                            .map(|(head, o)| (head.to_string(), o == Outcome::Upheld));
                        assert_eq!(got, want, "{line:?}");
                        checked += usize::from(want.is_some());
                    }
                }
            }
        }
        assert!(checked > 100, "the cases include many matches ({checked})");
    }

    #[test]
    fn blocks_with_wrapped_items_and_labels() {
        let lines = v(&[
            "The Final Determination was based on decisions for the disputed items/services set forth below:",
            "NORCO 10/325MG #60:  Upheld",
            "Claims Administrator guideline: The Claims Administrator did not cite any medical evidence",
            "for its decision.",
            "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines When to",
            "Continue Opioids topic Page(s): 80.",
            "Decision rationale: As noted on page 80. Therefore, the request is not",
            "",
            "medically necessary.",
            "Physical therapy two times a week for six weeks for the lumbar spine and the left",
            "shoulder (12 sessions):",
            "Overturned",
            "Decision rationale: The request is medically necessary.",
        ]);
        let b = blocks(&lines);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].item, "NORCO 10/325MG #60");
        assert_eq!(b[0].outcome, Outcome::Upheld);
        assert_eq!(
            b[0].claims_guideline.as_deref(),
            Some("The Claims Administrator did not cite any medical evidence for its decision.")
        );
        assert_eq!(
            b[0].imr_guideline.as_deref(),
            Some("Decision based on MTUS Chronic Pain Treatment Guidelines When to Continue Opioids topic Page(s): 80.")
        );
        assert_eq!(
            b[0].rationale.as_deref(),
            Some("As noted on page 80. Therefore, the request is not medically necessary.")
        );
        assert_eq!(
            b[1].item,
            "Physical therapy two times a week for six weeks for the lumbar spine and the left shoulder (12 sessions)"
        );
        assert_eq!(b[1].outcome, Outcome::Overturned);
        assert_eq!(b[1].claims_guideline, None);
    }

    #[test]
    fn items_with_colons_keep_them() {
        let lines = v(&[
            "Compound: Flurbiprofen 20%/Lidocaine 5% cream (180 grams):  Overturned",
            "Decision rationale: Medically necessary.",
        ]);
        assert_eq!(
            blocks(&lines)[0].item,
            "Compound: Flurbiprofen 20%/Lidocaine 5% cream (180 grams)"
        );
    }

    #[test]
    fn conclusions_of_the_seeds() {
        assert_eq!(
            conclusion("Therefore, the request is not medically necessary."),
            Some(false)
        );
        assert_eq!(conclusion("Therefore, based on guidelines and a review of the evidence, the request for 1 prescription Norco 10/325mg #180 is medically necessary."), Some(true));
        assert_eq!(conclusion("Thus, based upon the evidence and the guidelines, epidural steroid injections are not considered to be medically necessary."), Some(false));
        assert_eq!(conclusion("The request for 120 Percocet 7.5/325mg is determined to not be medically necessary."), Some(false));
        assert_eq!(conclusion("MTUS supports chronic use with physician monitoring. Therefore, this request is medically necessary."), Some(true));
        assert_eq!(conclusion("The documentation is lacking to support the medical necessity for ongoing use. The request is medically necessary and appropriate."), Some(true));
        assert_eq!(conclusion("The reviewer could not decide."), None);
    }

    #[test]
    fn a_rationale_cut_short_does_not_conclude() {
        assert!(concludes(
            "As noted. Therefore, the request is not medically necessary."
        ));
        assert!(concludes(
            "This is not considered to be medically necessary. "
        ));
        assert!(!concludes("Adding cyclobenzaprine is not recommended. In this case, the applicant is using Norco."));
        assert!(!concludes("Therefore, the request is not medically"));
    }
}

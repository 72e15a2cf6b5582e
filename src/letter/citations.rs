//! What an IMR reviewer's guideline relies on: guideline bodies and pages.
//!
//! The guideline text reads like
//! `Decision based on MTUS Chronic Pain Treatment Guidelines Opioids Page(s): 74-80.
//! Decision based on Non-MTUS Citation Other Medical Treatment Guideline or
//! Medical Evidence: Title 8, California Code of Regulations, section 9792.20`.

use crate::model::Source;
use regex::{Regex, RegexSet};
use std::sync::LazyLock;

/// The highest page number believed; guideline books are a few hundred pages.
const MAX_PAGE: u32 = 2000;
/// The longest range expanded (`74-80` is 7 pages); longer ones are typos.
const MAX_RANGE: u32 = 300;

/// Phrases that name a body without relying on it, removed before matching:
/// `The Expert Reviewer did not base their decision on the MTUS.` and
/// `Decision based on Non-MTUS Citation ...`.
static NEGATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)did\s+not\s+(?:base|rely)\s+(?:\w+\s+){0,2}(?:decision|determination)s?\s+(?:up)?on\s+(?:the\s+)?(?:MTUS|ACOEM|ODG)\b|\bnon-(?:MTUS|ACOEM|ODG)\b|\b(?:MTUS|ACOEM|ODG)\s+(?:does|did)\s+not\s+address\b",
    )
    .expect("negation regex")
});

/// One pattern per body, in contract order (`Source::ALL` minus `OTHER`).
static BODIES: LazyLock<[(Source, Regex); 5]> = LazyLock::new(|| {
    let re = |p: &str| Regex::new(p).expect("source regex");
    [
        (
            Source::Mtus,
            re(r"(?i)\bMTUS\b|Medical\s+Treatment\s+Utilization\s+Schedule"),
        ),
        (
            Source::Acoem,
            re(r"(?i)\bACOEM\b|American\s+College\s+of\s+Occupational"),
        ),
        (
            Source::Odg,
            re(r"(?i)\bODG\b|Official\s+Disability\s+Guidelines?"),
        ),
        (
            Source::Fda,
            re(r"(?i)\bFDA\b|Food\s+and\s+Drug\s+Administration"),
        ),
        (
            Source::Ccr,
            re(r"(?i)California\s+Code\s+of\s+Regulations|\bCCR\b|\bTitle\s+8\b|\b9792\.\d+"),
        ),
    ]
});

/// Where a citation of something else starts: `Non-MTUS Citation X` or
/// `Other Medical Treatment Guideline or Medical Evidence: X`.
static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)Non-MTUS\s+Citation:?|Other\s+Medical\s+Treatment\s+Guidelines?\s+or\s+Medical\s+Evidence:?")
        .expect("citation regex")
});

/// A known body anywhere in a text (for telling a named citation from OTHER).
static ANY_BODY: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(BODIES.iter().map(|(_, re)| re.as_str())).expect("body set"));

/// `Page(s): 74-75, 78-79.`, `Pages 41-42`, `Page: 22`.
static PAGES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bpages?\s*(?:\(s\))?\s*:?\s*(\d{1,4}(?:\s*(?:[-\u{2013}]|to)\s*\d{1,4})?(?:\s*(?:,|&|and)\s*\d{1,4}(?:\s*(?:[-\u{2013}]|to)\s*\d{1,4})?)*)")
        .expect("pages regex")
});
static PAGE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,4})(?:\s*(?:[-\u{2013}]|to)\s*(\d{1,4}))?").expect("page item regex")
});

/// The guideline bodies a guideline text relies on, in contract order.
///
/// `did not base their decision on the MTUS` and `Non-MTUS` do not count;
/// a citation of something none of the bodies names (a journal, a textbook)
/// gives `OTHER`.
pub fn sources(guideline: &str) -> Vec<Source> {
    let cleaned = NEGATED.replace_all(guideline, " ");
    let mut found: Vec<Source> = BODIES
        .iter()
        .filter(|(_, re)| re.is_match(&cleaned))
        .map(|(s, _)| *s)
        .collect();
    if cites_other(guideline) {
        found.push(Source::Other);
    }
    found
}

/// True when a `Non-MTUS Citation` or `Other Medical ... Evidence:` names
/// nothing among the known bodies.
fn cites_other(guideline: &str) -> bool {
    CITATION.find_iter(guideline).any(|m| {
        let start = m.end();
        let end = CITATION
            .find_at(guideline, start)
            .map(|m| m.start())
            .unwrap_or(guideline.len());
        let cited = guideline[start..end].trim_matches(|c: char| !c.is_alphanumeric());
        // A citation that is itself the start of the next `Other Medical ...`
        // clause (`Non-MTUS Citation Other Medical Treatment Guideline ...`) is empty here.
        !cited.is_empty() && !ANY_BODY.is_match(cited)
    })
}

/// Guideline pages cited, ranges expanded, sorted and unique.
///
/// `Page(s): 74-75, 78-79.` gives 74, 75, 78, 79; `Page(s): 7-8..` gives 7, 8.
pub fn pages(guideline: &str) -> Vec<u32> {
    let mut pages = Vec::new();
    for list in PAGES.captures_iter(guideline) {
        for item in PAGE_ITEM.captures_iter(&list[1]) {
            let Ok(first) = item[1].parse::<u32>() else {
                continue;
            };
            let last = item
                .get(2)
                .and_then(|m| m.as_str().parse::<u32>().ok())
                .unwrap_or(first);
            if first == 0 || first > MAX_PAGE || last > MAX_PAGE {
                continue;
            }
            if last >= first && last - first <= MAX_RANGE {
                pages.extend(first..=last);
            } else {
                // `Page(s): 80-8` or a reversed range: keep what was written.
                pages.push(first);
                if last > 0 {
                    pages.push(last);
                }
            }
        }
    }
    pages.sort_unstable();
    pages.dedup();
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use Source::*;

    #[test]
    fn seed_guidelines_give_their_bodies() {
        // Seed 001, Norco.
        assert_eq!(
            sources("Decision based on MTUS Chronic Pain Treatment Guidelines Opioids Page(s): 74-80. Decision based on Non-MTUS Citation Other Medical Treatment Guideline or Medical Evidence: Title 8, California Code of Regulations, section 9792.20"),
            vec![Mtus, Ccr]
        );
        // Seed 001, Compazine: the reviewer did not rely on the MTUS.
        assert_eq!(
            sources("The Expert Reviewer did not base their decision on the MTUS. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Pain Chapter, Antiemetcis (for opioid nausea) Other Medical Treatment Guideline or Medical Evidence: Title 8, California Code of Regulations, section 9792.20"),
            vec![Odg, Ccr]
        );
        // Seed 000, Ambien.
        assert_eq!(
            sources("Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 7-8.. Decision based on Non-MTUS Citation Food and Drug Administration (FDA), Ambien Medication Guide."),
            vec![Mtus, Fda]
        );
        assert_eq!(
            sources(
                "Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 298-301."
            ),
            vec![Mtus, Acoem]
        );
    }

    #[test]
    fn a_journal_citation_is_other() {
        assert_eq!(
            sources("Decision based on Non-MTUS Citation Spine Journal 2012; 37(4): 312-318."),
            vec![Other]
        );
        assert_eq!(sources(""), Vec::<Source>::new());
    }

    #[test]
    fn pages_expand_ranges_and_lists() {
        assert_eq!(
            pages("Opioids Page(s): 74-80."),
            (74..=80).collect::<Vec<_>>()
        );
        assert_eq!(pages("Page(s): 74-75, 78-79."), vec![74, 75, 78, 79]);
        assert_eq!(pages("Page(s): 78, 80."), vec![78, 80]);
        assert_eq!(pages("Page(s): 7-8.."), vec![7, 8]);
        assert_eq!(pages("Page(s): 111-113, 28"), vec![28, 111, 112, 113]);
        assert_eq!(
            pages("ACOEM Page(s): 47-49, Chronic Pain NSAIDs Page(s): 67-68."),
            vec![47, 48, 49, 67, 68]
        );
        assert_eq!(
            pages("Section(s): Weaning of Medications"),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn absurd_pages_are_bounded() {
        assert_eq!(pages("Page(s): 1-9999"), Vec::<u32>::new());
        assert_eq!(pages("Page(s): 80-8"), vec![8, 80]);
        assert_eq!(pages("Page(s): 0"), Vec::<u32>::new());
    }
}

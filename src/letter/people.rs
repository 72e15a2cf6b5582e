//! Who reviewed the case and what the letter says of the injured worker.

use super::dates;
use crate::model::{Patient, Reviewer, Sex};
use regex::Regex;
use std::sync::LazyLock;

/// `The expert reviewer is Board Certified in Anesthesiology, has a
/// subspecialty in Pain Management, and is licensed to practice in California.`
static BOARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)Board[\s-]+Certified\s+in\s+(.+?)(?:,\s*(?:and\s+)?(?:has|is|who)\b|\s+and\s+(?:has|is)\b|\.\s|\.$|;)")
        .expect("board regex")
});
static SUBSPECIALTY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bsub-?specialt(?:y|ies)\s+in\s+(.+?)(?:,\s*(?:and\s+)?(?:has|is|who)\b|\s+and\s+(?:has|is)\b|\.\s|\.$|;)")
        .expect("subspecialty regex")
});
static LICENSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)licensed\s+to\s+practice\s+(?:medicine\s+)?in\s+(?:the\s+states?\s+of\s+)?(.+?)(?:\.\s|\.$|;|,\s*(?:and\s+)?(?:has|is|he|she)\b|\s+(?:He|She)/)")
        .expect("licensed regex")
});
/// `State(s) of Licensure: Pennsylvania, Ohio, California`
static LICENSURE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^State\(?s?\)?\s+of\s+Licensure\s*:\s*(.*)$").expect("licensure line regex")
});
/// `Certification(s)/Specialty: Preventive Medicine, Occupational Medicine`
static SPECIALTY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^Certification\(?s?\)?\s*/\s*Specialt(?:y|ies)\s*:\s*(.*)$")
        .expect("specialty line regex")
});
static SUBSPECIALTY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^Sub-?specialt(?:y|ies)\s*:\s*(.*)$").expect("subspecialty line regex")
});

/// `this is a 66-year-old female`, `a 53-year-old male-female` (redacted).
static AGE_SEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,3})[\s-]+years?[\s-]+old\b,?\s*(?:(male-female|female-male|female|male|woman|man|gentleman|lady)\b)?")
        .expect("age regex")
});

/// The date of injury in the case summary's words:
/// `industrial injury of July 13, 2012`, `a 12/5/91 date of injury`,
/// `injured on 10/22/12`, `industrial-work injury on 10-11-01`.
static INJURY: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    let date = dates::DATE_PATTERN;
    [
        Regex::new(&format!(
            r"(?i)\b(?:injury|injured|injuries)\s+((?:\w+\s+){{0,2}}?)(?:of|on|in|dated)\s+({date})"
        ))
        .expect("injury regex"),
        Regex::new(&format!(
            r"(?i)({date})\s+(?:date\s+of\s+(?:injury|loss)|(?:industrial\s+)?injury)|date\s+of\s+injury\s*(?:of|on|was|is|:)?\s*({date})"
        ))
        .expect("date of injury regex"),
    ]
});

/// Reads the reviewer's credentials from the `HOW THE IMR FINAL
/// DETERMINATION WAS MADE` section, given as its lines.
pub fn reviewer(lines: &[String], joined: &str) -> Reviewer {
    let mut reviewer = Reviewer::default();
    for line in lines {
        // Each of the three labels starts with C or S (`ſ` folds to `s`):
        // most lines of the section are prose and skip the regexes.
        if !line.starts_with(['C', 'c', 'S', 's', 'ſ']) {
            continue;
        }
        if let Some(c) = SPECIALTY_LINE.captures(line) {
            reviewer.specialties.extend(split_list(&c[1]));
        } else if let Some(c) = LICENSURE_LINE.captures(line) {
            reviewer.licensure.extend(split_list(&c[1]));
        } else if let Some(c) = SUBSPECIALTY_LINE.captures(line) {
            reviewer.subspecialties.extend(split_list(&c[1]));
        }
    }
    if reviewer.specialties.is_empty() {
        if let Some(c) = BOARD.captures(joined) {
            reviewer.specialties = split_list(&c[1]);
        }
    }
    if reviewer.subspecialties.is_empty() {
        if let Some(c) = SUBSPECIALTY.captures(joined) {
            reviewer.subspecialties = split_list(&c[1]);
        }
    }
    if reviewer.licensure.is_empty() {
        if let Some(c) = LICENSED.captures(joined) {
            reviewer.licensure = split_states(&c[1]);
        }
    }
    dedup(&mut reviewer.specialties);
    dedup(&mut reviewer.subspecialties);
    dedup(&mut reviewer.licensure);
    reviewer
}

/// Reads age, sex and date of injury from the case summary (and the header's
/// `Date of Injury:` when the layout has one, which wins).
pub fn patient(summary: &str, header_injury_date: Option<String>) -> Patient {
    let mut patient = Patient::default();
    if let Some(c) = AGE_SEX.captures(summary) {
        patient.age = c[1].parse().ok().filter(|&a: &u32| (10..=110).contains(&a));
        patient.sex = c
            .get(2)
            .and_then(|m| match m.as_str().to_ascii_lowercase().as_str() {
                "male" | "man" | "gentleman" => Some(Sex::Male),
                "female" | "woman" | "lady" => Some(Sex::Female),
                _ => None, // `male-female`: the redaction says both.
            });
    }
    patient.injury_date = header_injury_date.or_else(|| {
        let dates_in = |c: regex::Captures<'_>, skip: usize| {
            c.iter()
                .skip(skip)
                .flatten()
                .find_map(|m| dates::to_iso(m.as_str()))
        };
        let [on_date, date_of] = &*INJURY;
        on_date
            .captures_iter(summary)
            // `examined the injured worker on 1/14/15` names the person, not
            // the injury: skip `injured worker ... on DATE`.
            .filter(|c| {
                let next = c.get(1).map_or("", |m| m.as_str());
                let first = next.split_whitespace().next().unwrap_or("");
                !["worker", "workers", "employee", "party", "patient"]
                    .iter()
                    .any(|w| first.eq_ignore_ascii_case(w))
            })
            .find_map(|c| dates_in(c, 2))
            .or_else(|| date_of.captures_iter(summary).find_map(|c| dates_in(c, 1)))
    });
    patient
}

/// `Preventive Medicine, Occupational Medicine` → two entries; `;` also splits.
fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';'])
        .map(|s| s.trim().trim_end_matches('.').trim())
        .filter(|s| !s.is_empty() && s.len() < 80)
        .map(str::to_string)
        .collect()
}

/// `California and Nevada`, `Pennsylvania, Ohio, and California`.
fn split_states(text: &str) -> Vec<String> {
    text.split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(|s| {
            s.trim()
                .trim_start_matches("and ")
                .trim()
                .trim_end_matches('.')
        })
        .filter(|s| !s.is_empty() && s.len() < 40)
        .map(str::to_string)
        .collect()
}

fn dedup(list: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    list.retain(|s| seen.insert(s.to_ascii_lowercase()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str) -> Reviewer {
        reviewer(&[], text)
    }

    #[test]
    fn board_sentence_of_seed_000_and_001() {
        let r = sentence("The expert reviewer is Board Certified in Occupational Medicine and is licensed to practice in California. He/she has been");
        assert_eq!(r.specialties, vec!["Occupational Medicine"]);
        assert_eq!(r.licensure, vec!["California"]);
        let r = sentence("reviewer is Board Certified in Anesthesiology, has a subspecialty in Pain Management, and is licensed to practice in California. He/she has");
        assert_eq!(r.specialties, vec!["Anesthesiology"]);
        assert_eq!(r.subspecialties, vec!["Pain Management"]);
        assert_eq!(r.licensure, vec!["California"]);
    }

    #[test]
    fn and_inside_a_specialty_survives_and_states_split() {
        let r = sentence("is Board Certified in Physical Medicine and Rehabilitation, has a subspecialty in Pain Medicine, and is licensed to practice in California and Nevada. He/she");
        assert_eq!(r.specialties, vec!["Physical Medicine and Rehabilitation"]);
        assert_eq!(r.subspecialties, vec!["Pain Medicine"]);
        assert_eq!(r.licensure, vec!["California", "Nevada"]);
    }

    #[test]
    fn credential_lines_of_seed_003_and_004() {
        let lines: Vec<String> = [
            "The Expert Reviewer has the following credentials:",
            "State(s) of Licensure: Pennsylvania, Ohio, California",
            "Certification(s)/Specialty: Preventive Medicine, Occupational Medicine",
        ]
        .map(String::from)
        .to_vec();
        let r = reviewer(&lines, "");
        assert_eq!(r.licensure, vec!["Pennsylvania", "Ohio", "California"]);
        assert_eq!(
            r.specialties,
            vec!["Preventive Medicine", "Occupational Medicine"]
        );
        assert!(r.subspecialties.is_empty());
    }

    #[test]
    fn patients_of_the_seeds() {
        let p = patient("The applicant is a represented employee who has filed a claim chronic low back pain reportedly associated with an industrial injury of July 13, 2012. Thus far", None);
        assert_eq!(
            p,
            Patient {
                age: None,
                sex: None,
                injury_date: Some("2012-07-13".into())
            }
        );
        let p = patient(
            "this is a 66-year-old female with a 12/5/91 date of injury. At the time (8/29/14)",
            None,
        );
        assert_eq!(p.age, Some(66));
        assert_eq!(p.sex, Some(Sex::Female));
        assert_eq!(p.injury_date.as_deref(), Some("1991-12-05"));
        let p = patient(
            "this is a 40-year-old male who was injured on 10/22/12 while he was",
            None,
        );
        assert_eq!(
            (p.age, p.sex, p.injury_date.as_deref()),
            (Some(40), Some(Sex::Male), Some("2012-10-22"))
        );
        let p = patient("The injured worker is a 53-year-old male-female, who sustained an industrial-work injury on 10-11-01. The", None);
        assert_eq!(
            (p.age, p.sex, p.injury_date.as_deref()),
            (Some(53), None, Some("2001-10-11"))
        );
        let p = patient("The injured worker is a 67-year-old male, who sustained an industrial injury on June 5, 2009. He", None);
        assert_eq!(
            (p.age, p.sex, p.injury_date.as_deref()),
            (Some(67), Some(Sex::Male), Some("2009-06-05"))
        );
    }

    #[test]
    fn the_injured_worker_seen_on_a_date_is_not_the_injury_date() {
        let p = patient("The injured worker is a 40-year-old male with a 3/5/07 date of injury. A qualified medical evaluator examined the injured worker on 1/14/15.", None);
        assert_eq!(p.injury_date.as_deref(), Some("2007-03-05"));
    }

    #[test]
    fn header_injury_date_wins() {
        let p = patient("injured on 10/22/12", Some("2011-03-11".into()));
        assert_eq!(p.injury_date.as_deref(), Some("2011-03-11"));
    }
}

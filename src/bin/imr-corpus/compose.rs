//! Composes one synthetic letter: its clean logical lines and its truth.
//!
//! Everything random comes from the letter's own [`Rng`], so a letter depends
//! only on (seed, letter number).

use crate::rng::Rng;
use imr_search::lexicon::{DrugEntry, Lexicon};
use imr_search::model::{
    Category, Drug, DrugClass, Layout, Outcome, Patient, Reviewer, Sex, Source,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// What a perfect parser must extract from a letter.
#[derive(Debug, Serialize)]
pub struct Truth {
    /// File stem.
    pub letter_id: String,
    /// Layout written.
    pub layout: Layout,
    /// Case number, when the layout has a header.
    pub case_number: Option<String>,
    /// Reviewer credentials.
    pub reviewer: Reviewer,
    /// Patient facts.
    pub patient: Patient,
    /// Decisions in letter order.
    pub decisions: Vec<TruthDecision>,
}

/// One decision's expected fields.
#[derive(Debug, Serialize)]
pub struct TruthDecision {
    /// 1-based.
    pub index: u32,
    /// Item, white space collapsed.
    pub item: String,
    /// Outcome.
    pub outcome: Outcome,
    /// Category.
    pub category: Category,
    /// Drug, when a drug item.
    pub drug: Option<Drug>,
    /// Sources in contract order.
    pub sources: Vec<Source>,
    /// Pages, expanded, sorted.
    pub pages: Vec<u32>,
    /// Conclusion.
    pub medically_necessary: bool,
}

/// A logical line; `keep` lines must not be separated from the next one by a
/// page break (the first line of a wrapped item).
pub struct Line {
    /// The text ("" for a paragraph break).
    pub text: String,
    /// Keep with the next line.
    pub keep: bool,
    /// Running prose (may lend a hyphenated word across its line end).
    pub prose: bool,
}

/// The sentence pools of `data/corpus/sentences.txt`, by role.
static POOLS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut pools: HashMap<String, Vec<String>> = HashMap::new();
    let mut role = String::new();
    for line in include_str!("../../../data/corpus/sentences.txt").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(r) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            role = r.to_string();
        } else {
            pools
                .entry(role.clone())
                .or_default()
                .push(line.to_string());
        }
    }
    pools
});

fn pool(role: &str) -> &'static [String] {
    POOLS.get(role).map_or(&[], Vec::as_slice)
}

const SPECIALTIES: &[&str] = &[
    "Occupational Medicine",
    "Anesthesiology",
    "Physical Medicine and Rehabilitation",
    "Orthopaedic Surgery",
    "Internal Medicine",
    "Family Practice",
    "Neurology",
    "Neurological Surgery",
    "Psychiatry",
    "Psychology",
    "Preventive Medicine",
    "Emergency Medicine",
    "Pain Medicine",
    "Rheumatology",
    "Chiropractic Medicine",
    "Acupuncture",
    "Plastic Surgery",
    "Hand Surgery",
    "Sports Medicine",
    "General Surgery",
    "Dermatology",
    "Ophthalmology",
    "Otolaryngology",
    "Urology",
    "Cardiology",
    "Podiatry",
];
const SUBSPECIALTIES: &[&str] = &[
    "Pain Management",
    "Pain Medicine",
    "Spine Surgery",
    "Sports Medicine",
    "Hand Surgery",
    "Addiction Medicine",
    "Electrodiagnostic Medicine",
    "Interventional Spine",
];
const STATES: &[&str] = &[
    "California",
    "Nevada",
    "Arizona",
    "Oregon",
    "Washington",
    "Texas",
    "New York",
    "Florida",
    "Illinois",
    "Pennsylvania",
    "Ohio",
    "Colorado",
    "Utah",
    "Michigan",
    "Georgia",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const LEVELS: &[&str] = &["L3-4", "L4-5", "L5-S1", "L4-S1", "C5-6", "C6-7"];

/// Non-drug treatments with their categories and guideline pairs.
const TREATMENTS: &[(&str, Category, &str, &str)] = &[
    ("Lumbar epidural steroid injection at {level}", Category::Injection, "Epidural steroid injections (ESIs)", "46"),
    ("Cervical epidural steroid injection at {level} under fluoroscopy", Category::Injection, "Epidural steroid injections (ESIs)", "46"),
    ("Bilateral {level} facet joint block", Category::Injection, "Facet joint intra-articular injections", "300-301"),
    ("Trigger point injections x 4 to the {part}", Category::Injection, "Trigger point injections", "122"),
    ("Right sacroiliac joint injection", Category::Injection, "Sacroiliac joint blocks", "300"),
    ("Radiofrequency ablation at {level}", Category::Injection, "Facet joint radiofrequency neurotomy", "300-301"),
    ("MRI of the {part} without contrast", Category::Imaging, "Special Studies", "303-304"),
    ("CT scan of the {part}", Category::Imaging, "Special Studies", "177-178"),
    ("X-rays of the {part}, 3 views", Category::Imaging, "Special Studies", "303"),
    ("Bone scan", Category::Imaging, "Special Studies", "303"),
    ("EMG/NCV of the bilateral lower extremities", Category::Diagnostic, "Electrodiagnostic studies", "303"),
    ("Urine drug screen", Category::Diagnostic, "Drug testing", "43"),
    ("Sleep study", Category::Diagnostic, "Sleep studies", "17"),
    ("Functional capacity evaluation", Category::Diagnostic, "Functional capacity evaluation", "137-138"),
    ("Physical therapy 2 times a week for 6 weeks for the {part}", Category::PhysicalMedicine, "Physical Medicine", "98-99"),
    ("Additional physical therapy, 12 sessions, for the {part} and the left shoulder following the recent flare of symptoms", Category::PhysicalMedicine, "Physical Medicine", "98-99"),
    ("Chiropractic treatment 6 visits for the {part}", Category::PhysicalMedicine, "Manual therapy & manipulation", "58-60"),
    ("Acupuncture 8 sessions", Category::PhysicalMedicine, "Acupuncture Medical Treatment Guidelines", "8-9"),
    ("Aquatic therapy 2 times a week for 4 weeks", Category::PhysicalMedicine, "Aquatic therapy", "22"),
    ("Right knee arthroscopy with partial meniscectomy", Category::Surgery, "Meniscectomy", "344-345"),
    ("Posterior lumbar fusion at {level}", Category::Surgery, "Spinal fusion", "307"),
    ("Right carpal tunnel release", Category::Surgery, "Surgical considerations", "270"),
    ("Left shoulder arthroscopic subacromial decompression", Category::Surgery, "Surgical considerations", "209-211"),
    ("TENS unit (30-day rental)", Category::Dme, "Transcutaneous electrotherapy", "114-116"),
    ("H-wave unit purchase", Category::Dme, "H-wave stimulation (HWT)", "117-118"),
    ("Lumbar brace", Category::Dme, "Lumbar supports", "301"),
    ("Cold therapy unit (7-day rental)", Category::Dme, "Continuous-flow cryotherapy", "338"),
    ("Front-wheeled walker", Category::Dme, "Walking aids", "339"),
    ("Cognitive behavioral therapy 6 sessions", Category::Behavioral, "Behavioral interventions", "23"),
    ("Psychological evaluation", Category::Behavioral, "Psychological evaluations", "100-101"),
    ("Biofeedback 6 sessions", Category::Behavioral, "Biofeedback", "24-25"),
    ("Functional restoration program (160 hours)", Category::Program, "Functional restoration programs (FRPs)", "30-34"),
    ("Weight loss program", Category::Program, "Chronic pain programs", "30-32"),
    ("Gym membership for 6 months", Category::Program, "Exercise", "46-47"),
    ("Orthopedic consultation", Category::Consultation, "Introduction", "1"),
    ("Referral to a pain management specialist", Category::Consultation, "Introduction", "1"),
    ("Home health aide 4 hours a day, 5 days a week", Category::HomeCare, "Home health services", "51"),
];

/// MTUS topics and pages by drug class.
fn drug_topic(class: DrugClass) -> (&'static str, &'static str) {
    match class {
        DrugClass::Opioid => ("Opioids", "74-96"),
        DrugClass::MuscleRelaxant => ("Muscle relaxants (for pain)", "63-66"),
        DrugClass::SedativeHypnotic => ("Insomnia treatment", "7-8"),
        DrugClass::Benzodiazepine => ("Benzodiazepines", "24"),
        DrugClass::Nsaid => ("NSAIDs (non-steroidal anti-inflammatory drugs)", "67-73"),
        DrugClass::Anticonvulsant => ("Anti-epilepsy drugs (AEDs)", "16-22"),
        DrugClass::Antidepressant => ("Antidepressants for chronic pain", "13-16"),
        DrugClass::Antiemetic => ("Antiemetics (for opioid nausea)", "77"),
        DrugClass::Topical => ("Topical Analgesics", "111-113"),
        DrugClass::GastroProtective => ("NSAIDs, GI symptoms & cardiovascular risk", "68-69"),
        DrugClass::Other => ("Medications for chronic pain", "60-61"),
    }
}

fn strengths(class: DrugClass, combo: bool) -> &'static [&'static str] {
    match (class, combo) {
        (DrugClass::Opioid, true) => &["10/325", "7.5/325", "5/325", "10/300"],
        (DrugClass::Opioid, false) => &["10", "15", "30", "50", "150"],
        (DrugClass::Nsaid, _) => &["550", "800", "200", "15", "75"],
        (DrugClass::Anticonvulsant, _) => &["300", "600", "75", "25"],
        (DrugClass::Topical, _) => &["5%", "1%", "0.025%"],
        _ => &["10", "20", "5", "7.5", "0.5", "1"],
    }
}

/// Builds one letter.
pub fn letter(rng: &mut Rng, number: u64, lexicon: &Lexicon) -> (String, Vec<Line>, Truth) {
    let letter_id = format!("{number:06}_{:016x}", rng.next_u64());
    let layout = match rng.below(100) {
        0..=54 => Layout::BodyOnly,
        55..=79 => Layout::Header,
        _ => Layout::Later,
    };
    let mut lines: Vec<Line> = Vec::with_capacity(120);
    let push = |lines: &mut Vec<Line>, text: String| {
        lines.push(Line {
            text,
            keep: false,
            prose: false,
        })
    };

    // Patient and dates.
    let year = 1995 + rng.below(22) as u32;
    let (month, day) = (1 + rng.below(12) as u32, 1 + rng.below(28) as u32);
    let injury_iso = format!("{year:04}-{month:02}-{day:02}");
    let yy = year % 100;
    let injury_written = match rng.below(4) {
        0 => format!("{} {day}, {year}", MONTHS[month as usize - 1]),
        1 => format!("{month}/{day}/{yy:02}"),
        2 => format!("{month:02}/{day:02}/{year}"),
        _ => format!("{month}-{day}-{yy:02}"),
    };
    let age = (rng.below(10) > 0).then(|| 22 + rng.below(53) as u32);
    let (sex_word, sex) = match rng.below(10) {
        0..=3 => ("male", Some(Sex::Male)),
        4..=7 => ("female", Some(Sex::Female)),
        8 => ("male-female", None),
        _ => ("", None),
    };
    let patient = Patient {
        age,
        sex: age.and(sex),
        injury_date: Some(injury_iso),
    };

    // Reviewer.
    let mut specialties = vec![rng.pick(SPECIALTIES).to_string()];
    let lines_form = layout == Layout::Later || rng.below(3) == 0;
    if lines_form && rng.below(4) == 0 {
        let other = rng.pick(SPECIALTIES).to_string();
        if !specialties.contains(&other) {
            specialties.push(other);
        }
    }
    let subspecialties: Vec<String> = if !lines_form && rng.below(3) == 0 {
        vec![rng.pick(SUBSPECIALTIES).to_string()]
    } else {
        vec![]
    };
    let mut licensure = vec!["California".to_string()];
    for _ in 0..rng.below(3) {
        let s = rng.pick(STATES).to_string();
        if !licensure.contains(&s) {
            licensure.insert(rng.below(licensure.len() as u64 + 1) as usize, s);
        }
    }
    let reviewer = Reviewer {
        specialties,
        subspecialties,
        licensure,
    };

    let case_number = (layout != Layout::BodyOnly)
        .then(|| format!("CM{:02}-{:07}", 13 + rng.below(6), rng.below(10_000_000)));
    let date = |rng: &mut Rng| {
        format!(
            "{}/{}/{}",
            1 + rng.below(12),
            1 + rng.below(28),
            13 + rng.below(5)
        )
    };

    // Header.
    match layout {
        Layout::Header => {
            let cn = case_number.clone().unwrap_or_default();
            for (k, v) in [
                ("Case Number:", cn),
                (
                    "Date Assigned:",
                    format!("{:02}/{:02}/2015", 1 + rng.below(12), 1 + rng.below(28)),
                ),
                (
                    "UR Denial Date:",
                    format!("{:02}/{:02}/2015", 1 + rng.below(12), 1 + rng.below(28)),
                ),
                ("Priority:", "Standard".to_string()),
                (
                    "Application Received:",
                    format!("{:02}/{:02}/2015", 1 + rng.below(12), 1 + rng.below(28)),
                ),
                ("Employee Name:", "[REDACTED]".to_string()),
                ("Date of Injury:", format!("{month:02}/{day:02}/{year}")),
                ("Claim Number:", "[REDACTED]".to_string()),
                ("Provider Name:", "[REDACTED], MD".to_string()),
            ] {
                push(&mut lines, format!("{k:<24}{v}"));
            }
            push(
                &mut lines,
                "Treatment(s) in Dispute Listed on IMR Application: see below".into(),
            );
            push(&mut lines, String::new());
            push(&mut lines, "DETERMINATION".into());
            wrap_into(&mut lines, "MAXIMUS Federal Services, Inc. has completed the Independent Medical Review (IMR) of the above workers' compensation case. This letter provides you with the IMR Final Determination and explains how the determination was made.");
            push(&mut lines, String::new());
        }
        Layout::Later => {
            let cn = case_number.clone().unwrap_or_default();
            push(
                &mut lines,
                format!("IMR Case Number: {cn:<20}Date Assigned: {}", date(rng)),
            );
            push(
                &mut lines,
                format!(
                    "Date of Injury: {:<21}Decision Date: {}",
                    format!("{month:02}/{day:02}/{year}"),
                    date(rng)
                ),
            );
            push(
                &mut lines,
                format!("UR Denial Date: {:<21}Priority: Standard", date(rng)),
            );
            push(&mut lines, format!("Application Received: {}", date(rng)));
            push(&mut lines, String::new());
            push(&mut lines, "DOCUMENTS REVIEWED".into());
            push(
                &mut lines,
                "The expert reviewer reviewed the following documents:".into(),
            );
            for doc in [
                "Application for Independent Medical Review",
                "Utilization review determination",
                "Primary treating physician's progress reports",
                "Diagnostic imaging reports",
            ] {
                push(&mut lines, format!("- {doc}, {}", date(rng)));
            }
            push(&mut lines, String::new());
        }
        Layout::BodyOnly => {}
    }

    // How the determination was made.
    push(
        &mut lines,
        "HOW THE IMR FINAL DETERMINATION WAS MADE".into(),
    );
    let mut how = String::from("MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no affiliation with the employer, employee, providers or the claims administrator. ");
    if !lines_form {
        how.push_str(&format!(
            "The expert reviewer is Board Certified in {}",
            reviewer.specialties[0]
        ));
        if let Some(sub) = reviewer.subspecialties.first() {
            how.push_str(&format!(", has a subspecialty in {sub},"));
        }
        how.push_str(&format!(
            " and is licensed to practice in {}. ",
            english_list(&reviewer.licensure)
        ));
    }
    how.push_str("He/she has been in active clinical practice for more than five years and is currently working at least 24 hours a week in active practice. The expert reviewer was selected based on his/her clinical experience, education, background, and expertise in the same or similar specialties that evaluate and/or treat the medical condition and disputed items/services. He/she is familiar with governing laws and regulations, including the strength of evidence hierarchy that applies to Independent Medical Review determinations.");
    wrap_into(&mut lines, &how);
    if lines_form {
        push(&mut lines, String::new());
        push(
            &mut lines,
            "The Expert Reviewer has the following credentials:".into(),
        );
        push(
            &mut lines,
            format!("State(s) of Licensure: {}", reviewer.licensure.join(", ")),
        );
        push(
            &mut lines,
            format!(
                "Certification(s)/Specialty: {}",
                reviewer.specialties.join(", ")
            ),
        );
    }
    push(&mut lines, String::new());

    // Case summary.
    push(&mut lines, "CLINICAL CASE SUMMARY".into());
    wrap_into(&mut lines, "The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:");
    push(&mut lines, String::new());
    let who = match (age, sex_word) {
        (Some(a), "") => format!("The injured worker is a {a}-year-old"),
        (Some(a), s) => format!("The injured worker is a {a}-year-old {s}"),
        (None, _) => "The injured worker is an employee".to_string(),
    };
    let opening = match rng.below(3) {
        0 => format!("{who} who sustained an industrial injury on {injury_written}."),
        1 => format!("{who} with a {injury_written} date of injury."),
        _ => format!("{who} who was injured on {injury_written} while lifting at work."),
    };
    let mut summary = vec![opening];
    let n = 8 + rng.below(8) as usize;
    summary.extend(sentences(rng, "summary", n, None, lexicon));
    wrap_into(&mut lines, &summary.join(" "));
    push(&mut lines, String::new());

    // Decisions.
    let heading = if layout == Layout::Later {
        "IMR DECISION(S) AND RATIONALE(S)"
    } else {
        "IMR ISSUES, DECISIONS AND RATIONALES"
    };
    push(&mut lines, heading.into());
    push(&mut lines, "The Final Determination was based on decisions for the disputed items/services set forth below:".into());
    push(&mut lines, String::new());
    let count = match rng.below(100) {
        0..=24 => 1,
        25..=54 => 2,
        55..=76 => 3,
        77..=88 => 4,
        89..=94 => 5,
        95..=97 => 6,
        _ => 7,
    };
    let mut decisions = Vec::with_capacity(count);
    let mut used_items: Vec<String> = Vec::new();
    for index in 1..=count as u32 {
        let d = decision(rng, index, lexicon, &mut lines, &used_items);
        used_items.push(d.item.clone());
        decisions.push(d);
    }
    let truth = Truth {
        letter_id: letter_id.clone(),
        layout,
        case_number,
        reviewer,
        patient,
        decisions,
    };
    (letter_id, lines, truth)
}

/// `n` distinct sentences of a role, filled.
fn sentences(
    rng: &mut Rng,
    role: &str,
    n: usize,
    item: Option<&str>,
    lexicon: &Lexicon,
) -> Vec<String> {
    let p = pool(role);
    let mut chosen: Vec<usize> = Vec::with_capacity(n);
    while chosen.len() < n.min(p.len()) {
        let i = rng.below(p.len() as u64) as usize;
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen
        .into_iter()
        .map(|i| fill(rng, &p[i], item, lexicon))
        .collect()
}

fn rng_pick_pool(rng: &mut Rng, role: &str) -> &'static str {
    let p = pool(role);
    if p.is_empty() {
        return "";
    }
    p[rng.below(p.len() as u64) as usize].as_str()
}

/// Fills a template's slots.
fn fill(rng: &mut Rng, template: &str, item: Option<&str>, lexicon: &Lexicon) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let slot = &rest[open + 1..open + close];
        let value = match slot {
            "drug" => {
                let e = &lexicon.entries()[rng.below(lexicon.entries().len() as u64) as usize];
                e.brands
                    .first()
                    .cloned()
                    .unwrap_or_else(|| e.generic.clone())
            }
            "part" => rng_pick_pool(rng, "part").to_string(),
            "pain" | "pain2" => (3 + rng.below(7)).to_string(),
            "weeks" => (2 + rng.below(6)).to_string(),
            "months" => (3 + rng.below(20)).to_string(),
            "visits" => (6 + rng.below(18)).to_string(),
            "year" => (2010 + rng.below(7)).to_string(),
            "diag" | "diag2" => rng_pick_pool(rng, "diag").to_string(),
            "finding_phrase" => rng_pick_pool(rng, "finding_phrase").to_string(),
            "therapy" => rng_pick_pool(rng, "therapy").to_string(),
            "side" => if rng.below(2) == 0 { "left" } else { "right" }.to_string(),
            "level" => (*rng.pick(LEVELS)).to_string(),
            "date" => format!(
                "{}/{}/{}",
                1 + rng.below(12),
                1 + rng.below(28),
                13 + rng.below(5)
            ),
            "item" => item.unwrap_or("this treatment").to_string(),
            _ => String::new(),
        };
        out.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Writes one decision block and returns its truth.
fn decision(
    rng: &mut Rng,
    index: u32,
    lexicon: &Lexicon,
    lines: &mut Vec<Line>,
    used: &[String],
) -> TruthDecision {
    let outcome = if rng.below(100) < 78 {
        Outcome::Upheld
    } else {
        Outcome::Overturned
    };
    let (item, category, drug, topic, topic_pages) = loop {
        let candidate = if rng.below(100) < 65 {
            drug_item(rng, lexicon)
        } else {
            treatment_item(rng)
        };
        if !used.contains(&candidate.0) {
            break candidate;
        }
    };
    // The item line(s): long items wrap onto a second line.
    let sep = if rng.below(2) == 0 { ":  " } else { ": " };
    let word = match outcome {
        Outcome::Upheld => "Upheld",
        Outcome::Overturned => "Overturned",
    };
    let full = format!("{item}{sep}{word}");
    if full.len() > 95 {
        let cut = item[..90.min(item.len())].rfind(' ').unwrap_or(item.len());
        lines.push(Line {
            text: item[..cut].to_string(),
            keep: true,
            prose: false,
        });
        lines.push(Line {
            text: format!("{}{sep}{word}", &item[cut + 1..]),
            keep: false,
            prose: false,
        });
    } else {
        lines.push(Line {
            text: full,
            keep: false,
            prose: false,
        });
    }
    lines.push(Line {
        text: String::new(),
        keep: false,
        prose: false,
    });

    let claims = match rng.below(3) {
        0 => "The Claims Administrator did not cite any medical evidence for its decision.".to_string(),
        1 => format!("Decision based on MTUS Chronic Pain Treatment Guidelines {topic}."),
        _ => "The Claims Administrator did not base their decision on the MTUS. Decision based on Non-MTUS Citation Official Disability Guidelines.".to_string(),
    };
    wrap_into(lines, &format!("Claims Administrator guideline: {claims}"));
    lines.push(Line {
        text: String::new(),
        keep: false,
        prose: false,
    });

    // The IMR reviewer's guideline and what it relies on.
    let mut sources = Vec::new();
    let mut pages_text = topic_pages.to_string();
    let acoem = matches!(category, Category::Imaging | Category::Surgery) && rng.below(2) == 0;
    let guideline = match rng.below(100) {
        _ if acoem => {
            sources.extend([Source::Mtus, Source::Acoem]);
            format!("Decision based on MTUS ACOEM Chapter 12 Low Back Complaints {topic} Page(s): {topic_pages}.")
        }
        0..=54 => {
            sources.push(Source::Mtus);
            format!("Decision based on MTUS Chronic Pain Treatment Guidelines {topic} Page(s): {topic_pages}.")
        }
        55..=69 => {
            sources.extend([Source::Mtus, Source::Odg, Source::Ccr]);
            format!("Decision based on MTUS Chronic Pain Treatment Guidelines {topic} Page(s): {topic_pages}. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Pain Chapter, {topic} Other Medical Treatment Guideline or Medical Evidence: Title 8, California Code of Regulations, section 9792.20")
        }
        70..=84 => {
            sources.push(Source::Odg);
            pages_text.clear();
            format!("The Expert Reviewer did not base their decision on the MTUS. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Pain Chapter, {topic}.")
        }
        85..=92 => {
            sources.extend([Source::Mtus, Source::Fda]);
            format!("Decision based on MTUS Chronic Pain Treatment Guidelines {topic} Page(s): {topic_pages}. Decision based on Non-MTUS Citation Food and Drug Administration (FDA), Medication Guide.")
        }
        _ => {
            sources.push(Source::Mtus);
            pages_text.clear();
            format!(
                "Decision based on MTUS Chronic Pain Medical Treatment 2009, Section(s): {topic}."
            )
        }
    };
    wrap_into(lines, &format!("MAXIMUS guideline: {guideline}"));
    lines.push(Line {
        text: String::new(),
        keep: false,
        prose: false,
    });

    // The rationale.
    let necessary = outcome == Outcome::Overturned;
    let mut text = Vec::new();
    let mut n = 1 + rng.below(3) as usize;
    // The first guideline sentence is about the drug's class or the
    // treatment's kind, as in real rationales ("short-term management of
    // insomnia, for up to 35 days" for zolpidem).
    let kind = drug
        .as_ref()
        .map_or(category.as_str(), |d| d.class.as_str());
    let role = format!("guideline:{kind}");
    if !pool(&role).is_empty() {
        text.extend(sentences(rng, &role, 1, Some(&item), lexicon));
        n -= 1;
    }
    text.extend(sentences(rng, "guideline", n, Some(&item), lexicon));
    let n = 2 + rng.below(4) as usize;
    text.extend(sentences(rng, "finding", n, Some(&item), lexicon));
    let role = if necessary {
        "assessment_pos"
    } else {
        "assessment_neg"
    };
    let n = 1 + rng.below(3) as usize;
    text.extend(sentences(rng, role, n, Some(&item), lexicon));
    let role = if necessary {
        "conclusion_pos"
    } else {
        "conclusion_neg"
    };
    text.extend(sentences(rng, role, 1, Some(&item), lexicon));
    let sentences = text;
    wrap_into(
        lines,
        &format!("Decision rationale: {}", sentences.join(" ")),
    );
    lines.push(Line {
        text: String::new(),
        keep: false,
        prose: false,
    });

    TruthDecision {
        index,
        item,
        outcome,
        category,
        drug,
        sources,
        pages: expand_pages(&pages_text),
        medically_necessary: necessary,
    }
}

type ItemParts = (String, Category, Option<Drug>, &'static str, &'static str);

fn drug_item(rng: &mut Rng, lexicon: &Lexicon) -> ItemParts {
    if rng.below(100) < 5 {
        return compound_item(rng);
    }
    let e: &DrugEntry = rng.pick(lexicon.entries());
    let use_brand = !e.brands.is_empty() && rng.below(100) < 60;
    let name = if use_brand {
        e.brands[rng.below(e.brands.len() as u64) as usize].clone()
    } else {
        // As letters write generics: capitalized, sometimes upper case.
        let g = e.generic.clone();
        if rng.below(5) == 0 {
            g.to_uppercase()
        } else {
            capitalize(&g)
        }
    };
    let combo = e.generic.contains('/');
    let amount = rng.pick(strengths(e.class, combo));
    let (strength_text, strength) = if amount.ends_with('%') {
        (amount.to_string(), amount.to_string())
    } else {
        let unit = if rng.below(3) == 0 { "MG" } else { "mg" };
        let gap = if rng.below(2) == 0 { " " } else { "" };
        (format!("{amount}{gap}{unit}"), format!("{amount} mg"))
    };
    let qty = [30u32, 60, 90, 120, 180][rng.below(5) as usize];
    let (before, after, quantity) = match rng.below(10) {
        0..=5 => (String::new(), format!(" #{qty}"), Some(qty)),
        6 => (String::new(), format!(" Qty {qty}"), Some(qty)),
        7 => (format!("{qty} "), String::new(), Some(qty)),
        _ => (String::new(), String::new(), None),
    };
    let refills = if rng.below(100) < 15 {
        1 + rng.below(3) as u32
    } else {
        0
    };
    let refill_text = match refills {
        0 => String::new(),
        1 => " with 1 refill".to_string(),
        n => format!(" with {n} refills"),
    };
    let prefix = match rng.below(10) {
        0 => "1 prescription of ",
        1 => "Pharmacy purchase of ",
        2 => "Retrospective request for ",
        _ => "",
    };
    let prefix = if before.is_empty() { prefix } else { "" };
    let item = format!("{prefix}{before}{name} {strength_text}{after}{refill_text}");
    // A brand spelled like its generic (`Theramine`) reads as the generic.
    let brand = use_brand
        .then(|| name.clone())
        .filter(|b| b.to_lowercase() != e.generic);
    // `Voltaren Gel`: a topical form makes a non-opioid drug topical.
    let lower = name.to_lowercase();
    let topical_form = ["gel", "cream", "lotion", "ointment", "patch"]
        .iter()
        .any(|f| lower.split_whitespace().any(|w| w == *f));
    let class = if topical_form && e.class != DrugClass::Opioid {
        DrugClass::Topical
    } else {
        e.class
    };
    let (topic, pages) = drug_topic(class);
    let drug = Drug {
        generic: e.generic.clone(),
        brand,
        class,
        strength: Some(strength),
        quantity,
        refills,
        ingredients: vec![],
    };
    (item, Category::Pharmacy, Some(drug), topic, pages)
}

fn compound_item(rng: &mut Rng) -> ItemParts {
    const INGREDIENTS: &[(&str, &str)] = &[
        ("Flurbiprofen", "20%"),
        ("Ketoprofen", "10%"),
        ("Lidocaine", "5%"),
        ("Gabapentin", "10%"),
        ("Cyclobenzaprine", "2%"),
        ("Capsaicin", "0.025%"),
        ("Baclofen", "2%"),
        ("Tramadol", "8%"),
    ];
    let n = 2 + rng.below(2) as usize;
    let mut chosen: Vec<(&str, &str)> = Vec::new();
    while chosen.len() < n {
        let c = *rng.pick(INGREDIENTS);
        if !chosen.iter().any(|x| x.0 == c.0) {
            chosen.push(c);
        }
    }
    let listed: Vec<String> = chosen.iter().map(|(g, s)| format!("{g} {s}")).collect();
    let grams = [30u32, 60, 120, 180][rng.below(4) as usize];
    let item = format!("Compound: {} cream ({grams} grams)", listed.join("/"));
    let ingredients: Vec<String> = chosen.iter().map(|(g, _)| g.to_lowercase()).collect();
    let drug = Drug {
        generic: ingredients.join("/"),
        brand: None,
        class: DrugClass::Topical,
        strength: None,
        quantity: None,
        refills: 0,
        ingredients,
    };
    (
        item,
        Category::Pharmacy,
        Some(drug),
        "Topical Analgesics",
        "111-113",
    )
}

fn treatment_item(rng: &mut Rng) -> ItemParts {
    let (template, category, topic, pages) = *rng.pick(TREATMENTS);
    let part = rng_pick_pool(rng, "part");
    let level = *rng.pick(LEVELS);
    let item = template.replace("{level}", level).replace("{part}", part);
    (item, category, None, topic, pages)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `California, Nevada and Arizona`.
fn english_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `74-75, 78` → 74, 75, 78.
fn expand_pages(text: &str) -> Vec<u32> {
    let mut pages = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut ends = part
            .splitn(2, '-')
            .map(|n| n.trim().parse::<u32>().unwrap_or(0));
        let first = ends.next().unwrap_or(0);
        let last = ends.next().unwrap_or(first);
        pages.extend(first..=last);
    }
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// Wraps a paragraph at about 95 columns into logical lines.
fn wrap_into(lines: &mut Vec<Line>, text: &str) {
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > 95 {
            lines.push(Line {
                text: std::mem::take(&mut line),
                keep: false,
                prose: true,
            });
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(Line {
            text: line,
            keep: false,
            prose: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `[guideline:<kind>]` pool names a real drug class or treatment
    /// category, and every one but `other` (and `pharmacy`, whose items are
    /// drugs) has one, so a typo in the data file cannot silently leave a
    /// kind on the general pool.
    #[test]
    fn guideline_pools_match_the_classes_and_categories() {
        for role in POOLS.keys() {
            if let Some(kind) = role.strip_prefix("guideline:") {
                let known = kind.parse::<DrugClass>().is_ok() || kind.parse::<Category>().is_ok();
                assert!(known, "unknown class or category {kind}");
            }
        }
        for class in DrugClass::ALL {
            let has = !pool(&format!("guideline:{}", class.as_str())).is_empty();
            assert_eq!(has, *class != DrugClass::Other, "{}", class.as_str());
        }
        for category in Category::ALL {
            let has = !pool(&format!("guideline:{}", category.as_str())).is_empty();
            let expected = !matches!(category, Category::Other | Category::Pharmacy);
            assert_eq!(has, expected, "{}", category.as_str());
        }
    }

    /// A decision's rationale opens with a sentence of its drug's class or
    /// its treatment's kind: the generated zolpidem rationales talk about
    /// insomnia, the epidural ones about radiculopathy.
    #[test]
    fn a_rationale_opens_with_a_sentence_of_its_kind() {
        let lexicon = Lexicon::builtin();
        let (mut hypnotics, mut injections) = (0, 0);
        for seed in 0..400 {
            let mut rng = Rng::for_letter(42, seed);
            let mut lines = Vec::new();
            let truth = decision(&mut rng, 1, lexicon, &mut lines, &[]);
            let kind = truth
                .drug
                .as_ref()
                .map_or(truth.category.as_str(), |d| d.class.as_str());
            let kind_pool = pool(&format!("guideline:{kind}"));
            if kind_pool.is_empty() {
                continue;
            }
            hypnotics += usize::from(kind == "sedative-hypnotic");
            injections += usize::from(kind == "injection");
            let text = lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let rationale = text
                .split("Decision rationale: ")
                .nth(1)
                .expect("rationale");
            assert!(
                kind_pool.iter().any(|s| rationale.starts_with(s.as_str())),
                "{kind}: {rationale}"
            );
        }
        assert!(hypnotics > 0 && injections > 0, "{hypnotics} {injections}");
    }
}

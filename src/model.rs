//! The parsed letter: the shapes `parse --json` prints and the indexer consumes.
//!
//! Field names follow `../shared/contract.md`; fields the contract does not
//! name (`layout`, `case_summary`, dates from the header block...) are
//! additions, never renames.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One IMR final determination letter, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Letter {
    /// The file name without its extension, e.g. `000_2c01b65a799f327b`.
    pub letter_id: String,
    /// The path the letter was read from, as given by the user.
    pub source_path: String,
    /// Which of the known layouts the letter is written in.
    pub layout: Layout,
    /// `Case Number:` from the header block (e.g. `CM14-0123456`), if any.
    pub case_number: Option<String>,
    /// `Date Assigned:` from the header block, ISO date.
    pub date_assigned: Option<String>,
    /// `UR Denial Date:` from the header block, ISO date.
    pub ur_denial_date: Option<String>,
    /// Who reviewed the case.
    pub reviewer: Reviewer,
    /// What the letter says of the injured worker.
    pub patient: Patient,
    /// The `CLINICAL CASE SUMMARY` section, repaired, as one paragraph.
    pub case_summary: String,
    /// One entry per disputed item, in letter order.
    pub decisions: Vec<Decision>,
    /// Things the parser noticed but could still parse around.
    pub warnings: Vec<String>,
}

/// The letter layouts the parser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Starts at `HOW THE IMR FINAL DETERMINATION WAS MADE` (the seeds).
    BodyOnly,
    /// A `Case Number:` / `Date Assigned:` header block before the body.
    Header,
    /// `DOCUMENTS REVIEWED` and `IMR DECISION(S) AND RATIONALE(S)` headings.
    Later,
}

/// The expert reviewer's credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    /// Board certifications, e.g. `["Occupational Medicine"]`.
    pub specialties: Vec<String>,
    /// `has a subspecialty in Pain Management` gives `["Pain Management"]`.
    pub subspecialties: Vec<String>,
    /// States of licensure in letter order, e.g. `["Pennsylvania", "Ohio", "California"]`.
    pub licensure: Vec<String>,
}

/// What the letter says about the injured worker (redacted letters say little).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    /// Age in years, from `a 66-year-old female`.
    pub age: Option<u32>,
    /// `None` when the letter does not say or says `male-female`.
    pub sex: Option<Sex>,
    /// Date of injury, ISO `YYYY-MM-DD`.
    pub injury_date: Option<String>,
}

/// The injured worker's sex as the letter states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// `male`
    Male,
    /// `female`
    Female,
}

/// One disputed item and how the reviewer decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// 1-based position in the letter.
    pub index: u32,
    /// The item as written, white space collapsed, without `: Upheld`.
    pub item: String,
    /// Upheld (denial stands) or overturned (treatment is necessary).
    pub outcome: Outcome,
    /// What kind of treatment the item is.
    pub category: Category,
    /// The drug, when the item is one; `None` for non-drug items.
    pub drug: Option<Drug>,
    /// The text after `Claims Administrator guideline:`.
    pub claims_administrator_guideline: Option<String>,
    /// The text after `MAXIMUS guideline:` (the IMR reviewer's guideline).
    pub imr_guideline: Option<String>,
    /// Guideline bodies the IMR reviewer relied on, in contract order.
    pub sources: Vec<Source>,
    /// Guideline pages the IMR reviewer cited, ranges expanded, sorted, unique.
    pub pages: Vec<u32>,
    /// The text after `Decision rationale:`.
    pub rationale: String,
    /// What the rationale concludes; `None` if it draws no clear conclusion.
    pub medically_necessary: Option<bool>,
}

/// A drug named by a disputed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drug {
    /// Lower-case generic name; combinations join ingredients with `/`.
    pub generic: String,
    /// The brand as the letter names it, title case; `None` if it names the generic.
    pub brand: Option<String>,
    /// Therapeutic class.
    pub class: DrugClass,
    /// `10/325 mg` from `10/325MG`.
    pub strength: Option<String>,
    /// From `#60`, `Qty 90` or `120 Percocet`.
    pub quantity: Option<u32>,
    /// From `with 2 refills`; 0 unless stated.
    pub refills: u32,
    /// For compounded products, each ingredient's generic name; else empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingredients: Vec<String>,
}

/// Defines a closed vocabulary enum with its contract spelling, parsing and display.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident ($kind:literal) { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in contract order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The contract spelling, e.g. as stored in the index.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            /// Case-insensitive; `_` and `-` are the same.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(&wanted))
                    .ok_or_else(|| UnknownValue {
                        kind: $kind,
                        value: s.to_string(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

/// A value outside a closed vocabulary (`--outcome maybe`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{value}': expected one of {expected}")]
pub struct UnknownValue {
    /// Which vocabulary.
    pub kind: &'static str,
    /// What was given.
    pub value: String,
    /// The accepted spellings, comma separated.
    pub expected: String,
}

vocabulary! {
    /// How the reviewer decided an item.
    Outcome("outcome") {
        /// The denial stands: not medically necessary.
        Upheld => "upheld",
        /// The treatment is medically necessary.
        Overturned => "overturned",
    }
}

vocabulary! {
    /// The kind of treatment a disputed item is.
    Category("category") {
        /// Drugs, compounded creams.
        Pharmacy => "pharmacy",
        /// Epidural, facet, trigger point, joint injections; nerve blocks.
        Injection => "injection",
        /// MRI, CT, X-ray, bone scan.
        Imaging => "imaging",
        /// EMG/NCV, labs, urine drug screens, sleep studies.
        Diagnostic => "diagnostic",
        /// Physical therapy, chiropractic, acupuncture, massage.
        PhysicalMedicine => "physical-medicine",
        /// Operations and their pre-operative extras.
        Surgery => "surgery",
        /// Durable medical equipment: TENS, braces, beds, walkers.
        Dme => "dme",
        /// Psychotherapy, CBT, biofeedback, psychological evaluation.
        Behavioral => "behavioral",
        /// Functional restoration, weight loss, gym, detox programs.
        Program => "program",
        /// Referrals and specialist consultations.
        Consultation => "consultation",
        /// Home health aides, home care.
        HomeCare => "home-care",
        /// Anything else.
        Other => "other",
    }
}

vocabulary! {
    /// Therapeutic class of a drug.
    DrugClass("drug class") {
        /// Norco, Percocet, tramadol...
        Opioid => "opioid",
        /// Flexeril, Soma, baclofen...
        MuscleRelaxant => "muscle-relaxant",
        /// Ambien, Lunesta, Sonata...
        SedativeHypnotic => "sedative-hypnotic",
        /// Xanax, Valium, Restoril...
        Benzodiazepine => "benzodiazepine",
        /// Ibuprofen, naproxen, Celebrex...
        Nsaid => "nsaid",
        /// Neurontin, Lyrica, Topamax...
        Anticonvulsant => "anticonvulsant",
        /// Cymbalta, amitriptyline, Trazodone...
        Antidepressant => "antidepressant",
        /// Zofran, Compazine, Phenergan...
        Antiemetic => "antiemetic",
        /// Creams, patches, gels, compounds.
        Topical => "topical",
        /// Prilosec, Protonix, ranitidine...
        GastroProtective => "gastro-protective",
        /// Anything else.
        Other => "other",
    }
}

vocabulary! {
    /// A guideline body an IMR reviewer can rely on.
    Source("source") {
        /// California Medical Treatment Utilization Schedule.
        Mtus => "MTUS",
        /// American College of Occupational and Environmental Medicine.
        Acoem => "ACOEM",
        /// Official Disability Guidelines.
        Odg => "ODG",
        /// Food and Drug Administration.
        Fda => "FDA",
        /// Title 8, California Code of Regulations.
        Ccr => "CCR",
        /// Any other medical evidence or guideline.
        Other => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_parse_case_insensitively() {
        assert_eq!("UPHELD".parse::<Outcome>(), Ok(Outcome::Upheld));
        assert_eq!("mtus".parse::<Source>(), Ok(Source::Mtus));
        assert_eq!(
            "physical_medicine".parse::<Category>(),
            Ok(Category::PhysicalMedicine)
        );
        let err = "maybe".parse::<Outcome>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown outcome 'maybe': expected one of upheld, overturned"
        );
    }

    #[test]
    fn vocabularies_serialize_in_contract_spelling() {
        let json = serde_json::to_string(&(DrugClass::MuscleRelaxant, Source::Ccr)).unwrap();
        assert_eq!(json, r#"["muscle-relaxant","CCR"]"#);
    }
}

//! The drug lexicon: brand and generic names, classes, and item categories.
//!
//! The data lives in `data/drugs.tsv` and `data/categories.tsv`, embedded in
//! the binary and parsed once. Items are written many ways in the letters
//! (`NORCO 10/325MG #60`, `1 prescription for Baclofen 10mg`,
//! `120 Percocet 7.5/325mg`, `Restoril 15 mg Qty 30 with 2 refills`); this
//! module reads the drug, strength, quantity and refills from them.

use crate::model::{Category, Drug, DrugClass};
use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexBuilder};
use rustc_hash::FxHashMap;
use std::sync::{LazyLock, OnceLock};

/// The drug table as shipped.
const DRUGS_TSV: &str = include_str!("../data/drugs.tsv");
/// The category patterns as shipped.
const CATEGORIES_TSV: &str = include_str!("../data/categories.tsv");

/// A bad line in a lexicon data file.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// A line that does not have the expected columns or values.
    #[error("{file} line {line}: {reason}")]
    BadLine {
        /// Which data file.
        file: &'static str,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// One drug of the lexicon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrugEntry {
    /// Canonical generic, lower case (`hydrocodone/acetaminophen`).
    pub generic: String,
    /// Therapeutic class.
    pub class: DrugClass,
    /// Brand names in their usual spelling (`Norco`, `OxyContin`).
    pub brands: Vec<String>,
    /// Other spellings that mean the generic (`hydrocodone/apap`).
    pub aliases: Vec<String>,
}

/// What a name in an item refers to.
#[derive(Debug, Clone, Copy)]
struct NameRef {
    entry: usize,
    /// Index into the entry's brands when the name is a brand.
    brand: Option<usize>,
}

/// The drug lexicon and the category patterns, compiled for matching.
#[derive(Debug)]
pub struct Lexicon {
    entries: Vec<DrugEntry>,
    /// Every lower-case name to what it refers to.
    names: FxHashMap<String, NameRef>,
    /// All names in one Aho-Corasick automaton (leftmost-longest, ASCII
    /// case-insensitive); built on first use (queries only need `names`).
    matcher: OnceLock<(AhoCorasick, Vec<String>)>,
    /// Category patterns as written; compiled on first use.
    category_rows: Vec<(Category, String)>,
    categories: OnceLock<Vec<(Category, Regex)>>,
}

/// A drug as a query names it: its canonical generic and every name of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedDrug {
    /// Canonical generic (`zolpidem`).
    pub generic: String,
    /// Every name (generic, brands, aliases), lower case, white space
    /// collapsed, sorted, each once.
    pub names: Vec<String>,
}

/// Looks a name up straight in the embedded drug table, without building
/// the [`Lexicon`]: a query needs one or two names, and building the
/// lexicon (a thousand strings and a hash table) was a sixth of a
/// zero-hit query's time. Agrees with [`Lexicon::canonical_generic`] and
/// [`Lexicon::names_for`] on every name (a unit test checks it).
pub fn lookup_drug(name: &str) -> Option<NamedDrug> {
    // The table in lower case, once: most query words are in no name at
    // all, and one substring search says so.
    static LOWER: LazyLock<String> = LazyLock::new(|| DRUGS_TSV.to_lowercase());
    let key = normalize(name);
    if key.is_empty() || !LOWER.contains(&key) {
        return None;
    }
    for line in LOWER.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        // A line can only hold the name if it holds each of its words:
        // most lines are skipped before their names are split apart.
        if !key.split(' ').all(|w| line.contains(w)) {
            continue;
        }
        let mut cols = line.split('\t');
        let generic = cols.next().unwrap_or("").trim();
        let names = cols.nth(1).into_iter().chain(cols.next());
        let names = std::iter::once(generic).chain(names.flat_map(|c| c.split(',')));
        let names = names.map(str::trim).filter(|n| !n.is_empty());
        if names
            .clone()
            .any(|n| n.split_whitespace().eq(key.split(' ')))
        {
            let mut names: Vec<String> = names.map(normalize).collect();
            names.sort_unstable();
            names.dedup();
            return Some(NamedDrug {
                generic: generic.to_string(),
                names,
            });
        }
    }
    None
}

static STRENGTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)*)\s*(mcg/hr|mcg/h|mg/ml|mg/g|mg|mcg|%|units?|iu|meq)(?:\b|$|[^a-z])")
        .expect("strength regex")
});
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)#\s*(\d{1,5})\b|\b(?:qty|quantity|count)\b\.?\s*:?\s*#?\s*(\d{1,5})\b|\b(\d{1,5})\s+(?:tablets|tabs|capsules|caps|pills|patches)\b")
        .expect("quantity regex")
});
static REFILLS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2}|one|two|three|four|five|six)\s+refills?\b").expect("refills regex")
});
/// Words that make an item a topical or compounded product.
static TOPICAL_FORM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:creams?|gels?|ointments?|lotions?|liniment|topical|compound(?:ed)?|transdermal\s+cream)\b")
        .expect("topical regex")
});
/// `Toradol injection`: a drug given by injection is an injection item.
static INJECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\binject|\bIM\b|\bintramuscular|\bshots?\b").expect("injected regex")
});

impl Lexicon {
    /// The lexicon built into the binary (parsed once).
    pub fn builtin() -> &'static Lexicon {
        static BUILTIN: OnceLock<Lexicon> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The data files are compiled in and a unit test parses them, so
            // this cannot fail in a released binary.
            // The category patterns are checked by the unit tests, not at
            // every start (checking costs more than parsing the drugs).
            Lexicon::parse(DRUGS_TSV, CATEGORIES_TSV, false)
                .expect("built-in lexicon data is valid")
        })
    }

    /// Parses the drugs table and the category patterns.
    ///
    /// Drugs: `generic<TAB>class<TAB>brands<TAB>aliases`, lists comma separated.
    /// Categories: `category<TAB>regex`, first match wins. `#` starts a comment line.
    pub fn from_tsv(drugs: &str, categories: &str) -> Result<Lexicon, LexiconError> {
        Self::parse(drugs, categories, true)
    }

    /// [`Lexicon::from_tsv`], optionally without checking the category regexes.
    fn parse(drugs: &str, categories: &str, check_patterns: bool) -> Result<Lexicon, LexiconError> {
        let bad = |file: &'static str, line: usize, reason: String| LexiconError::BadLine {
            file,
            line,
            reason,
        };
        let mut entries: Vec<DrugEntry> = Vec::new();
        // Every query that names a drug builds this table first: FxHash and
        // room for all names up front (no rehashing) keep that cheap.
        let mut names: FxHashMap<String, NameRef> =
            FxHashMap::with_capacity_and_hasher(drugs.len() / 8, Default::default());
        for (n, line) in drugs.lines().enumerate() {
            let line_no = n + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 2 || cols.len() > 4 {
                return Err(bad(
                    "drugs.tsv",
                    line_no,
                    format!(
                        "expected 2 to 4 tab-separated columns, found {}",
                        cols.len()
                    ),
                ));
            }
            let generic = cols[0].trim().to_string();
            if generic.is_empty() || generic != generic.to_lowercase() {
                return Err(bad(
                    "drugs.tsv",
                    line_no,
                    format!("generic '{generic}' must be non-empty lower case"),
                ));
            }
            let class: DrugClass = cols[1].parse().map_err(|e: crate::model::UnknownValue| {
                bad("drugs.tsv", line_no, e.to_string())
            })?;
            let list = |i: usize| -> Vec<String> {
                cols.get(i)
                    .map(|c| {
                        c.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let entry = DrugEntry {
                generic,
                class,
                brands: list(2),
                aliases: list(3),
            };
            let idx = entries.len();
            let mut add = |name: &str, brand: Option<usize>| -> Result<(), LexiconError> {
                let key = normalize(name);
                match names.get(&key) {
                    Some(prev) if prev.entry != idx => Err(bad(
                        "drugs.tsv",
                        line_no,
                        format!(
                            "name '{name}' already names '{}'",
                            entries[prev.entry].generic
                        ),
                    )),
                    Some(_) => Ok(()),
                    None => {
                        names.insert(key, NameRef { entry: idx, brand });
                        Ok(())
                    }
                }
            };
            add(&entry.generic, None)?;
            for (b, brand) in entry.brands.iter().enumerate() {
                add(brand, Some(b))?;
            }
            for alias in &entry.aliases {
                add(alias, None)?;
            }
            entries.push(entry);
        }
        let mut cats = Vec::new();
        for (n, line) in categories.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((cat, pattern)) = line.split_once('\t') else {
                return Err(bad(
                    "categories.tsv",
                    n + 1,
                    "expected category<TAB>pattern".into(),
                ));
            };
            let category: Category = cat.parse().map_err(|e: crate::model::UnknownValue| {
                bad("categories.tsv", n + 1, e.to_string())
            })?;
            // Check the syntax now; compile on first use.
            if check_patterns {
                regex_syntax::Parser::new()
                    .parse(pattern.trim())
                    .map_err(|e| bad("categories.tsv", n + 1, e.to_string()))?;
            }
            cats.push((category, pattern.trim().to_string()));
        }
        Ok(Lexicon {
            entries,
            names,
            matcher: OnceLock::new(),
            category_rows: cats,
            categories: OnceLock::new(),
        })
    }

    /// One automaton over every name; leftmost-longest makes `Ultram ER`
    /// win over `Ultram`.
    fn matcher(&self) -> &(AhoCorasick, Vec<String>) {
        self.matcher.get_or_init(|| {
            let mut names: Vec<String> = self.names.keys().cloned().collect();
            names.sort();
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&names)
                // Plain literals always build; a unit test builds it from the shipped data.
                .expect("drug name automaton builds");
            (ac, names)
        })
    }

    /// Every drug, in data-file order.
    pub fn entries(&self) -> &[DrugEntry] {
        &self.entries
    }

    /// Recognizes the drug named by a disputed item, with strength, quantity
    /// and refills; `None` for items that name no drug.
    ///
    /// A compounded or topical product naming several drugs
    /// (`Compound: Flurbiprofen 20%/Lidocaine 5% cream`) is one topical drug
    /// whose generic joins its ingredients.
    pub fn identify_drug(&self, item: &str) -> Option<Drug> {
        let found = self.find_names(item);
        let &(first_start, first_end, first) = found.first()?;
        let entry = &self.entries[first.entry];
        let topical_form = TOPICAL_FORM.is_match(item);
        let mut ingredients: Vec<String> = Vec::new();
        for (_, _, r) in &found {
            let g = &self.entries[r.entry].generic;
            if !ingredients.contains(g) {
                ingredients.push(g.clone());
            }
        }
        let after = &item[first_start..];
        let (generic, brand, class, ingredients) = if topical_form && ingredients.len() > 1 {
            (ingredients.join("/"), None, DrugClass::Topical, ingredients)
        } else {
            let class = if topical_form && entry.class != DrugClass::Opioid {
                DrugClass::Topical
            } else {
                entry.class
            };
            let brand = first.brand.map(|b| entry.brands[b].clone());
            (entry.generic.clone(), brand, class, Vec::new())
        };
        let strength = if ingredients.is_empty() {
            STRENGTH
                .captures(after)
                .map(|c| format_strength(&c[1], &c[2]))
        } else {
            None
        };
        Some(Drug {
            generic,
            brand,
            class,
            strength,
            quantity: quantity(item, first_start, first_end),
            refills: refills(item),
            ingredients,
        })
    }

    /// The category of an item: a drug is `pharmacy` unless injected;
    /// otherwise the first category pattern that matches, else `other`.
    pub fn categorize(&self, item: &str, drug: Option<&Drug>) -> Category {
        if drug.is_some() {
            return if INJECTED.is_match(item) {
                Category::Injection
            } else {
                Category::Pharmacy
            };
        }
        self.categories
            .get_or_init(|| {
                self.category_rows
                    .iter()
                    .filter_map(|(c, p)| {
                        let re = RegexBuilder::new(p).case_insensitive(true).build();
                        // The syntax was checked in `from_tsv`.
                        re.ok().map(|re| (*c, re))
                    })
                    .collect()
            })
            .iter()
            .find(|(_, re)| re.is_match(item))
            .map_or(Category::Other, |(c, _)| *c)
    }

    /// Any brand, generic or alias, any case, to the canonical generic:
    /// `ambien` and `Zolpidem` give `zolpidem`; `norco` gives
    /// `hydrocodone/acetaminophen`.
    pub fn canonical_generic(&self, name: &str) -> Option<&str> {
        self.names
            .get(&normalize(name))
            .map(|r| self.entries[r.entry].generic.as_str())
    }

    /// Every lower-case name (generic, brands, aliases) of a canonical
    /// generic, for query synonym expansion; empty for an unknown generic.
    pub fn names_for(&self, generic: &str) -> Vec<&str> {
        let Some(r) = self.names.get(&normalize(generic)) else {
            return Vec::new();
        };
        let mut out: Vec<&str> = self
            .names
            .iter()
            .filter(|(_, v)| v.entry == r.entry)
            .map(|(k, _)| k.as_str())
            .collect();
        out.sort_unstable();
        out
    }

    /// The class of a drug named by any of its names.
    pub fn class_of(&self, name: &str) -> Option<DrugClass> {
        self.names
            .get(&normalize(name))
            .map(|r| self.entries[r.entry].class)
    }

    /// Every drug name in the item, in order: (start, end, what it names).
    /// A name counts only on word boundaries: `Soma` is not in `somatic`.
    fn find_names(&self, item: &str) -> Vec<(usize, usize, NameRef)> {
        let (ac, names) = self.matcher();
        let bytes = item.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        let mut out = Vec::new();
        for m in ac.find_iter(item) {
            let before_ok = m.start() == 0 || !is_word(bytes[m.start() - 1]);
            let after_ok = m.end() == bytes.len() || !is_word(bytes[m.end()]);
            let last_is_word = is_word(bytes[m.end() - 1]);
            // `Tylenol #3` ends in a digit: the boundary rule still applies.
            if before_ok && (after_ok || !last_is_word) {
                if let Some(r) = self.names.get(&names[m.pattern().as_usize()]) {
                    out.push((m.start(), m.end(), *r));
                }
            }
        }
        out
    }
}

/// Lower case with runs of white space collapsed.
fn normalize(name: &str) -> String {
    // Fast path (almost every name and query word): one allocation.
    let simple = !name.contains("  ")
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && !name.contains(['\t', '\n', '\r']);
    if simple {
        return name.to_lowercase();
    }
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `10/325` + `MG` → `10/325 mg`; `5` + `%` → `5%`; `20` + `mcg/h` → `20 mcg/hr`.
fn format_strength(amount: &str, unit: &str) -> String {
    let amount: String = amount.chars().filter(|c| !c.is_whitespace()).collect();
    let unit = unit.to_ascii_lowercase();
    match unit.as_str() {
        "%" => format!("{amount}%"),
        "mcg/h" => format!("{amount} mcg/hr"),
        "unit" => format!("{amount} units"),
        _ => format!("{amount} {unit}"),
    }
}

/// `#60`, `Qty 90`, `60 tablets`, or a count written before the drug name
/// (`120 Percocet 7.5/325mg`), but not the `1` of `1 prescription Norco`
/// nor the `#3` of `Tylenol #3`.
fn quantity(item: &str, drug_start: usize, drug_end: usize) -> Option<u32> {
    // Search after the name first: the `#3` of `Tylenol #3` is no count.
    let found = QUANTITY
        .captures(&item[drug_end..])
        .or_else(|| QUANTITY.captures(&item[..drug_start]));
    if let Some(c) = found {
        return c
            .iter()
            .skip(1)
            .flatten()
            .find_map(|m| m.as_str().parse().ok());
    }
    let before = item[..drug_start].trim();
    (!before.is_empty() && before.len() <= 5 && before.bytes().all(|b| b.is_ascii_digit()))
        .then(|| before.parse().ok())
        .flatten()
}

/// `with 2 refills`, `x 1 refill`, `two refills`; 0 unless stated.
fn refills(item: &str) -> u32 {
    const WORDS: [&str; 6] = ["one", "two", "three", "four", "five", "six"];
    REFILLS
        .captures(item)
        .and_then(|c| {
            let n = c[1].to_ascii_lowercase();
            n.parse()
                .ok()
                .or_else(|| WORDS.iter().position(|w| *w == n).map(|i| i as u32 + 1))
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_lookup_agrees_with_the_lexicon_on_every_name() {
        let lex = Lexicon::builtin();
        let mut checked = 0;
        for e in &lex.entries {
            for name in std::iter::once(&e.generic)
                .chain(&e.brands)
                .chain(&e.aliases)
            {
                for spelling in [name.clone(), name.to_uppercase(), format!(" {name} ")] {
                    let found = lookup_drug(&spelling).expect("every name is found");
                    assert_eq!(
                        Some(found.generic.as_str()),
                        lex.canonical_generic(&spelling)
                    );
                    assert_eq!(found.names, lex.names_for(&e.generic), "{spelling}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1200, "{checked}");
        let ambien = lookup_drug("AMBIEN").unwrap();
        assert_eq!(ambien.generic, "zolpidem");
        assert_eq!(
            ambien.names,
            [
                "ambien",
                "ambien cr",
                "edluar",
                "intermezzo",
                "zolpidem",
                "zolpidem er",
                "zolpidem tartrate"
            ]
        );
        assert_eq!(lookup_drug("unobtainium"), None);
        assert_eq!(lookup_drug("  "), None);
        assert_eq!(lookup_drug("ambien  cr").unwrap().generic, "zolpidem");
    }

    fn drug(item: &str) -> Drug {
        Lexicon::builtin()
            .identify_drug(item)
            .unwrap_or_else(|| panic!("no drug in {item:?}"))
    }

    /// generic, brand, class, strength, quantity, refills
    type Summary<'a> = (
        &'a str,
        Option<&'a str>,
        DrugClass,
        Option<&'a str>,
        Option<u32>,
        u32,
    );

    fn summary(d: &Drug) -> Summary<'_> {
        (
            &d.generic,
            d.brand.as_deref(),
            d.class,
            d.strength.as_deref(),
            d.quantity,
            d.refills,
        )
    }

    #[test]
    fn the_data_files_parse_and_are_consistent() {
        Lexicon::from_tsv(DRUGS_TSV, CATEGORIES_TSV).expect("shipped data, patterns checked");
        let lex = Lexicon::builtin();
        assert!(lex.entries().len() >= 170, "{} drugs", lex.entries().len());
        let mut generics: Vec<&str> = lex.entries().iter().map(|e| e.generic.as_str()).collect();
        generics.sort_unstable();
        let before = generics.len();
        generics.dedup();
        assert_eq!(before, generics.len(), "a generic is listed twice");
        // Every class of the contract has drugs.
        for class in DrugClass::ALL {
            assert!(
                lex.entries().iter().any(|e| e.class == *class),
                "no {class} drug"
            );
        }
    }

    #[test]
    fn a_bad_line_names_its_line() {
        let err = Lexicon::from_tsv("# comment\nzolpidem\tsleepy\tAmbien\n", "").unwrap_err();
        assert_eq!(
            err.to_string(),
            "drugs.tsv line 2: unknown drug class 'sleepy': expected one of opioid, muscle-relaxant, sedative-hypnotic, benzodiazepine, nsaid, anticonvulsant, antidepressant, antiemetic, topical, gastro-protective, other"
        );
        let err = Lexicon::from_tsv("a\topioid\tX\nb\topioid\tX\n", "").unwrap_err();
        assert_eq!(
            err.to_string(),
            "drugs.tsv line 2: name 'X' already names 'a'"
        );
        let err = Lexicon::from_tsv("", "dme\t(unclosed\n").unwrap_err();
        assert!(err.to_string().starts_with("categories.tsv line 1:"));
    }

    #[test]
    fn every_drug_item_of_the_seeds() {
        use DrugClass::*;
        let cases: &[(&str, Summary)] = &[
            (
                "NORCO 10/325MG #60",
                (
                    "hydrocodone/acetaminophen",
                    Some("Norco"),
                    Opioid,
                    Some("10/325 mg"),
                    Some(60),
                    0,
                ),
            ),
            (
                "AMBIEN 10MG #30",
                (
                    "zolpidem",
                    Some("Ambien"),
                    SedativeHypnotic,
                    Some("10 mg"),
                    Some(30),
                    0,
                ),
            ),
            (
                "FLEXERIL 10MG #60",
                (
                    "cyclobenzaprine",
                    Some("Flexeril"),
                    MuscleRelaxant,
                    Some("10 mg"),
                    Some(60),
                    0,
                ),
            ),
            (
                "1 prescription Norco 10/325mg #180",
                (
                    "hydrocodone/acetaminophen",
                    Some("Norco"),
                    Opioid,
                    Some("10/325 mg"),
                    Some(180),
                    0,
                ),
            ),
            (
                "1 prescription for Compazine 10mg #60",
                (
                    "prochlorperazine",
                    Some("Compazine"),
                    Antiemetic,
                    Some("10 mg"),
                    Some(60),
                    0,
                ),
            ),
            (
                "1 prescription for Baclofen 10mg",
                ("baclofen", None, MuscleRelaxant, Some("10 mg"), None, 0),
            ),
            (
                "1 prescription for Flexeril 1mg #60",
                (
                    "cyclobenzaprine",
                    Some("Flexeril"),
                    MuscleRelaxant,
                    Some("1 mg"),
                    Some(60),
                    0,
                ),
            ),
            (
                "Pharmacy purchase of Norco 10/325 mg #180",
                (
                    "hydrocodone/acetaminophen",
                    Some("Norco"),
                    Opioid,
                    Some("10/325 mg"),
                    Some(180),
                    0,
                ),
            ),
            (
                "Flexeril 7.5 mg #90",
                (
                    "cyclobenzaprine",
                    Some("Flexeril"),
                    MuscleRelaxant,
                    Some("7.5 mg"),
                    Some(90),
                    0,
                ),
            ),
            (
                "120 Percocet 7.5/325mg",
                (
                    "oxycodone/acetaminophen",
                    Some("Percocet"),
                    Opioid,
                    Some("7.5/325 mg"),
                    Some(120),
                    0,
                ),
            ),
            (
                "Baclofen 10mg #60 with 1 refill",
                ("baclofen", None, MuscleRelaxant, Some("10 mg"), Some(60), 1),
            ),
            (
                "Ambien 10mg #30",
                (
                    "zolpidem",
                    Some("Ambien"),
                    SedativeHypnotic,
                    Some("10 mg"),
                    Some(30),
                    0,
                ),
            ),
            (
                "Ibuprofen 800 mg Qty 90",
                ("ibuprofen", None, Nsaid, Some("800 mg"), Some(90), 0),
            ),
            (
                "Norco 5/325 mg Qty 90",
                (
                    "hydrocodone/acetaminophen",
                    Some("Norco"),
                    Opioid,
                    Some("5/325 mg"),
                    Some(90),
                    0,
                ),
            ),
            (
                "Restoril 15 mg Qty 30 with 2 refills",
                (
                    "temazepam",
                    Some("Restoril"),
                    Benzodiazepine,
                    Some("15 mg"),
                    Some(30),
                    2,
                ),
            ),
        ];
        for (item, want) in cases {
            assert_eq!(summary(&drug(item)), *want, "{item}");
        }
    }

    #[test]
    fn non_drug_items_are_not_drugs() {
        let lex = Lexicon::builtin();
        for item in [
            "Lumbar epidural steroid injection (LESI) times 2 to L4-S1",
            "MRI of the lumbar spine without contrast",
            "Physical therapy 2x6 for the lumbar spine",
            "TENS unit (30-day rental)",
            "Somatic nerve block",
        ] {
            assert_eq!(lex.identify_drug(item), None, "{item}");
        }
    }

    #[test]
    fn longest_name_wins_and_words_have_boundaries() {
        assert_eq!(
            drug("Ultram ER 150mg #30").brand.as_deref(),
            Some("Ultram ER")
        );
        assert_eq!(
            drug("Ultracet 37.5/325mg #60").generic,
            "tramadol/acetaminophen"
        );
        assert_eq!(drug("Ultram 50mg").brand.as_deref(), Some("Ultram"));
        assert_eq!(drug("Tylenol #3 #60").generic, "acetaminophen/codeine");
        assert_eq!(drug("Tylenol #3 #60").quantity, Some(60));
        assert_eq!(
            drug("OXYCONTIN 20MG #60").brand.as_deref(),
            Some("OxyContin")
        );
        assert_eq!(
            drug("Butrans 20mcg/hr patch #4").strength.as_deref(),
            Some("20 mcg/hr")
        );
        assert_eq!(drug("Butrans 20mcg/hr patch #4").class, DrugClass::Opioid);
    }

    #[test]
    fn compounds_list_their_ingredients() {
        let d = drug("Compound: Flurbiprofen 20%/Lidocaine 5% cream (180 grams)");
        assert_eq!(d.generic, "flurbiprofen/lidocaine");
        assert_eq!(d.brand, None);
        assert_eq!(d.class, DrugClass::Topical);
        assert_eq!(d.ingredients, vec!["flurbiprofen", "lidocaine"]);
        let d = drug("Topical compound cream: ketoprofen, gabapentin, lidocaine");
        assert_eq!(d.ingredients, vec!["ketoprofen", "gabapentin", "lidocaine"]);
        let d = drug("Lidoderm 5% patch #30");
        assert_eq!(
            summary(&d),
            (
                "lidocaine",
                Some("Lidoderm"),
                DrugClass::Topical,
                Some("5%"),
                Some(30),
                0
            )
        );
        assert_eq!(drug("Terocin lotion 120ml").class, DrugClass::Topical);
    }

    #[test]
    fn categories_of_non_drug_items() {
        use Category::*;
        let lex = Lexicon::builtin();
        let cases = [
            ("Lumbar epidural steroid injection (LESI) times 2 to L4-S1", Injection),
            ("Bilateral L4-5 facet joint block", Injection),
            ("Trigger point injections x 4", Injection),
            ("MRI of the lumbar spine without contrast", Imaging),
            ("X-rays of the right shoulder", Imaging),
            ("CT scan of the cervical spine", Imaging),
            ("EMG/NCV of the bilateral lower extremities", Diagnostic),
            ("Urine drug screen", Diagnostic),
            ("Pre-operative labs: CBC, BMP", Diagnostic),
            ("Sleep study", Diagnostic),
            ("Physical therapy two times a week for six weeks for the lumbar spine and the left shoulder (12 sessions)", PhysicalMedicine),
            ("Post-operative physical therapy 12 sessions", PhysicalMedicine),
            ("Chiropractic treatment 6 visits", PhysicalMedicine),
            ("Acupuncture 8 sessions", PhysicalMedicine),
            ("Aquatic therapy 2x4", PhysicalMedicine),
            ("Right knee arthroscopy with partial meniscectomy", Surgery),
            ("L4-S1 posterior lumbar fusion", Surgery),
            ("Carpal tunnel release, right", Surgery),
            ("TENS unit (30-day rental)", Dme),
            ("Lumbar brace", Dme),
            ("Cold therapy unit purchase", Dme),
            ("Front-wheeled walker", Dme),
            ("Cognitive behavioral therapy 6 sessions", Behavioral),
            ("Psychological evaluation", Behavioral),
            ("Biofeedback 6 sessions", Behavioral),
            ("Functional restoration program (160 hours)", Program),
            ("Weight loss program", Program),
            ("Gym membership for one year", Program),
            ("Orthopedic consultation", Consultation),
            ("Referral to a pain management specialist", Consultation),
            ("Home health aide 4 hours a day, 5 days a week", HomeCare),
            ("Transportation to medical appointments", Other),
        ];
        for (item, want) in cases {
            assert_eq!(lex.categorize(item, None), want, "{item}");
        }
        let toradol = lex.identify_drug("Toradol 60mg IM injection");
        assert_eq!(
            toradol.as_ref().map(|d| d.generic.as_str()),
            Some("ketorolac")
        );
        assert_eq!(
            lex.categorize("Toradol 60mg IM injection", toradol.as_ref()),
            Injection
        );
        let norco = lex.identify_drug("Norco 10/325 #60");
        assert_eq!(lex.categorize("Norco 10/325 #60", norco.as_ref()), Pharmacy);
    }

    #[test]
    fn names_canonicalize_in_any_case() {
        let lex = Lexicon::builtin();
        assert_eq!(lex.canonical_generic("ambien"), Some("zolpidem"));
        assert_eq!(lex.canonical_generic("ZOLPIDEM"), Some("zolpidem"));
        assert_eq!(
            lex.canonical_generic("Norco"),
            Some("hydrocodone/acetaminophen")
        );
        assert_eq!(
            lex.canonical_generic("hydrocodone/APAP"),
            Some("hydrocodone/acetaminophen")
        );
        assert_eq!(lex.canonical_generic("Ambien  CR"), Some("zolpidem"));
        assert_eq!(lex.canonical_generic("unobtainium"), None);
        assert_eq!(lex.class_of("restoril"), Some(DrugClass::Benzodiazepine));
        let names = lex.names_for("zolpidem");
        assert!(
            names.contains(&"ambien") && names.contains(&"zolpidem"),
            "{names:?}"
        );
        assert!(lex.names_for("unobtainium").is_empty());
    }
}

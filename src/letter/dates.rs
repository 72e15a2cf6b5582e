//! Dates as the letters write them, to ISO `YYYY-MM-DD`.
//!
//! Seen in letters: `July 13, 2012`, `June 5, 2009`, `12/5/91`, `10/22/12`,
//! `10-11-01` (after repair joined `10-` / `11-01`), `03/11/2011`.

use regex::Regex;
use std::sync::LazyLock;

/// A date in any of the letters' formats, as a regex fragment with no groups
/// of its own (wrap it in a capture group to use it).
pub const DATE_PATTERN: &str = r"(?:(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2}))";

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$").expect("numeric date regex")
});
static WRITTEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
        .expect("written date regex")
});

/// Parses one date (US month-first order) to ISO; `None` if it is not a real date.
///
/// Two-digit years below 30 are 20xx, others 19xx (`12/5/91` is 1991-12-05,
/// `10-11-01` is 2001-10-11).
pub fn to_iso(text: &str) -> Option<String> {
    let text = text.trim();
    let (year, month, day) = if let Some(c) = NUMERIC.captures(text) {
        let month: u32 = c[1].parse().ok()?;
        let day: u32 = c[2].parse().ok()?;
        let year: u32 = c[3].parse().ok()?;
        let year = match c[3].len() {
            2 if year < 30 => 2000 + year,
            2 => 1900 + year,
            _ => year,
        };
        (year, month, day)
    } else if let Some(c) = WRITTEN.captures(text) {
        let month = month_number(&c[1])?;
        let day: u32 = c[2].parse().ok()?;
        let year: u32 = c[3].parse().ok()?;
        (year, month, day)
    } else {
        return None;
    };
    valid(year, month, day).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_ascii_lowercase();
    let prefix = lower.get(..3)?;
    MONTHS
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u32 + 1)
}

fn valid(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&year) && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_the_seeds_show() {
        assert_eq!(to_iso("July 13, 2012").as_deref(), Some("2012-07-13"));
        assert_eq!(to_iso("June 5, 2009").as_deref(), Some("2009-06-05"));
        assert_eq!(to_iso("12/5/91").as_deref(), Some("1991-12-05"));
        assert_eq!(to_iso("10/22/12").as_deref(), Some("2012-10-22"));
        assert_eq!(to_iso("10-11-01").as_deref(), Some("2001-10-11"));
        assert_eq!(to_iso("03/11/2011").as_deref(), Some("2011-03-11"));
        assert_eq!(to_iso("Sept. 3rd, 2014").as_deref(), Some("2014-09-03"));
    }

    #[test]
    fn two_digit_years_pivot_at_30() {
        assert_eq!(to_iso("1/1/29").as_deref(), Some("2029-01-01"));
        assert_eq!(to_iso("1/1/30").as_deref(), Some("1930-01-01"));
    }

    #[test]
    fn impossible_dates_are_none() {
        assert_eq!(to_iso("13/1/12"), None);
        assert_eq!(to_iso("2/30/12"), None);
        assert_eq!(to_iso("Smarch 3, 2012"), None);
        assert_eq!(to_iso("7-8"), None);
    }

    #[test]
    fn the_pattern_finds_dates_in_text() {
        let re = Regex::new(DATE_PATTERN).unwrap();
        let found: Vec<_> = re
            .find_iter("injury of July 13, 2012 and on 10/22/12 or 10-11-01")
            .map(|m| m.as_str())
            .collect();
        assert_eq!(found, vec!["July 13, 2012", "10/22/12", "10-11-01"]);
    }
}

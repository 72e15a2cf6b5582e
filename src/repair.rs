//! Text repair: undo the damage PDF extraction does to a letter before parsing.
//!
//! The published letters are PDFs; the text we get from them carries the
//! marks of the extraction. Each step below names the damage it undoes with
//! an example from a real letter. The output is a list of logical lines in
//! which a paragraph break is an empty line, never more than one in a row.

use std::borrow::Cow;

/// Text after repair: logical lines, with `""` marking a paragraph or page break.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repaired {
    /// Trimmed lines; an empty string is a paragraph break (never two in a row,
    /// never first or last).
    pub lines: Vec<String>,
    /// What the repair did, for `parse` diagnostics (e.g. `latin-1 decoded`).
    pub notes: Vec<&'static str>,
}

impl Repaired {
    /// The non-break lines from `range`, joined by single spaces, white space collapsed.
    pub fn join(&self, range: std::ops::Range<usize>) -> String {
        join_lines(&self.lines[range])
    }
}

/// Joins lines with single spaces and collapses every run of white space.
///
/// `"NORCO 10/325MG #60:  Upheld"` has two spaces before `Upheld`; fields
/// are compared and indexed with one.
pub fn join_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.as_ref().len() + 1).sum());
    for line in lines {
        push_words(&mut out, line.as_ref());
    }
    out
}

/// Appends the words of `line` to `out`, one space before each but the
/// first of `out`: what `split_whitespace` gives, with a byte scan for the
/// all-ASCII lines that most letters are made of (decoding every character
/// was a tenth of the parser's time).
fn push_words(out: &mut String, line: &str) {
    let mut push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    if !line.is_ascii() {
        line.split_whitespace().for_each(push);
        return;
    }
    // The ASCII characters of Unicode's White_Space: tab, LF, VT, FF, CR, space.
    let space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && space(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !space(bytes[i]) {
            i += 1;
        }
        if start < i {
            push(&line[start..i]);
        }
    }
}

/// Decodes letter bytes: UTF-8 when valid, else Windows-1252 / Latin-1.
///
/// Some letters carry single Latin-1 bytes (`§ 9792.20` written as `0xA7`);
/// decoding never fails, every byte maps to a character. A UTF-8 byte order
/// mark is dropped.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), false),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, true)
        }
    }
}

/// Runs every repair step on raw letter bytes.
pub fn repair(bytes: &[u8]) -> Repaired {
    let (text, latin1) = decode(bytes);
    let mut notes = Vec::new();
    if latin1 {
        notes.push("not UTF-8: decoded as Latin-1");
    }
    repair_text(&text, notes)
}

/// Runs the repair steps after decoding (see [`repair`]).
pub fn repair_text(text: &str, mut notes: Vec<&'static str>) -> Repaired {
    // 1. Line ends: CRLF and lone CR become LF; a form feed is a page break.
    let text: Cow<'_, str> = if text.contains('\r') {
        notes.push("CR line endings");
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let raw: Vec<String> = text.split(['\n', '\r', '\x0c']).map(clean_line).collect();

    // 2. Page headers and footers (`Page 2 of 5`) are not text.
    let raw: Vec<String> = raw
        .into_iter()
        .map(|l| if is_page_marker(&l) { String::new() } else { l })
        .collect();

    // 3. Double spacing: the extraction writes a blank line after every line
    //    (`NORCO 10/325MG #60:  Upheld` / `` / ` ` / ``). When most text lines
    //    are followed by exactly one blank line, drop that one; what remains
    //    blank is a real paragraph break.
    let raw = if is_double_spaced(&raw) {
        notes.push("blank line after every line");
        undouble(raw)
    } else {
        raw
    };

    // 4. Paragraph breaks: any run of blank lines (a page break leaves
    //    several) becomes one break.
    let mut lines: Vec<String> = Vec::with_capacity(raw.len());
    for line in raw {
        if line.is_empty() {
            if lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push(line);
            }
        } else {
            lines.push(line);
        }
    }
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }

    // 5. Words and dates split at a line end keep their hyphen and join the
    //    next text line: `MTUS-` / `Definitions` is `MTUS-Definitions`,
    //    `10-` / `11-01` is `10-11-01`, `short-` / `term` is `short-term`.
    //    A dash after a space (`pain -`) is punctuation and stays.
    let mut joined: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let mut line = std::mem::take(&mut lines[i]);
        i += 1;
        while ends_with_split_hyphen(&line) {
            // The continuation may sit across a page break.
            let mut j = i;
            while j < lines.len() && lines[j].is_empty() {
                j += 1;
            }
            if j >= lines.len() {
                break;
            }
            line.push_str(&lines[j]);
            lines[j].clear();
            i = j + 1;
        }
        if line.is_empty() && joined.last().is_none_or(|l: &String| l.is_empty()) {
            continue;
        }
        joined.push(line);
    }
    if joined.last().is_some_and(|l| l.is_empty()) {
        joined.pop();
    }
    Repaired {
        lines: joined,
        notes,
    }
}

/// Trims a raw line and replaces characters that only the PDF put there.
///
/// Non-breaking spaces become spaces; soft hyphens and zero-width spaces go.
fn clean_line(line: &str) -> String {
    let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}');
    if trimmed.is_ascii() {
        return trimmed.to_string();
    }
    trimmed
        .chars()
        .filter(|&c| c != '\u{ad}' && c != '\u{200b}' && c != '\u{feff}')
        .map(|c| if c == '\u{a0}' { ' ' } else { c })
        .collect()
}

/// `Page 2 of 5`, `Page 3`, `- 4 -` alone on a line.
fn is_page_marker(line: &str) -> bool {
    // Most lines are long or start otherwise: decide without allocating.
    let first = line.as_bytes().first().copied().unwrap_or(b' ');
    if line.len() > 24 || !matches!(first, b'P' | b'p' | b'-') {
        return false;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let is_num = |w: &str| !w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit());
    match words.as_slice() {
        [p, n] => p.eq_ignore_ascii_case("page") && is_num(n),
        [p, n, of, m] => {
            p.eq_ignore_ascii_case("page")
                && is_num(n)
                && of.eq_ignore_ascii_case("of")
                && is_num(m)
        }
        ["-", n, "-"] => is_num(n),
        _ => false,
    }
}

/// True when at least 80% of text lines are followed by exactly one blank line.
fn is_double_spaced(lines: &[String]) -> bool {
    let mut text_lines = 0usize;
    let mut single_blank_after = 0usize;
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        text_lines += 1;
        let blank_next = lines.get(i + 1).is_some_and(|l| l.is_empty());
        let text_after = lines.get(i + 2).is_none_or(|l| !l.is_empty());
        if blank_next && text_after {
            single_blank_after += 1;
        }
    }
    // Paragraph breaks in a double-spaced letter read `text`, ``, ` `, ``:
    // those lines have two blanks after them, so the bar is not 100%.
    text_lines >= 4 && single_blank_after * 10 >= text_lines * 6
}

/// Removes the one blank line the extraction put after each line.
fn undouble(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len() / 2 + 1);
    let mut skip_blank = false;
    for line in lines {
        if line.is_empty() && skip_blank {
            skip_blank = false;
            continue;
        }
        skip_blank = true;
        out.push(line);
    }
    out
}

/// `MTUS-`, `10-`, `short-`: a hyphen right after a letter or digit.
fn ends_with_split_hyphen(line: &str) -> bool {
    let mut chars = line.chars().rev();
    matches!(chars.next(), Some('-')) && chars.next().is_some_and(|c| c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_words_are_split_whitespace_words() {
        let lines = [
            "",
            "  NORCO 10/325MG #60:  Upheld  ",
            "\ttab\x0bvt\x0cff\rcr",
            "\x1cfile separator is not white space\x1f",
            "Lidoderm\u{a0}5%\u{2003}patch",
            " é ",
            "one",
        ];
        for n in 0..lines.len() {
            let part = &lines[n..];
            let want = part
                .iter()
                .flat_map(|l| l.split_whitespace())
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(join_lines(part), want, "{part:?}");
        }
    }

    fn lines(text: &str) -> Vec<String> {
        repair(text.as_bytes()).lines
    }

    #[test]
    fn crlf_cr_and_form_feed_are_line_ends() {
        assert_eq!(lines("a\r\nb\rc\x0cd"), vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn trailing_and_leading_spaces_go() {
        assert_eq!(
            lines("   The Final Determination   \nNORCO 10/325MG #60:  Upheld "),
            vec!["The Final Determination", "NORCO 10/325MG #60:  Upheld"]
        );
    }

    #[test]
    fn blank_line_after_every_line_is_undone_but_paragraphs_stay() {
        // The shape of seed 000: text, blank, and a ` ` line between paragraphs.
        let text = "CLINICAL CASE SUMMARY \n\nThe expert reviewer developed \n\ncase file: \n\n \n\nThe applicant is \n\nrepresented. \n\n \n\nIMR ISSUES \n";
        assert_eq!(
            lines(text),
            vec![
                "CLINICAL CASE SUMMARY",
                "The expert reviewer developed",
                "case file:",
                "",
                "The applicant is",
                "represented.",
                "",
                "IMR ISSUES"
            ]
        );
    }

    #[test]
    fn page_footers_and_blank_runs_become_one_break() {
        let text = "the request is not\n\n\n\n\nPage 2 of 5\n\x0c\n\nmedically necessary.";
        assert_eq!(
            lines(text),
            vec!["the request is not", "", "medically necessary."]
        );
    }

    #[test]
    fn split_words_and_dates_join_keeping_the_hyphen() {
        assert_eq!(
            lines("as MTUS-\nDefinitions say\nan injury on 10- \n11-01. It"),
            vec!["as MTUS-Definitions say", "an injury on 10-11-01. It"]
        );
        // Across the double-spacing blank line and a page break.
        assert_eq!(
            lines("in the short-\n\nPage 3 of 4\n\nterm management"),
            vec!["in the short-term management"]
        );
    }

    #[test]
    fn real_hyphens_and_dashes_survive() {
        assert_eq!(
            lines("short-term use at L4-S1\npain - \nworse"),
            vec!["short-term use at L4-S1", "pain -", "worse"]
        );
    }

    #[test]
    fn latin1_bytes_decode() {
        let r = repair(b"section \xA7 9792.20 by Dr. Pe\xF1a");
        assert_eq!(r.lines, vec!["section \u{a7} 9792.20 by Dr. Pe\u{f1}a"]);
        assert_eq!(r.notes, vec!["not UTF-8: decoded as Latin-1"]);
    }

    #[test]
    fn join_collapses_white_space() {
        assert_eq!(
            join_lines(&["NORCO 10/325MG #60:  Upheld ", "", " next\tline"]),
            "NORCO 10/325MG #60: Upheld next line"
        );
    }

    #[test]
    fn empty_and_blank_input_give_no_lines() {
        assert!(lines("").is_empty());
        assert!(lines("\n\n \r\n\x0c").is_empty());
    }
}

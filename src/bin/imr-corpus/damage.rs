//! PDF-extraction damage, applied to a composed letter's lines the way the
//! real letters show it (see `sample-data/` and `src/repair.rs`).

use crate::compose::Line;
use crate::rng::Rng;

/// Renders the logical lines as the bytes of a damaged letter file.
pub fn render(rng: &mut Rng, mut lines: Vec<Line>) -> Vec<u8> {
    let double = rng.below(100) < 50;
    let crlf = rng.below(100) < 15;
    let trailing = rng.below(100) < 60;
    let latin1 = rng.below(100) < 3;
    let footers = rng.below(100) < 70;
    let form_feed = rng.below(100) < 50;

    // Words split at a real hyphen across a line end: `short-` / `term`.
    for i in 0..lines.len().saturating_sub(1) {
        if !(lines[i].prose && lines[i + 1].prose) || rng.below(100) >= 15 {
            continue;
        }
        let next = &lines[i + 1].text;
        let first = next.split(' ').next().unwrap_or("");
        let Some(hyphen) = first.find('-') else {
            continue;
        };
        let (head, tail) = (&first[..=hyphen], &first[hyphen + 1..]);
        let splits = head.len() > 1
            && head[..hyphen]
                .chars()
                .last()
                .is_some_and(char::is_alphanumeric)
            && tail.chars().next().is_some_and(char::is_alphanumeric);
        if !splits {
            continue;
        }
        let rest = next[first.len()..].trim_start().to_string();
        let moved = format!("{} {head}", lines[i].text);
        let rest = format!("{tail}{}{rest}", if rest.is_empty() { "" } else { " " });
        lines[i].text = moved;
        lines[i + 1].text = rest;
    }

    let pages = lines.len() / 45 + 1;
    let mut page = 1;
    let mut since_break = 0;
    let mut out: Vec<String> = Vec::with_capacity(lines.len() * 2 + 16);
    for (i, line) in lines.iter().enumerate() {
        let text = if line.text.is_empty() && double {
            " ".to_string()
        } else {
            line.text.clone()
        };
        let pad = if trailing && rng.below(10) < 7 {
            " ".repeat(1 + rng.below(3) as usize)
        } else {
            String::new()
        };
        out.push(format!("{text}{pad}"));
        if double {
            out.push(String::new());
        }
        since_break += 1;
        let may_break = !line.keep && i + 1 < lines.len();
        if may_break && since_break >= 40 + rng.below(10) as usize {
            since_break = 0;
            for _ in 0..3 + rng.below(4) {
                out.push(String::new());
            }
            if footers {
                out.push(format!("{:>60}", format!("Page {page} of {pages}")));
            }
            if form_feed {
                out.push("\x0c".to_string());
            }
            page += 1;
        }
    }
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = out.join(eol);
    text.push_str(eol);
    if latin1 {
        // `§ 9792.20` written as the single Latin-1 byte 0xA7.
        text = text.replace("section 9792.20", "\u{a7} 9792.20");
        return text
            .chars()
            .map(|c| if (c as u32) < 256 { c as u8 } else { b'?' })
            .collect();
    }
    text.into_bytes()
}

//! `check --fix`: the automatic fixes of one file ([`Fix::automatic`]: those that need
//! no choice) applied to its text, round after round, until no automatic fix is left or
//! [`ROUNDS`] rounds are done. The fixes are the quick fixes the editor offers, as the
//! rules computed them; this module only picks, orders and applies them.
//!
//! Within a round, fixes whose edits overlap (or insert at the same place) are not
//! applied together: the later one waits for the next round, where it is computed again
//! on the new text. Inserted line breaks follow the file's own line ending.

use std::ops::Range;

use super::diagnostic::{Code, Diagnostic, Fix, FixAction};

/// The most rounds one file gets (each round re-analyses the text).
pub const ROUNDS: usize = 10;

/// Text edits: a byte range of the file and what replaces it.
pub type Edits = Vec<(Range<usize>, String)>;

/// One fix that was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub code: Code,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    pub applied: Vec<Applied>,
    /// No automatic fix is left (false: the rounds ran out).
    pub settled: bool,
}

/// Applies the automatic fixes of `text` until none is left. `diagnostics` analyses a
/// text of this file (the caller keeps its project up to date with it).
pub fn fix_text(text: &str, mut diagnostics: impl FnMut(&str) -> Vec<Diagnostic>) -> Fixed {
    let eol = line_ending(text);
    let mut text = text.to_string();
    let mut applied = Vec::new();
    for _ in 0..ROUNDS {
        let picked = pick(&text, &diagnostics(&text), eol);
        if picked.is_empty() {
            return Fixed { text, applied, settled: true };
        }
        let mut edits: Edits = Vec::new();
        for (a, e) in picked {
            applied.push(a);
            edits.extend(e);
        }
        text = apply_edits(&text, edits);
    }
    let settled = pick(&text, &diagnostics(&text), eol).is_empty();
    Fixed { text, applied, settled }
}

/// The automatic fixes of `diags` that can be applied together to `text`, with their
/// edits (in the file's line ending), in the order of their positions.
pub fn pick(text: &str, diags: &[Diagnostic], eol: &str) -> Vec<(Applied, Edits)> {
    let mut candidates: Vec<(Applied, Edits)> = diags
        .iter()
        .filter_map(|d| {
            let fix = d.fixes.iter().find(|f| f.automatic)?;
            let edits = edits_of(fix, text, eol)?;
            Some((Applied { code: d.code, title: fix.title.clone() }, edits))
        })
        .collect();
    candidates.sort_by_key(|(a, e)| (e.iter().map(|(r, _)| r.start).min(), a.code));
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut out = Vec::new();
    for (a, edits) in candidates {
        if edits.iter().any(|(r, _)| taken.iter().any(|t| conflict(t, r))) {
            continue;
        }
        taken.extend(edits.iter().map(|(r, _)| r.clone()));
        out.push((a, edits));
    }
    out
}

/// A fix as edits of `text` (`None`: it is not an edit of this text).
fn edits_of(fix: &Fix, text: &str, eol: &str) -> Option<Edits> {
    match &fix.action {
        FixAction::Edits(edits) => {
            let ok = edits.iter().all(|(r, _)| {
                r.start <= r.end && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
            });
            ok.then(|| {
                edits
                    .iter()
                    .map(|(r, t)| (off_crlf(text, r.start)..off_crlf(text, r.end), with_line_ending(t, eol)))
                    .collect()
            })
        }
        FixAction::RemoveBom => text.starts_with('\u{feff}').then(|| vec![(0..3, String::new())]),
        FixAction::CreateFile(_) | FixAction::ShowChanges(_) => None,
    }
}

/// An offset between the `\r` and the `\n` of a line break (where a rule that counts
/// `\n` as the line's end puts it) moved before the `\r`, so that the break stays whole.
fn off_crlf(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    if at > 0 && b.get(at - 1) == Some(&b'\r') && b.get(at) == Some(&b'\n') {
        at - 1
    } else {
        at
    }
}

/// Two edits that cannot be applied together: they overlap, or both start at the same
/// place (which goes first would be a guess).
fn conflict(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start == b.start || (a.start < b.end && b.start < a.end)
}

/// Applies non-conflicting edits (any order).
fn apply_edits(text: &str, mut edits: Edits) -> String {
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (r, t) in edits {
        out.replace_range(r, &t);
    }
    out
}

/// The file's line ending: that of its first line (`\n` for a file of one line).
pub fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text[i..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

fn with_line_ending(t: &str, eol: &str) -> String {
    if eol == "\n" {
        t.to_string()
    } else {
        t.replace("\r\n", "\n").replace('\n', eol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(code: Code, fix: Fix) -> Diagnostic {
        Diagnostic::new(code, 0..0, "m").fix(fix)
    }

    #[test]
    fn picks_automatic_fixes_without_conflicts() {
        let text = "ab\r\ncd\r\n";
        let diags = vec![
            d(Code::WrongShape, Fix::edit("insert", 2..2, "\n--").automatic()),
            d(Code::UnknownKey, Fix::edit("a choice", 0..1, "x")),
            d(Code::DuplicateKey, Fix::edit("same place", 2..2, "y").automatic()),
            d(Code::DuplicateDependency, Fix::edit("delete", 4..8, "").automatic()),
            d(Code::Bom, Fix { title: "bom".into(), action: FixAction::RemoveBom, automatic: true }),
        ];
        let picked = pick(text, &diags, line_ending(text));
        let titles: Vec<&str> = picked.iter().map(|(a, _)| a.title.as_str()).collect();
        assert_eq!(titles, ["insert", "delete"], "one of two inserts at one place; no BOM in the text");
        assert_eq!(picked[0].1, [(2..2, "\r\n--".to_string())], "the file's line ending");
        // Inside a CRLF line break, an insertion goes before it.
        let picked =
            pick(text, &[d(Code::WrongShape, Fix::edit("close", 3..3, "\n---").automatic())], "\r\n");
        assert_eq!(picked[0].1, [(2..2, "\r\n---".to_string())]);
    }

    #[test]
    fn rounds_until_settled_or_bounded() {
        // Each round removes one leading `x`; the analysis sees the new text each time.
        let strip = |t: &str| -> Vec<Diagnostic> {
            if t.starts_with('x') {
                vec![d(Code::DuplicateKey, Fix::edit("drop x", 0..1, "").automatic())]
            } else {
                Vec::new()
            }
        };
        let fixed = fix_text("xxxabc", strip);
        assert_eq!((fixed.text.as_str(), fixed.applied.len(), fixed.settled), ("abc", 3, true));
        let fixed = fix_text(&format!("{}abc", "x".repeat(ROUNDS + 2)), strip);
        assert_eq!((fixed.applied.len(), fixed.settled), (ROUNDS, false));
        let fixed = fix_text("abc", strip);
        assert_eq!((fixed.text.as_str(), fixed.applied.len(), fixed.settled), ("abc", 0, true));
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\rb"), "\r");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(line_ending("abc"), "\n");
        assert_eq!(with_line_ending("a\nb\r\n", "\r\n"), "a\r\nb\r\n");
    }
}

//! The body as lines, and the fast ASCII trims every line rule uses.

use std::ops::Range;

/// One line of the body: byte offsets into the whole file, without its line break
/// (`\n` or `\r\n`, as `str::lines` splits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
}

/// The lines of `text[range]`, as `str::lines` splits them.
pub fn split_lines(text: &str, range: Range<usize>) -> Vec<Line> {
    let mut out = Vec::with_capacity((range.end - range.start) / 40 + 1);
    let mut pos = range.start;
    while pos < range.end {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[pos..range.end]).map_or(range.end, |i| pos + i);
        let end = if text.as_bytes()[pos..nl].last() == Some(&b'\r') { nl - 1 } else { nl };
        out.push(Line { start: pos, end });
        pos = nl + 1;
    }
    out
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `str::trim_start`, fast for the ASCII case.
pub fn trim_start(s: &str) -> &str {
    let n = s.bytes().take_while(|&b| is_space_byte(b)).count();
    let rest = &s[n..];
    if rest.as_bytes().first().is_some_and(|&b| b >= 0x80) {
        rest.trim_start()
    } else {
        rest
    }
}

/// `str::trim_end`, fast for the ASCII case.
pub fn trim_end(s: &str) -> &str {
    let n = s.bytes().rev().take_while(|&b| is_space_byte(b)).count();
    let rest = &s[..s.len() - n];
    if rest.as_bytes().last().is_some_and(|&b| b >= 0x80) {
        rest.trim_end()
    } else {
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_trims_match_std() {
        for text in ["", "a", "a\n", "a\r\nb\n\nc", "\r\n", "x\ry\n", " \t\u{a0}a\u{2003} \u{85}"] {
            let ours: Vec<&str> =
                split_lines(text, 0..text.len()).iter().map(|l| &text[l.start..l.end]).collect();
            assert_eq!(ours, text.lines().collect::<Vec<_>>(), "{text:?}");
            assert_eq!(trim_start(text), text.trim_start(), "{text:?}");
            assert_eq!(trim_end(text), text.trim_end(), "{text:?}");
        }
    }
}

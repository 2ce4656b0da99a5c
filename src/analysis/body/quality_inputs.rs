//! What chant's quality grades read from a body (`score/confidence.rs`,
//! `score/splittability.rs`, word counts): bullets, prose lines, verb bullets, vague
//! words, coupling phrases and words, each counted as chant counts it.

/// Inputs to chant's confidence grade (`score/confidence.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConfidenceInputs {
    pub blank: bool,
    pub bullets: usize,
    pub prose: usize,
    pub verb_bullets: usize,
    pub vague: usize,
}

const VERBS: [&str; 33] = [
    "implement",
    "add",
    "create",
    "update",
    "fix",
    "remove",
    "delete",
    "refactor",
    "test",
    "verify",
    "ensure",
    "validate",
    "configure",
    "setup",
    "install",
    "deploy",
    "build",
    "run",
    "execute",
    "check",
    "document",
    "write",
    "read",
    "parse",
    "handle",
    "process",
    "calculate",
    "compute",
    "convert",
    "transform",
    "migrate",
    "upgrade",
    "downgrade",
];

/// One line of chant's confidence counting (`score/confidence.rs`), for a line outside
/// ``` fences: bullets (`- ` / `* ` with text), verb bullets, prose lines.
pub(super) fn confidence_line(c: &mut ConfidenceInputs, trimmed: &str, first: u8) {
    if trimmed.is_empty() || first == b'#' {
        return;
    }
    let bullet = if first == b'-' || first == b'*' {
        trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* "))
    } else {
        None
    };
    let Some(content) = bullet else {
        if trimmed != "-" && trimmed != "*" {
            c.prose += 1;
        }
        return;
    };
    if !content.trim().is_empty() {
        c.bullets += 1;
    }
    let content = if content.trim_start().starts_with('[') {
        content.find(']').map_or(content, |p| &content[p + 1..])
    } else {
        content
    };
    if let Some(word) = content.split_whitespace().next() {
        let verb = if word.is_ascii() {
            VERBS.iter().any(|v| v.eq_ignore_ascii_case(word))
        } else {
            VERBS.contains(&word.to_lowercase().as_str())
        };
        c.verb_bullets += usize::from(verb);
    }
}

/// `body.split_whitespace().count()`. ASCII text is counted eight bytes at a time:
/// each byte's high bit says "whitespace", and a word starts at every non-space byte
/// that follows a space.
pub fn count_words(body: &str) -> usize {
    if !body.is_ascii() {
        return body.split_whitespace().count();
    }
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f * ONES;
    const HIGH: u64 = 0x80 * ONES;
    // High bit of each byte set where the byte is ASCII whitespace (space, 9..=13).
    fn spaces(x: u64) -> u64 {
        let e = x ^ (0x20 * ONES);
        let eq_space = !((((e & LOW7) + LOW7) | e) & HIGH) & HIGH;
        let lo = x & LOW7;
        let ge9 = (lo + (0x80 - 9) * ONES) & HIGH;
        let ge14 = (lo + (0x80 - 14) * ONES) & HIGH;
        eq_space | (ge9 & !ge14 & !x & HIGH)
    }
    let bytes = body.as_bytes();
    let mut words = 0usize;
    let mut carry = HIGH & 0x80; // "the byte before the text is a space"
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let sp = spaces(u64::from_le_bytes(b));
        let before = (sp << 8) | carry;
        words += (!sp & before & HIGH).count_ones() as usize;
        carry = sp >> 56;
    }
    let mut prev = carry != 0;
    for &c in chunks.remainder() {
        let s = (c == b' ') | (c.wrapping_sub(9) < 5);
        words += usize::from(prev && !s);
        prev = s;
    }
    words
}

/// chant counts `body.to_lowercase().matches(p)` for each vague pattern. The patterns
/// are ASCII and no non-ASCII character lowercases into a run of them, so counting in
/// an ASCII-lowercased copy gives the same numbers.
/// Facts chant finds in the lowercased body: the number of vague-word hits
/// (confidence) and whether a coupling phrase occurs (splittability).
pub(super) fn case_blind_facts(body: &str) -> (usize, bool) {
    use memchr::memmem::Finder;
    use std::sync::OnceLock;
    static VAGUE: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    static COUPLING: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    let vague = VAGUE.get_or_init(|| {
        ["improve", "as needed", "etc", "and related", "similar"].iter().map(Finder::new).collect()
    });
    let coupling = COUPLING
        .get_or_init(|| ["tightly coupled", "depends on each other"].iter().map(Finder::new).collect());
    let lower = body.to_ascii_lowercase();
    let hits = vague.iter().map(|f| f.find_iter(lower.as_bytes()).count()).sum();
    (hits, coupling.iter().any(|f| f.find(lower.as_bytes()).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_counters_match_the_std_ones() {
        for text in [
            "",
            "a b",
            "  a\tb\u{a0}c\u{2003}d\u{85}e ",
            "one two  three\tfour\nfive\r\nsix\x0bseven\x0ceight nine ten eleven twelve",
            " a  bb   ccc    dddd     eeeee      f",
            "Improve ETC; sImIlar, as  needed, and related\u{130}mprove",
            "日本 語",
        ] {
            assert_eq!(count_words(text), text.split_whitespace().count(), "{text:?}");
            let lower = text.to_lowercase();
            let slow: usize = ["improve", "as needed", "etc", "and related", "similar"]
                .iter()
                .map(|p| lower.matches(p).count())
                .sum();
            assert_eq!(case_blind_facts(text).0, slow, "{text:?}");
        }
    }
}

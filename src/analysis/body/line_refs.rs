//! `path:line` and `path:line-line` references in a spec's prose (research and
//! root-cause specs cite code this way): where they are, which file and which lines.
//! A reference needs a relative path with a file extension; URLs and `host:port` are
//! not references.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

/// One reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRef {
    /// As written (project-relative).
    pub path: String,
    /// First and last line, 1-based, inclusive.
    pub lines: (u32, u32),
    /// The whole `path:145-150` text.
    pub range: Range<usize>,
    /// The `145-150` part.
    pub numbers: Range<usize>,
}

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::unwrap_used, reason = "a constant pattern")]
        Regex::new(r"(?:^|[\s`(\[<'\x22,;])((?:\./)?(?:\.?[\w-]+/)*[\w.-]*[\w-]\.[A-Za-z][A-Za-z0-9]{0,9}):(\d{1,7})(?:-(\d{1,7}))?")
            .unwrap()
    })
}

/// The references on one line of text starting at byte `at`.
pub fn scan(line: &str, at: usize, out: &mut Vec<LineRef>) {
    // Cheap filter: a colon followed by a digit.
    let bytes = line.as_bytes();
    if !bytes.windows(2).any(|w| w[0] == b':' && w[1].is_ascii_digit()) {
        return;
    }
    for c in pattern().captures_iter(line) {
        let (Some(path), Some(first)) = (c.get(1), c.get(2)) else { continue };
        let end = c.get(3).unwrap_or(first);
        // `host.com:80/x` or a time `12:30:45` are not references.
        let after = &line[end.end()..];
        if after.starts_with('/') || after.starts_with(|ch: char| ch.is_alphanumeric() || ch == '_') {
            continue;
        }
        let (Ok(a), Ok(b)) = (first.as_str().parse::<u32>(), end.as_str().parse::<u32>()) else { continue };
        if a == 0 || b < a {
            continue;
        }
        out.push(LineRef {
            path: path.as_str().trim_start_matches("./").to_string(),
            lines: (a, b),
            range: at + path.start()..at + end.end(),
            numbers: at + first.start()..at + end.end(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(s: &str) -> Vec<(String, (u32, u32), String)> {
        let mut out = Vec::new();
        scan(s, 0, &mut out);
        out.into_iter().map(|r| (r.path, r.lines, s[r.numbers].to_string())).collect()
    }

    #[test]
    fn references() {
        assert_eq!(
            refs("see src/storage/store.rs:145"),
            vec![("src/storage/store.rs".into(), (145, 145), "145".into())]
        );
        assert_eq!(refs("(`src/a.rs:10-12`)"), vec![("src/a.rs".into(), (10, 12), "10-12".into())]);
        assert_eq!(
            refs("main.go:7, ./lib/x.py:3"),
            vec![("main.go".into(), (7, 7), "7".into()), ("lib/x.py".into(), (3, 3), "3".into())]
        );
        assert!(refs("https://example.com:8080/x").is_empty());
        assert!(refs("at 12:30:45 and localhost:3000").is_empty());
        assert!(refs("src/a.rs:0 and src/a.rs:9-3").is_empty());
        assert!(refs("version:1.2").is_empty());
    }
}

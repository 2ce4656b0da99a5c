//! Line/column arithmetic over a text, for printers that need positions (the
//! `check` command). A line ends at `\n`, `\r\n` or a lone `\r`, as LSP defines it
//! (the server's ropes count lines the same way: `lsp::to_proto`'s tests compare the
//! two on every offset). Offsets that fall inside a character or past the end are
//! clamped, never panic.

use std::ops::Range;

/// Start offsets of every line of a text.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

/// A position in three units: 0-based line, and the column in UTF-16 code units (LSP),
/// characters (1-based when shown to people) and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub utf16: usize,
    pub chars: usize,
    pub byte_col: usize,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // `\r\n` is one break, ending after the `\n`.
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        LineIndex { text, starts }
    }

    /// Clamps `offset` to the text and back to a character boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let prefix = &self.text[self.starts[line]..offset];
        Position {
            line,
            utf16: prefix.chars().map(char::len_utf16).sum(),
            chars: prefix.chars().count(),
            byte_col: prefix.len(),
        }
    }

    /// The text of a 0-based line without its line break.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self.starts.get(line + 1).map_or(self.text.len(), |&e| e);
        self.text[start..end].trim_end_matches('\n').trim_end_matches('\r')
    }

    pub fn range(&self, range: &Range<usize>) -> (Position, Position) {
        (self.position(range.start), self.position(range.end.max(range.start)))
    }
}

/// `s` cut to at most `max` characters, the last one an ellipsis when it was cut.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max.saturating_sub(1)).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        let text = "ab\r\n日本🚀x\n";
        let idx = LineIndex::new(text);
        let p = idx.position(text.find('x').expect("x"));
        assert_eq!(p, Position { line: 1, utf16: 4, chars: 3, byte_col: 10 });
        assert_eq!(idx.line_text(0), "ab");
        assert_eq!(idx.position(2).utf16, 2);
        // Inside the rocket: clamped back to its start.
        assert_eq!(idx.position(text.find('🚀').expect("r") + 1).chars, 2);
        assert_eq!(idx.position(999).line, 2);
    }

    #[test]
    fn a_lone_cr_ends_a_line() {
        let text = "a\rb\r\nc\rd";
        let idx = LineIndex::new(text);
        let d = idx.position(text.find('d').expect("d"));
        assert_eq!((d.line, d.chars), (3, 0));
        assert_eq!(idx.line_text(0), "a");
        assert_eq!(idx.line_text(1), "b");
        assert_eq!(idx.line_text(2), "c");
        // The `\n` of a `\r\n` still belongs to the line it ends.
        assert_eq!(idx.position(text.find('\n').expect("nl")).line, 1);
    }
}

//! Line/column arithmetic over a text, for printers that need positions (the
//! `check` command). Lines end at `\n`; a `\r` before it belongs to the line break.
//! Offsets that fall inside a character or past the end are clamped, never panic.

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
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
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

    pub fn line_count(&self) -> usize {
        self.starts.len()
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
}

//! Positions between the analysis (byte offsets into a text) and the client (line and
//! character in the negotiated encoding: UTF-8 when the client offers it, else UTF-16).
//! Lines end at `\n`, `\r\n` or `\r`, as LSP defines them; ropey does the counting.
//! Out-of-range positions are clamped, never a panic.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range as LspRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Characters of line `line` without its line break.
fn line_end_char(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
        if len > 0 && slice.char(len - 1) == '\r' {
            len -= 1;
        }
    } else if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    start + len
}

/// The byte offset of a client position.
pub fn offset(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_char(line);
    let end = line_end_char(rope, line);
    let ch = match enc {
        Encoding::Utf16 => {
            let base = rope.char_to_utf16_cu(start);
            let target = base + pos.character as usize;
            let max = rope.char_to_utf16_cu(end);
            rope.utf16_cu_to_char(target.min(max))
        }
        Encoding::Utf8 => {
            let base = rope.char_to_byte(start);
            let max = rope.char_to_byte(end);
            rope.byte_to_char((base + pos.character as usize).min(max))
        }
    };
    rope.char_to_byte(ch.min(end))
}

/// The client position of a byte offset.
pub fn position(rope: &Rope, offset: usize, enc: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let ch = rope.byte_to_char(offset);
    let line = rope.char_to_line(ch);
    let start = rope.line_to_char(line);
    let col = match enc {
        Encoding::Utf16 => rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(start),
        Encoding::Utf8 => rope.char_to_byte(ch) - rope.line_to_byte(line),
    };
    Position::new(line as u32, col as u32)
}

pub fn range(rope: &Rope, r: &Range<usize>, enc: Encoding) -> LspRange {
    LspRange::new(position(rope, r.start, enc), position(rope, r.end.max(r.start), enc))
}

/// Applies one `textDocument/didChange` content change.
pub fn apply_change(rope: &mut Rope, range: Option<LspRange>, text: &str, enc: Encoding) {
    match range {
        None => *rope = Rope::from_str(text),
        Some(r) => {
            let start = rope.byte_to_char(offset(rope, r.start, enc));
            let end = rope.byte_to_char(offset(rope, r.end, enc)).max(start);
            rope.remove(start..end);
            rope.insert(start, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // ASCII, CJK (1 UTF-16 unit, 3 bytes), emoji (2 units, 4 bytes), CRLF and a lone CR.
        let text = "ab\r\n日本🚀x\rlast";
        let rope = Rope::from_str(text);
        let x = text.find('x').expect("x");
        assert_eq!(position(&rope, x, Encoding::Utf16), Position::new(1, 4));
        assert_eq!(position(&rope, x, Encoding::Utf8), Position::new(1, 10));
        assert_eq!(offset(&rope, Position::new(1, 4), Encoding::Utf16), x);
        assert_eq!(offset(&rope, Position::new(1, 10), Encoding::Utf8), x);
        // Inside the emoji (UTF-16 unit 3): clamped to a character boundary.
        let rocket = text.find('🚀').expect("rocket");
        assert_eq!(offset(&rope, Position::new(1, 3), Encoding::Utf16), rocket);
        // Past the end of a line: its end, not the next line.
        assert_eq!(offset(&rope, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(position(&rope, text.len(), Encoding::Utf16), Position::new(2, 4));
        assert_eq!(offset(&rope, Position::new(9, 0), Encoding::Utf8), text.len());
    }

    #[test]
    fn edits() {
        let mut rope = Rope::from_str("héllo\nwörld\n");
        apply_change(
            &mut rope,
            Some(LspRange::new(Position::new(0, 1), Position::new(1, 1))),
            "ey\n🚀",
            Encoding::Utf16,
        );
        assert_eq!(rope.to_string(), "hey\n🚀örld\n");
        apply_change(
            &mut rope,
            Some(LspRange::new(Position::new(1, 0), Position::new(1, 4))),
            "",
            Encoding::Utf8,
        );
        assert_eq!(rope.to_string(), "hey\nörld\n");
    }
}

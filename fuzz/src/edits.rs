//! Target `lsp_edits`: a document and `textDocument/didChange` notifications applied
//! the way the server applies them (`lsp::state::Doc::apply`, a rope), compared after
//! every notification with the text a plain reference computes from the protocol's
//! rules: lines end at `\n`, `\r\n` or `\r`; a column counts UTF-16 code units (or
//! bytes, when UTF-8 was negotiated); a line past the end is the end of the document, a
//! column past the end of its line is the end of that line, and a column inside a
//! character (half of a surrogate pair) is that character's start; a backwards range
//! is empty at its start. Then every offset of the final text is turned into a client
//! position and back, against the same reference.
//!
//! The bytes are parts split at `0xFF`: the document, then one change per part,
//! `[flags, start line, start column, end line, end column] text…`. Flags: bit 0
//! replaces the whole document, bit 1 counts columns in UTF-8, bit 2 sends the change
//! in the same notification as the one before. A number byte below `0xF0` is itself;
//! from `0xF0` on it stands for a large value a client could send.

use chant_lsp::lsp::capabilities::Encoding;
use chant_lsp::lsp::from_proto;
use chant_lsp::lsp::state::Doc;
use chant_lsp::lsp::to_proto;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use super::parts;

/// At most this many changes are applied.
const MAX_CHANGES: usize = 64;

/// At most this many offsets of the final text are turned into positions and back.
const OFFSETS: usize = 256;

fn number(b: u8) -> u32 {
    match b {
        0..=0xEF => u32::from(b),
        0xF0 => u32::MAX,
        0xF1 => i32::MAX as u32,
        0xF2 => 1 << 16,
        0xF3 => u32::from(u16::MAX),
        0xF4 => 1 << 31,
        b => 240 + u32::from(b - 0xF5) * 61,
    }
}

struct Change {
    range: Option<Range>,
    utf8: bool,
    joined: bool,
    text: String,
}

fn change(part: &[u8]) -> Option<Change> {
    let (head, text) = part.split_at_checked(5)?;
    let flags = head[0];
    let pos = |l: u8, c: u8| Position::new(number(l), number(c));
    Some(Change {
        range: (flags & 1 == 0).then(|| Range::new(pos(head[1], head[2]), pos(head[3], head[4]))),
        utf8: flags & 2 != 0,
        joined: flags & 4 != 0,
        text: String::from_utf8_lossy(text).into_owned(),
    })
}

pub fn lsp_edits(data: &[u8]) {
    let parts = parts(data);
    let Some((doc_text, changes)) = parts.split_first() else { return };
    let initial = String::from_utf8_lossy(doc_text).into_owned();
    let uri: Uri = "file:///p/.chant/specs/a.md".parse().expect("a file URI");
    let mut doc = Doc::new(uri, &initial, 0, false);
    let mut expected = initial;
    let changes: Vec<Change> = changes.iter().filter_map(|p| change(p)).take(MAX_CHANGES).collect();
    // Notifications: runs of changes, each with one encoding (the server's, negotiated once
    // per session, is the same for every change of a notification).
    let mut version = 0;
    let mut i = 0;
    while i < changes.len() {
        let utf8 = changes[i].utf8;
        let mut end = i + 1;
        while end < changes.len() && changes[end].joined {
            end += 1;
        }
        let batch = &changes[i..end];
        let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        for c in batch {
            reference_apply(&mut expected, c.range, &c.text, utf8);
        }
        let events = batch
            .iter()
            .map(|c| TextDocumentContentChangeEvent {
                range: c.range,
                range_length: None,
                text: c.text.clone(),
            })
            .collect();
        version += 1;
        doc.apply(events, version, enc);
        let now = doc.text();
        assert_eq!(
            *now, expected,
            "after notification {version} (left: the server's text, right: the reference)"
        );
        i = end;
    }

    let text = expected;
    let boundaries: Vec<usize> = (0..=text.len()).filter(|&o| text.is_char_boundary(o)).collect();
    let step = boundaries.len().div_ceil(OFFSETS).max(1);
    for &offset in boundaries.iter().step_by(step) {
        for (enc, utf8) in [(Encoding::Utf16, false), (Encoding::Utf8, true)] {
            let pos = to_proto::position(&doc.rope, offset, enc);
            let (line, col) = reference_position(&text, offset, utf8);
            assert_eq!(
                (pos.line, pos.character),
                (line, col),
                "the position of offset {offset} (utf8: {utf8})"
            );
            let back = from_proto::offset(&doc.rope, pos, enc);
            let inside_crlf =
                offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n');
            let want = if inside_crlf { offset - 1 } else { offset };
            assert_eq!(back, want, "offset {offset} to {pos:?} and back (utf8: {utf8})");
        }
    }
}

/// Byte offsets where each line starts, by the protocol's line breaks.
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 2;
            }
            b'\r' | b'\n' => {
                starts.push(i + 1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    starts
}

/// The end of line `line`'s content (before its break).
fn content_end(text: &str, starts: &[usize], line: usize) -> usize {
    let Some(&next) = starts.get(line + 1) else { return text.len() };
    if text[..next].ends_with("\r\n") {
        next - 2
    } else {
        next - 1
    }
}

fn units(c: char, utf8: bool) -> usize {
    if utf8 {
        c.len_utf8()
    } else {
        c.len_utf16()
    }
}

/// The byte offset of a client position, by the protocol's rules.
fn reference_offset(text: &str, pos: Position, utf8: bool) -> usize {
    let starts = line_starts(text);
    let line = pos.line as usize;
    let Some(&start) = starts.get(line) else { return text.len() };
    let end = content_end(text, &starts, line);
    let target = pos.character as usize;
    let mut seen = 0;
    for (i, c) in text[start..end].char_indices() {
        if seen + units(c, utf8) > target {
            return start + i;
        }
        seen += units(c, utf8);
    }
    end
}

fn reference_apply(text: &mut String, range: Option<Range>, with: &str, utf8: bool) {
    match range {
        None => *text = with.to_string(),
        Some(r) => {
            let start = reference_offset(text, r.start, utf8);
            let end = reference_offset(text, r.end, utf8).max(start);
            text.replace_range(start..end, with);
        }
    }
}

/// The client position of a byte offset: its line, and the units from the line's start.
fn reference_position(text: &str, offset: usize, utf8: bool) -> (u32, u32) {
    let starts = line_starts(text);
    let line = starts.partition_point(|&s| s <= offset) - 1;
    let col: usize = text[starts[line]..offset].chars().map(|c| units(c, utf8)).sum();
    (line as u32, col as u32)
}

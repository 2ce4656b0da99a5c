//! Where every key and value of a frontmatter block is, byte for byte, even while the
//! YAML is broken. serde_yaml decides *what* chant accepts ([`super::frontmatter`]);
//! this line scanner says *where* each thing is, so each diagnostic lands on the
//! offending key, value or list entry.
//!
//! It understands the YAML chant specs use: block mappings (nested by indentation),
//! block sequences (also unindented under their key, as chant saves them), flow
//! sequences over several lines, plain / single / double quoted scalars, comments,
//! anchors and tags, block scalars and flow mappings (as opaque values). Anything it
//! does not understand becomes [`Value::Other`] with a range; it never fails.
//!
//! size-limit: one scanner over the lines, whose states only make sense together.

use std::ops::Range;

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub key_range: Range<usize>,
    pub value: Value,
    /// From the key to the end of the value (for whole-entry edits).
    pub range: Range<usize>,
    /// The lines this entry occupies, from the start of its first line to the end of its
    /// last line including the line break (for deleting the entry).
    pub lines: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `key:` with nothing after it; `at` is just after the colon.
    Empty {
        at: usize,
    },
    Scalar(Scalar),
    Seq(Seq),
    Map {
        range: Range<usize>,
        entries: Vec<Entry>,
    },
    /// Block scalars, flow mappings, aliases, anything unexpected.
    Other {
        range: Range<usize>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seq {
    pub range: Range<usize>,
    pub flow: bool,
    pub items: Vec<Scalar>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Single,
    Double,
    /// A nested collection or anything that is not a scalar.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value after unquoting and folding.
    pub text: String,
    pub range: Range<usize>,
    pub style: Style,
    /// For block sequence items: the whole `- item` line range including the break.
    pub lines: Option<Range<usize>>,
}

impl Value {
    /// The byte range of the value, or an empty range where it would be.
    pub fn range(&self) -> Range<usize> {
        match self {
            Value::Empty { at } => *at..*at,
            Value::Scalar(s) => s.range.clone(),
            Value::Seq(s) => s.range.clone(),
            Value::Map { range, .. } | Value::Other { range } => range.clone(),
        }
    }
}

/// A scanned mapping (the whole frontmatter, or a nested one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub entries: Vec<Entry>,
    /// The first entry of each key, when there are many entries (a scan per lookup
    /// would make the rules quadratic in the number of keys).
    index: Option<std::collections::HashMap<String, usize>>,
}

impl Layout {
    pub fn new(entries: Vec<Entry>) -> Layout {
        let index = (entries.len() > 32).then(|| {
            let mut index = std::collections::HashMap::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                index.entry(e.key.clone()).or_insert(i);
            }
            index
        });
        Layout { entries, index }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.index {
            Some(index) => index.get(key).map(|&i| &self.entries[i]),
            None => self.entries.iter().find(|e| e.key == key),
        }
    }

    /// All entries with this key, in order (more than one means a duplicate).
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.key == key)
    }
}

#[derive(Clone, Copy)]
struct Line {
    start: usize,
    /// End of content, before `\r\n` / `\n`.
    end: usize,
    /// End including the line break.
    next: usize,
    indent: usize,
}

/// Scans the frontmatter text `text[range]`; every range in the result is into `text`.
pub fn scan(text: &str, range: Range<usize>) -> Layout {
    let mut lines = Vec::new();
    let mut pos = range.start;
    while pos < range.end {
        let nl = text[pos..range.end].find('\n').map(|i| pos + i);
        let (end, next) = match nl {
            Some(i) => (i, i + 1),
            None => (range.end, range.end),
        };
        let end = if text[pos..end].ends_with('\r') { end - 1 } else { end };
        let indent = text[pos..end].bytes().take_while(|&b| b == b' ').count();
        lines.push(Line { start: pos, end, next, indent });
        pos = next;
    }
    let mut scanner = Scanner { text, lines, i: 0, depth: 0 };
    let entries = scanner.mapping(0);
    Layout::new(entries)
}

struct Scanner<'a> {
    text: &'a str,
    lines: Vec<Line>,
    i: usize,
    /// Nested block mappings entered.
    depth: usize,
}

impl<'a> Scanner<'a> {
    fn content(&self, l: Line) -> &'a str {
        &self.text[l.start + l.indent..l.end]
    }

    /// Skips blank and comment-only lines; returns the next meaningful line index.
    fn skip_blank(&mut self) -> Option<usize> {
        while self.i < self.lines.len() {
            let c = self.content(self.lines[self.i]).trim_start_matches('\t');
            if c.trim().is_empty() || c.starts_with('#') {
                self.i += 1;
            } else {
                return Some(self.i);
            }
        }
        None
    }

    fn mapping(&mut self, indent: usize) -> Vec<Entry> {
        let mut entries = Vec::new();
        while let Some(i) = self.skip_blank() {
            let line = self.lines[i];
            if line.indent < indent || (indent > 0 && line.indent != indent) {
                break;
            }
            if line.indent > indent {
                // Over-indented junk at this level: serde reports it; skip the line.
                self.i += 1;
                continue;
            }
            let content = self.content(line);
            if is_seq_item(content) {
                if indent > 0 {
                    break;
                }
                self.i += 1;
                continue;
            }
            match self.entry(line) {
                Some(e) => entries.push(e),
                None => self.i += 1,
            }
        }
        entries
    }

    /// Parses the entry starting at `line` (the current line). Returns `None` (without
    /// consuming) when the line is not a `key:` line.
    fn entry(&mut self, line: Line) -> Option<Entry> {
        let start = line.start + line.indent;
        let (key, key_range, after_colon) = parse_key(self.text, start, line.end)?;
        self.i += 1;
        let rest_start = skip_spaces(self.text, after_colon, line.end);
        let rest = &self.text[rest_start..line.end];
        let value = if rest.is_empty() || rest.starts_with('#') {
            self.block_value(line.indent, after_colon)
        } else {
            self.inline_value(rest_start, line)
        };
        let end = match &value {
            Value::Empty { .. } => after_colon,
            v => v.range().end,
        };
        let last_line_next = self.lines[..self.i].last().map_or(line.next, |l| l.next);
        Some(Entry {
            key,
            key_range: key_range.clone(),
            value,
            range: key_range.start..end,
            lines: line.start..last_line_next,
        })
    }

    /// A value that starts on the key's own line at `at`.
    fn inline_value(&mut self, at: usize, line: Line) -> Value {
        let (at, props) = skip_properties(self.text, at, line.end);
        if at >= line.end {
            // `key: &anchor` followed by a block value.
            let _ = props;
            return self.block_value(line.indent, at);
        }
        match self.text.as_bytes()[at] {
            b'[' => {
                let (items, end) = self.flow_seq(at);
                Value::Seq(Seq { range: at..end, flow: true, items })
            }
            b'{' => {
                let end = self.flow_skip(at, b'{', b'}');
                Value::Other { range: at..end }
            }
            b'|' | b'>' => {
                let end = self.block_scalar(line.indent, line.end);
                Value::Other { range: at..end }
            }
            b'*' => Value::Other { range: at..trim_comment(self.text, at, line.end) },
            b'"' | b'\'' => Value::Scalar(self.quoted(at)),
            _ => Value::Scalar(self.plain(at, line.end, line.indent)),
        }
    }

    /// The value of `key:` when nothing follows the colon on its line.
    fn block_value(&mut self, key_indent: usize, at: usize) -> Value {
        let save = self.i;
        let Some(i) = self.skip_blank() else {
            self.i = save;
            return Value::Empty { at };
        };
        let line = self.lines[i];
        let content = self.content(line);
        if is_seq_item(content) && line.indent >= key_indent {
            return Value::Seq(self.block_seq(line.indent));
        }
        if line.indent <= key_indent {
            self.i = save;
            return Value::Empty { at };
        }
        if parse_key(self.text, line.start + line.indent, line.end).is_some() {
            if self.depth >= super::yaml_guard::MAX_DEPTH {
                // Deeper than serde_yaml is ever asked to read: one opaque value (and
                // no recursion as deep as the file is long).
                let start = line.start + line.indent;
                let end = self.skip_nested(key_indent).max(line.end);
                return Value::Other { range: start..end };
            }
            self.depth += 1;
            let entries = self.mapping(line.indent);
            self.depth -= 1;
            let start = entries.first().map_or(at, |e| e.range.start);
            let end = entries.last().map_or(at, |e| e.range.end);
            return Value::Map { range: start..end, entries };
        }
        let start = line.start + line.indent;
        match self.text.as_bytes()[start] {
            b'"' | b'\'' => Value::Scalar(self.quoted(start)),
            b'[' => {
                let (items, end) = self.flow_seq(start);
                Value::Seq(Seq { range: start..end, flow: true, items })
            }
            _ => Value::Scalar(self.plain(start, line.end, key_indent)),
        }
    }

    fn block_seq(&mut self, indent: usize) -> Seq {
        let mut items = Vec::new();
        let mut start = None;
        let mut end = 0;
        while let Some(i) = self.skip_blank() {
            let line = self.lines[i];
            let content = self.content(line);
            if line.indent != indent || !is_seq_item(content) {
                break;
            }
            self.i += 1;
            let dash = line.start + line.indent;
            start.get_or_insert(dash);
            let value_at = skip_spaces(self.text, dash + 1, line.end);
            let (value_at, _) = skip_properties(self.text, value_at, line.end);
            let mut item = if value_at >= line.end || self.text[value_at..line.end].starts_with('#') {
                // `-` alone: a nested block or an empty (null) item.
                let nested_start = self.i;
                let nested_end = self.skip_nested(indent);
                if nested_end > value_at && self.i > nested_start {
                    Scalar {
                        text: String::new(),
                        range: value_at..nested_end,
                        style: Style::Other,
                        lines: None,
                    }
                } else {
                    Scalar {
                        text: String::new(),
                        range: value_at..value_at,
                        style: Style::Plain,
                        lines: None,
                    }
                }
            } else {
                match self.text.as_bytes()[value_at] {
                    b'"' | b'\'' => self.quoted(value_at),
                    b'[' | b'{' => {
                        let (open, close) =
                            if self.text.as_bytes()[value_at] == b'[' { (b'[', b']') } else { (b'{', b'}') };
                        let end = self.flow_skip(value_at, open, close);
                        Scalar {
                            text: self.text[value_at..end].to_string(),
                            range: value_at..end,
                            style: Style::Other,
                            lines: None,
                        }
                    }
                    _ => {
                        let rest = &self.text[value_at..line.end];
                        if looks_like_key(rest) {
                            // `- key: value` (a mapping inside the list).
                            let end = self.skip_nested(indent).max(line.end);
                            Scalar {
                                text: rest.to_string(),
                                range: value_at..end,
                                style: Style::Other,
                                lines: None,
                            }
                        } else {
                            self.plain(value_at, line.end, indent)
                        }
                    }
                }
            };
            let last_next = self.lines[..self.i].last().map_or(line.next, |l| l.next);
            item.lines = Some(line.start..last_next);
            end = end.max(item.range.end).max(dash + 1);
            items.push(item);
        }
        let start = start.unwrap_or(0);
        Seq { range: start..end.max(start), flow: false, items }
    }

    /// Consumes lines indented deeper than `indent`; returns the end of the last one.
    fn skip_nested(&mut self, indent: usize) -> usize {
        let mut end = 0;
        while let Some(i) = self.skip_blank() {
            let line = self.lines[i];
            if line.indent <= indent {
                break;
            }
            end = line.end;
            self.i += 1;
        }
        end
    }

    /// A block scalar (`|` / `>`): every following line indented deeper than the key,
    /// blank lines included. Returns the end of its last content line.
    fn block_scalar(&mut self, key_indent: usize, first_end: usize) -> usize {
        let mut end = first_end;
        while self.i < self.lines.len() {
            let line = self.lines[self.i];
            let blank = self.text[line.start..line.end].trim().is_empty();
            if !blank && line.indent <= key_indent {
                break;
            }
            if !blank {
                end = line.end;
            }
            self.i += 1;
        }
        end
    }

    /// A plain scalar from `at`, continued on following lines indented deeper than
    /// `parent_indent` (YAML folds them with spaces).
    fn plain(&mut self, at: usize, line_end: usize, parent_indent: usize) -> Scalar {
        let end = trim_comment(self.text, at, line_end);
        let mut text = self.text[at..end].to_string();
        let mut last_end = end;
        while self.i < self.lines.len() {
            let line = self.lines[self.i];
            let content = self.content(line);
            if content.trim().is_empty() || line.indent <= parent_indent || content.starts_with('#') {
                break;
            }
            if looks_like_key(content) || is_seq_item(content) {
                break;
            }
            let cend = trim_comment(self.text, line.start + line.indent, line.end);
            text.push(' ');
            text.push_str(&self.text[line.start + line.indent..cend]);
            last_end = cend;
            self.i += 1;
        }
        Scalar { text, range: at..last_end, style: Style::Plain, lines: None }
    }

    /// A quoted scalar starting at `at` (on the current line or the one before
    /// `self.i`); may span lines. Unterminated quotes run to the end of the block.
    fn quoted(&mut self, at: usize) -> Scalar {
        let quote = self.text.as_bytes()[at];
        let limit = self.lines.last().map_or(at, |l| l.end);
        let bytes = self.text.as_bytes();
        let mut j = at + 1;
        let mut close = None;
        while j < limit {
            let b = bytes[j];
            if quote == b'"' && b == b'\\' {
                j += 2;
                continue;
            }
            if b == quote {
                if quote == b'\'' && bytes.get(j + 1) == Some(&b'\'') {
                    j += 2;
                    continue;
                }
                close = Some(j);
                break;
            }
            j += 1;
        }
        let end = close.map_or(limit, |c| c + 1);
        self.advance_past(end);
        let inner = &self.text[at + 1..close.unwrap_or(limit).min(self.text.len())];
        let text = if quote == b'"' { unescape_double(inner) } else { fold(&inner.replace("''", "'")) };
        let style = if quote == b'"' { Style::Double } else { Style::Single };
        Scalar { text, range: at..end, style, lines: None }
    }

    /// Sets the cursor to the line after the one containing byte `pos` (when that line
    /// is at or after the cursor).
    fn advance_past(&mut self, pos: usize) {
        while self.i < self.lines.len() && self.lines[self.i].start < pos {
            self.i += 1;
        }
    }

    /// A flow sequence `[ ... ]` starting at `at`; returns its scalar items and the end.
    fn flow_seq(&mut self, at: usize) -> (Vec<Scalar>, usize) {
        let limit = self.lines.last().map_or(at, |l| l.end);
        let bytes = self.text.as_bytes();
        let mut items = Vec::new();
        let mut j = at + 1;
        let mut end = limit;
        loop {
            // Skip whitespace, line breaks and comments between items.
            while j < limit {
                match bytes[j] {
                    b' ' | b'\t' | b'\r' | b'\n' | b',' => j += 1,
                    b'#' if j > 0 && matches!(bytes[j - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                        while j < limit && bytes[j] != b'\n' {
                            j += 1;
                        }
                    }
                    _ => break,
                }
            }
            if j >= limit {
                break;
            }
            // A new `key:` at the start of a line ends an unterminated list.
            if j > 0 && bytes[j - 1] == b'\n' && looks_like_key(&self.text[j..self.line_end_at(j)]) {
                end = self.text[..j].trim_end().len();
                break;
            }
            match bytes[j] {
                b']' => {
                    end = j + 1;
                    break;
                }
                b'"' | b'\'' => {
                    let save = self.i;
                    let s = self.quoted(j);
                    self.i = save;
                    j = s.range.end;
                    items.push(s);
                }
                b'[' | b'{' => {
                    let (open, close) = if bytes[j] == b'[' { (b'[', b']') } else { (b'{', b'}') };
                    let e = self.flow_skip_raw(j, open, close, limit);
                    items.push(Scalar {
                        text: self.text[j..e].to_string(),
                        range: j..e,
                        style: Style::Other,
                        lines: None,
                    });
                    j = e;
                }
                _ => {
                    let s = j;
                    while j < limit && !matches!(bytes[j], b',' | b']' | b'\n' | b'\r') {
                        if bytes[j] == b'#' && matches!(bytes[j - 1], b' ' | b'\t') {
                            break;
                        }
                        j += 1;
                    }
                    let raw = self.text[s..j].trim_end();
                    if !raw.is_empty() {
                        items.push(Scalar {
                            text: raw.to_string(),
                            range: s..s + raw.len(),
                            style: Style::Plain,
                            lines: None,
                        });
                    }
                }
            }
        }
        self.advance_past(end);
        (items, end)
    }

    fn line_end_at(&self, pos: usize) -> usize {
        // Lines are in order: a binary search (a scan per call is quadratic in a flow
        // list of many lines).
        let i = self.lines.partition_point(|l| l.start <= pos);
        match i.checked_sub(1).map(|i| self.lines[i]) {
            Some(l) if pos <= l.end => l.end,
            _ => pos,
        }
    }

    fn flow_skip(&mut self, at: usize, open: u8, close: u8) -> usize {
        let limit = self.lines.last().map_or(at, |l| l.end);
        let end = self.flow_skip_raw(at, open, close, limit);
        self.advance_past(end);
        end
    }

    fn flow_skip_raw(&self, at: usize, open: u8, close: u8, limit: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut j = at;
        let mut quote: Option<u8> = None;
        while j < limit {
            let b = bytes[j];
            match quote {
                Some(q) => {
                    if q == b'"' && b == b'\\' {
                        j += 1;
                    } else if b == q {
                        quote = None;
                    }
                }
                None => {
                    if b == b'"' || b == b'\'' {
                        quote = Some(b);
                    } else if b == open {
                        depth += 1;
                    } else if b == close {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                }
            }
            j += 1;
        }
        limit
    }
}

fn is_seq_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ") || content.starts_with("-\t")
}

fn looks_like_key(content: &str) -> bool {
    parse_key(content, 0, content.len()).is_some()
}

fn skip_spaces(text: &str, mut at: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while at < end && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

/// Skips `&anchor` and `!tag` tokens before a value.
fn skip_properties(text: &str, mut at: usize, end: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut any = false;
    while at < end && matches!(bytes[at], b'&' | b'!') {
        any = true;
        while at < end && !matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        at = skip_spaces(text, at, end);
    }
    (at, any)
}

/// End of a plain value on one line: before ` #` comments and trailing blanks.
fn trim_comment(text: &str, at: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut j = at;
    while j < end {
        if bytes[j] == b'#' && j > at && matches!(bytes[j - 1], b' ' | b'\t') {
            break;
        }
        j += 1;
    }
    let s = text[at..j].trim_end();
    at + s.len()
}

/// Parses `key:` at `start`. Returns the key text, its range and the offset just
/// after the colon. Plain keys end at the first `:` followed by a blank or the end.
fn parse_key(text: &str, start: usize, end: usize) -> Option<(String, Range<usize>, usize)> {
    let bytes = text.as_bytes();
    if start >= end {
        return None;
    }
    match bytes[start] {
        b'"' | b'\'' => {
            let q = bytes[start];
            let mut j = start + 1;
            while j < end {
                if q == b'"' && bytes[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if bytes[j] == q {
                    break;
                }
                j += 1;
            }
            if j >= end {
                return None;
            }
            let after = skip_spaces(text, j + 1, end);
            if after < end
                && bytes[after] == b':'
                && (after + 1 == end || matches!(bytes[after + 1], b' ' | b'\t'))
            {
                let inner = &text[start + 1..j];
                let key = if q == b'"' { unescape_double(inner) } else { inner.replace("''", "'") };
                return Some((key, start..j + 1, after + 1));
            }
            None
        }
        b'-' if is_seq_item(&text[start..end]) => None,
        b'#' | b'[' | b'{' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' => None,
        _ => {
            let mut j = start;
            while j < end {
                if bytes[j] == b':' && (j + 1 == end || matches!(bytes[j + 1], b' ' | b'\t')) {
                    let key = text[start..j].trim_end();
                    if key.is_empty() {
                        return None;
                    }
                    return Some((key.to_string(), start..start + key.len(), j + 1));
                }
                if bytes[j] == b'#' && j > start && matches!(bytes[j - 1], b' ' | b'\t') {
                    return None;
                }
                j += 1;
            }
            None
        }
    }
}

/// Folds line breaks in a flow scalar the YAML way (one break = a space).
fn fold(s: &str) -> String {
    if !s.contains('\n') {
        return s.to_string();
    }
    let lines: Vec<&str> = s.split('\n').map(|l| l.trim_matches([' ', '\t', '\r'])).collect();
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            if l.is_empty() {
                out.push('\n');
                continue;
            }
            if !out.ends_with('\n') && !out.is_empty() {
                out.push(' ');
            }
        }
        out.push_str(l);
    }
    out
}

fn unescape_double(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    let mut chars = folded.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let hex = |chars: &mut std::str::Chars, n: usize| -> Option<char> {
            let h: String = chars.by_ref().take(n).collect();
            u32::from_str_radix(&h, 16).ok().and_then(char::from_u32)
        };
        match e {
            'n' => out.push('\n'),
            't' | '\t' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'e' => out.push('\u{1b}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            ' ' => out.push(' '),
            '/' => out.push('/'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'N' => out.push('\u{85}'),
            '_' => out.push('\u{a0}'),
            'L' => out.push('\u{2028}'),
            'P' => out.push('\u{2029}'),
            'x' => out.extend(hex(&mut chars, 2)),
            'u' => out.extend(hex(&mut chars, 4)),
            'U' => out.extend(hex(&mut chars, 8)),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> String {
        let layout = scan(text, 0..text.len());
        let mut out = String::new();
        render_entries(text, &layout.entries, 0, &mut out);
        out
    }

    fn render_entries(text: &str, entries: &[Entry], depth: usize, out: &mut String) {
        for e in entries {
            let pad = "  ".repeat(depth);
            out.push_str(&format!("{pad}{}@{:?} = ", e.key, e.key_range));
            match &e.value {
                Value::Empty { at } => out.push_str(&format!("empty@{at}\n")),
                Value::Scalar(s) => out.push_str(&format!("{:?} {:?}{:?}\n", s.style, s.text, s.range)),
                Value::Other { range } => out.push_str(&format!("other {:?}\n", &text[range.clone()])),
                Value::Seq(seq) => {
                    out.push_str(&format!("seq flow={} {:?}\n", seq.flow, seq.range));
                    for item in &seq.items {
                        out.push_str(&format!(
                            "{pad}  - {:?} {:?} {:?}\n",
                            item.style,
                            item.text,
                            &text[item.range.clone()]
                        ));
                    }
                }
                Value::Map { entries, .. } => {
                    out.push_str("map\n");
                    render_entries(text, entries, depth + 1, out);
                }
            }
        }
    }

    #[test]
    fn chant_saved_style() {
        let text = "type: code\nstatus: pending\nlabels:\n- a\n- 'b c'\ntarget_files:\n  - src/x.rs # c\ndepends_on: 2026-01-01-001-abc\n";
        expect_test::expect![[r#"
            type@0..4 = Plain "code"6..10
            status@11..17 = Plain "pending"19..26
            labels@27..33 = seq flow=false 35..46
              - Plain "a" "a"
              - Single "b c" "'b c'"
            target_files@47..59 = seq flow=false 63..73
              - Plain "src/x.rs" "src/x.rs"
            depends_on@78..88 = Plain "2026-01-01-001-abc"90..108
        "#]]
        .assert_eq(&render(text));
    }

    #[test]
    fn flow_lists_nested_maps_and_oddities() {
        let text = "depends_on: [a, \"b\\u00e9\",\n  c] # x\napproval:\n  required: true\n  by: \"me\"\nnote: |\n  text\n  more\nbad line\ncontext: [unterminated, x\n";
        expect_test::expect![[r#"
            depends_on@0..10 = seq flow=true 12..31
              - Plain "a" "a"
              - Double "bé" "\"b\\u00e9\""
              - Plain "c" "c"
            approval@36..44 = map
              required@48..56 = Plain "true"58..62
              by@65..67 = Double "me"69..73
            note@74..78 = other "|\n  text\n  more"
            context@105..112 = seq flow=true 114..130
              - Plain "unterminated" "unterminated"
              - Plain "x" "x"
        "#]]
        .assert_eq(&render(text));
    }

    #[test]
    fn empty_values_and_broken_quotes() {
        let text = "labels:\nstatus:\nmodel: \"open\ntype: code";
        expect_test::expect![[r#"
            labels@0..6 = empty@7
            status@8..14 = empty@15
            model@16..21 = Double "open type: code"23..39
        "#]]
        .assert_eq(&render(text));
    }

    #[test]
    fn never_panics_on_garbage() {
        for text in [
            "- a\n- b",
            ":",
            "\"",
            "a: [",
            "a: {",
            "a: 'x",
            "  a: b\nc:",
            "a:\n  - [x\n",
            "é: ü\n  - \u{1F600}",
            "a: \"\\",
            "a: b\r\n  c\r\n",
        ] {
            let _ = scan(text, 0..text.len());
        }
    }
}

//! The reader's view of a body: the CommonMark block structure of every line (which
//! line is code, an HTML comment or block, a heading of which level). A line scan
//! that follows the CommonMark block algorithm: block quotes and list items as
//! containers (with lazy continuation lines), fenced and indented code, HTML blocks,
//! ATX and setext headings, tabs as 4-column stops. `tests/commonmark.rs` proves it
//! against pulldown-cmark line by line.
//!
//! Not modelled (the differential test excludes such documents by name): a lone CR
//! as a line break (chant's `lines()` splits on LF only, and so does this scan), and
//! link reference definitions (a paragraph made only of them cannot become a setext
//! heading). Where pulldown-cmark departs from the spec (a tab after a closing fence,
//! a tab before the `>` that continues a block quote) this scan follows the spec, as
//! cmark (and so GitHub) does.

use super::html::{html_ends, html_start, HtmlEnd};
use super::lines::Line;

/// What a reader sees on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// Nothing but whitespace and container markers (`>`, an empty list item).
    Blank,
    /// Paragraph text, a thematic break.
    Text,
    /// An ATX heading line, or any line of a setext heading (text and underline).
    Heading { level: u8 },
    /// The opening line of a fenced code block.
    FenceOpen { tilde: bool },
    /// A line inside a fenced code block (blank ones too).
    FenceBody,
    /// The closing fence.
    FenceClose,
    /// A non-blank line of an indented code block.
    IndentedCode,
    /// A line of an HTML block that starts with `<!--` (through its `-->`).
    HtmlComment,
    /// A line of any other HTML block (rendered as raw HTML, never a heading).
    Html,
}

impl Block {
    /// Code or a comment: text a reader does not see as Markdown content.
    pub fn in_code(self) -> bool {
        matches!(
            self,
            Block::FenceOpen { .. }
                | Block::FenceBody
                | Block::FenceClose
                | Block::IndentedCode
                | Block::HtmlComment
        )
    }
}

/// The reader's view of each line of `text` (`lines` as split by the body scan).
pub fn read(text: &str, lines: &[Line]) -> Vec<Block> {
    let mut r = Reader { stack: Vec::new(), leaf: Leaf::None, out: Vec::with_capacity(lines.len()) };
    for (i, l) in lines.iter().enumerate() {
        let kind = r.line(&text.as_bytes()[l.start..l.end], i);
        r.out.push(kind);
    }
    r.out
}

#[derive(Debug, Clone, Copy)]
enum Container {
    Quote,
    /// A list item whose content starts `width` columns in; `content` once it holds a block.
    Item {
        width: usize,
        content: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leaf {
    None,
    /// An open paragraph that started on line `start`.
    Para {
        start: usize,
    },
    Fence {
        ch: u8,
        len: usize,
    },
    Indented,
    Html {
        end: HtmlEnd,
        comment: bool,
    },
}

struct Reader {
    stack: Vec<Container>,
    leaf: Leaf,
    out: Vec<Block>,
}

/// A position in a line: byte offset and column (tab stops of 4). When a tab is only
/// partly consumed, `pos` stays on it and `col` lies inside it.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
    col: usize,
}

impl<'a> Cursor<'a> {
    /// Columns of spaces and tabs from here, and the offset of the next other byte.
    fn indent(&self) -> (usize, usize) {
        let (mut p, mut c) = (self.pos, self.col);
        while let Some(&b) = self.s.get(p) {
            match b {
                b' ' => c += 1,
                b'\t' => c += 4 - c % 4,
                _ => break,
            }
            p += 1;
        }
        (c - self.col, p)
    }

    fn blank(&self) -> bool {
        self.indent().1 >= self.s.len()
    }

    /// Skips spaces and tabs.
    fn skip_spaces(&mut self) {
        let (n, p) = self.indent();
        self.col += n;
        self.pos = p;
    }

    /// Consumes `n` columns of spaces and tabs (splitting a tab when needed).
    fn advance_cols(&mut self, mut n: usize) {
        while n > 0 {
            match self.s.get(self.pos) {
                Some(b'\t') => {
                    let to_tab = 4 - self.col % 4;
                    if n < to_tab {
                        self.col += n;
                        return;
                    }
                    self.col += to_tab;
                    self.pos += 1;
                    n -= to_tab;
                }
                Some(b' ') => {
                    self.col += 1;
                    self.pos += 1;
                    n -= 1;
                }
                _ => return,
            }
        }
    }

    /// Consumes one byte that is not a tab or space (a marker character).
    fn bump(&mut self, n: usize) {
        self.pos += n;
        self.col += n;
    }

    fn rest(&self) -> &'a [u8] {
        &self.s[self.pos.min(self.s.len())..]
    }
}

impl Reader {
    fn line(&mut self, s: &[u8], index: usize) -> Block {
        let mut c = Cursor { s, pos: 0, col: 0 };
        // 1. Which open containers does this line continue?
        let mut matched = 0;
        for cont in &self.stack {
            match *cont {
                Container::Quote => {
                    let (n, p) = c.indent();
                    if n > 3 || s.get(p) != Some(&b'>') {
                        break;
                    }
                    c.skip_spaces();
                    c.bump(1);
                    if matches!(s.get(c.pos), Some(b' ' | b'\t')) {
                        c.advance_cols(1);
                    }
                }
                Container::Item { width, content } => {
                    if c.blank() {
                        if !content {
                            break;
                        }
                        c.skip_spaces();
                    } else if c.indent().0 >= width {
                        c.advance_cols(width);
                    } else {
                        break;
                    }
                }
            }
            matched += 1;
        }
        let all_matched = matched == self.stack.len();
        let blank = c.blank();

        // 2. A leaf that takes every line it is given.
        if all_matched {
            match self.leaf {
                Leaf::Fence { ch, len } => {
                    let (n, p) = c.indent();
                    let run = s[p.min(s.len())..].iter().take_while(|&&b| b == ch).count();
                    if n <= 3 && run >= len && s[p + run..].iter().all(|&b| b == b' ' || b == b'\t') {
                        self.leaf = Leaf::None;
                        return Block::FenceClose;
                    }
                    return Block::FenceBody;
                }
                Leaf::Indented => {
                    if blank {
                        return Block::Blank;
                    }
                    if c.indent().0 >= 4 {
                        return Block::IndentedCode;
                    }
                }
                Leaf::Html { end, comment } => {
                    if end == HtmlEnd::BlankLine && blank {
                        self.leaf = Leaf::None;
                        return Block::Blank;
                    }
                    if html_ends(end, c.rest()) {
                        self.leaf = Leaf::None;
                    }
                    return if comment { Block::HtmlComment } else { Block::Html };
                }
                Leaf::Para { .. } if blank => {
                    self.leaf = Leaf::None;
                    return Block::Blank;
                }
                Leaf::Para { .. } | Leaf::None => {}
            }
        }

        // 3. New blocks.
        let para_open = matches!(self.leaf, Leaf::Para { .. });
        // The paragraph is the innermost matched block: what "interrupts a paragraph" means.
        let mut para_matched = all_matched && para_open;
        let mut started = false;
        loop {
            let (n, p) = c.indent();
            if n >= 4 {
                if para_open && !started || c.blank() {
                    break;
                }
                self.close(&mut matched, &mut started);
                self.leaf = Leaf::Indented;
                return self.done(Block::IndentedCode);
            }
            let rest = &s[p.min(s.len())..];
            let Some(&b) = rest.first() else { break };
            match b {
                b'>' => {
                    self.close(&mut matched, &mut started);
                    c.skip_spaces();
                    c.bump(1);
                    if matches!(s.get(c.pos), Some(b' ' | b'\t')) {
                        c.advance_cols(1);
                    }
                    self.push(Container::Quote, &mut matched);
                    para_matched = false;
                    continue;
                }
                b'#' => {
                    let hashes = rest.iter().take_while(|&&x| x == b'#').count();
                    if hashes <= 6 && matches!(rest.get(hashes), None | Some(b' ' | b'\t')) {
                        self.close(&mut matched, &mut started);
                        return self.done(Block::Heading { level: hashes as u8 });
                    }
                }
                b'`' | b'~' => {
                    let run = rest.iter().take_while(|&&x| x == b).count();
                    if run >= 3 && !(b == b'`' && rest[run..].contains(&b'`')) {
                        self.close(&mut matched, &mut started);
                        self.leaf = Leaf::Fence { ch: b, len: run };
                        return self.done(Block::FenceOpen { tilde: b == b'~' });
                    }
                }
                b'<' => {
                    let lazy = !all_matched && !started && para_open;
                    if let Some(end) = html_start(rest, !(para_matched || lazy)) {
                        self.close(&mut matched, &mut started);
                        let comment = end == HtmlEnd::Marker(b"-->");
                        if !html_ends(end, c.rest()) {
                            self.leaf = Leaf::Html { end, comment };
                        }
                        return self.done(if comment { Block::HtmlComment } else { Block::Html });
                    }
                }
                _ => {}
            }
            if para_matched && matches!(b, b'=' | b'-') && is_setext_underline(rest) {
                let Leaf::Para { start } = self.leaf else { break };
                let level = if b == b'=' { 1 } else { 2 };
                for k in &mut self.out[start..index] {
                    *k = Block::Heading { level };
                }
                self.leaf = Leaf::None;
                return self.done(Block::Heading { level });
            }
            if matches!(b, b'*' | b'-' | b'_') && is_thematic_break(rest) {
                self.close(&mut matched, &mut started);
                return self.done(Block::Text);
            }
            if let Some((marker, ordered_start)) = list_marker(rest) {
                let after = &rest[marker..];
                let empty = after.iter().all(|&x| x == b' ' || x == b'\t');
                let starts_after = matches!(after.first(), None | Some(b' ' | b'\t'));
                let may_interrupt = !para_matched || (!empty && ordered_start.is_none_or(|s| s == 1));
                if starts_after && may_interrupt {
                    self.close(&mut matched, &mut started);
                    let offset = n;
                    c.skip_spaces();
                    c.bump(marker);
                    let width = if empty {
                        c.skip_spaces();
                        offset + marker + 1
                    } else {
                        let spaces = c.indent().0;
                        if spaces >= 5 {
                            c.advance_cols(1);
                            offset + marker + 1
                        } else {
                            c.advance_cols(spaces);
                            offset + marker + spaces
                        }
                    };
                    self.push(Container::Item { width, content: !empty }, &mut matched);
                    para_matched = false;
                    continue;
                }
            }
            break;
        }

        // 4. Text: a paragraph line (lazy when containers were not all continued), or blank.
        let blank = c.blank();
        if !started && para_open && !blank {
            return self.done(Block::Text);
        }
        self.close(&mut matched, &mut started);
        if blank {
            return Block::Blank;
        }
        self.leaf = Leaf::Para { start: index };
        self.done(Block::Text)
    }

    /// Closes the containers this line did not continue (once per line), and their leaf.
    fn close(&mut self, matched: &mut usize, started: &mut bool) {
        if !*started {
            self.stack.truncate(*matched);
            self.leaf = Leaf::None;
            *started = true;
        }
    }

    fn push(&mut self, c: Container, matched: &mut usize) {
        self.leaf = Leaf::None;
        self.stack.push(c);
        *matched = self.stack.len();
    }

    /// A non-blank line that put content into the open containers: list items now
    /// hold a block.
    fn done(&mut self, kind: Block) -> Block {
        for c in &mut self.stack {
            if let Container::Item { content, .. } = c {
                *content = true;
            }
        }
        kind
    }
}

fn is_setext_underline(rest: &[u8]) -> bool {
    let ch = rest[0];
    let run = rest.iter().take_while(|&&b| b == ch).count();
    rest[run..].iter().all(|&b| b == b' ' || b == b'\t')
}

fn is_thematic_break(rest: &[u8]) -> bool {
    let ch = rest[0];
    let mut count = 0;
    for &b in rest {
        if b == ch {
            count += 1;
        } else if b != b' ' && b != b'\t' {
            return false;
        }
    }
    count >= 3
}

/// A list marker at the start of `rest`: its length, and the number of an ordered one.
fn list_marker(rest: &[u8]) -> Option<(usize, Option<u64>)> {
    match rest.first()? {
        b'-' | b'+' | b'*' => Some((1, None)),
        b'0'..=b'9' => {
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 || !matches!(rest.get(digits), Some(b'.' | b')')) {
                return None;
            }
            let n = rest[..digits].iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
            Some((digits + 1, Some(n)))
        }
        _ => None,
    }
}

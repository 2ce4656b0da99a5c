//! What must never reach serde_yaml, found in one linear pass first.
//!
//! libyaml (under serde_yaml) spends time proportional to the nesting depth on every
//! token inside a flow collection, so `key: [[[[…` with 100,000 brackets takes close
//! to a minute; and every alias under a typed field is deserialized again where it
//! is used, so a few thousand aliases of a long scalar make gigabytes of strings.
//! [`scan`] walks a YAML block once, tokenizing it as libyaml's scanner does (quoted,
//! plain and block scalars, comments, flow and block collections, anchors, tags and
//! aliases, Unicode line breaks), and notes where the nesting first goes deeper than
//! [`MAX_DEPTH`] and where the aliases are. [`check`] maps those places to the
//! block's top-level entries, and [`Guard::without_entries`] gives the text serde_yaml
//! may read: the block without those entries.
//!
//! Where this scanner and libyaml could part ways, libyaml has stopped with an error
//! first, so anything past that point costs libyaml nothing; everywhere else the two
//! agree token for token, so no nesting is missed.

use std::ops::Range;

use super::layout::Layout;

mod scan;
pub use scan::{scan, Scan};

/// Levels of nesting (block and flow collections together) serde_yaml is given at most.
pub const MAX_DEPTH: usize = 64;

/// Bytes the aliases under typed keys may make serde_yaml copy at most, counted as
/// (aliases) × (length of the block): each alias can stand for anything in it.
pub const ALIAS_BUDGET: usize = 16 << 20;

/// Why chant-lsp leaves a value out of what it hands to serde_yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// Nested deeper than [`MAX_DEPTH`] levels; the offset where it first is.
    TooDeep { at: usize },
    /// Aliases under typed keys that could expand past [`ALIAS_BUDGET`]: how many
    /// there are in this value, and the first one.
    Aliases { count: usize, at: usize },
}

/// The top-level entries serde_yaml must not read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Guard {
    /// Index into the layout's entries, and why.
    pub entries: Vec<(usize, Unread)>,
    /// A place outside every entry: the block cannot be read at all.
    pub stray: Option<Unread>,
    /// The outermost flow collection left open at the end of the block, if any.
    pub unclosed: Option<usize>,
    /// What the scan cost, in bytes looked at.
    pub bytes: usize,
}

impl Guard {
    pub fn is_clean(&self) -> bool {
        self.entries.is_empty() && self.stray.is_none()
    }

    /// The reason entry `i` is left out, if it is.
    pub fn unread(&self, i: usize) -> Option<Unread> {
        self.entries.iter().find(|(e, _)| *e == i).map(|(_, u)| *u)
    }

    /// `text[range]` without the entries left out (their line breaks stay, so line
    /// numbers do not change), for serde_yaml to read: nothing of them reaches it.
    pub fn without_entries(&self, text: &str, range: Range<usize>, layout: &Layout) -> Compact {
        let mut out = String::with_capacity(range.len());
        let mut cuts = Vec::new();
        let (mut pos, mut removed) = (range.start, 0);
        for &(i, _) in &self.entries {
            let lines = &layout.entries[i].lines;
            let (start, end) = (lines.start.clamp(pos, range.end), lines.end.clamp(pos, range.end));
            out.push_str(&text[pos..start]);
            let breaks = text[start..end].bytes().filter(|&b| b == b'\n').count();
            out.extend(std::iter::repeat_n('\n', breaks));
            removed += (end - start) - breaks;
            cuts.push((out.len(), removed));
            pos = end;
        }
        out.push_str(&text[pos..range.end]);
        Compact { text: out, base: range.start, cuts }
    }
}

/// A YAML block with some entries cut out, and how to find an offset of it in the
/// whole text again.
pub struct Compact {
    pub text: String,
    base: usize,
    /// After each cut: (its offset in `text`, bytes removed so far).
    cuts: Vec<(usize, usize)>,
}

impl Compact {
    /// The offset in the whole text of offset `i` of [`Compact::text`].
    pub fn original(&self, i: usize) -> usize {
        let k = self.cuts.partition_point(|&(at, _)| at <= i);
        self.base + i + k.checked_sub(1).map_or(0, |k| self.cuts[k].1)
    }
}

/// Scans `text[range]` and maps what it found to `layout`'s top-level entries. Deep
/// values are left out wherever they are; aliases only under keys in `typed` (serde
/// does not follow aliases in values it ignores), and only when there are too many.
pub fn check(text: &str, range: Range<usize>, layout: &Layout, typed: &[&str]) -> Guard {
    let len = range.len();
    if surely_clean(&text.as_bytes()[range.clone()]) {
        return Guard { bytes: len, ..Guard::default() };
    }
    let s = scan(text, range);
    let entry_of = |at: usize| {
        let i = layout.entries.partition_point(|e| e.lines.start <= at).checked_sub(1)?;
        layout.entries[i].lines.contains(&at).then_some(i)
    };
    let mut guard = Guard { unclosed: s.unclosed, bytes: s.bytes, ..Guard::default() };
    for &at in &s.deep {
        match entry_of(at) {
            Some(i) if guard.unread(i).is_none() => guard.entries.push((i, Unread::TooDeep { at })),
            Some(_) => {}
            None => {
                guard.stray.get_or_insert(Unread::TooDeep { at });
            }
        }
    }
    let typed_aliases: Vec<(Option<usize>, usize)> = s
        .aliases
        .iter()
        .map(|&at| (entry_of(at), at))
        .filter(|(e, _)| e.is_none_or(|i| typed.contains(&layout.entries[i].key.as_str())))
        .collect();
    if typed_aliases.len().saturating_mul(len) > ALIAS_BUDGET {
        for &(e, at) in &typed_aliases {
            match e {
                None => {
                    guard.stray.get_or_insert(Unread::Aliases { count: typed_aliases.len(), at });
                }
                Some(i) => match guard.entries.iter_mut().find(|(x, _)| *x == i) {
                    Some((_, Unread::Aliases { count, .. })) => *count += 1,
                    Some(_) => {}
                    None => guard.entries.push((i, Unread::Aliases { count: 1, at })),
                },
            }
        }
    }
    guard.entries.sort_by_key(|(i, _)| *i);
    guard
}

/// Whether a block certainly needs no scan: no alias, and no more tokens that can open a
/// level (`[`, `{`, and `-`, `?`, `:` before a blank, wherever they are) than
/// [`MAX_DEPTH`]. Most frontmatter is; this costs a few instructions a byte.
fn surely_clean(b: &[u8]) -> bool {
    let mut openers = 0;
    for (i, &c) in b.iter().enumerate() {
        match c {
            // After a word character a `*` is text (a glob in a path): only elsewhere
            // can it start an alias.
            b'*' if i == 0
                || !(b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'/' | b'.' | b'_' | b'-')) =>
            {
                return false
            }
            b'[' | b'{' => openers += 1,
            // Before a blank, a line break (Unicode ones start above ASCII) or the end.
            b'-' | b'?' | b':' if b.get(i + 1).is_none_or(|&n| n.is_ascii_whitespace() || n >= 0x80) => {
                openers += 1
            }
            _ => continue,
        }
        if openers > MAX_DEPTH {
            return false;
        }
    }
    true
}

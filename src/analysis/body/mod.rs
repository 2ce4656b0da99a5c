//! Facts about a spec body, read two ways:
//!
//! * **chant's view**: the title is the first trimmed line starting with `# ` (code
//!   fences are not skipped); ```` ``` ```` lines toggle a fence (`~~~` never does);
//!   `## Acceptance Criteria` is a case-sensitive prefix match; checkboxes are
//!   `- [ ]` substrings. Each of chant's scanners is reproduced with its quirks.
//! * **the reader's view** ([`reader`]): the CommonMark block structure of each line
//!   (fenced and indented code, HTML comments and blocks, ATX and setext headings,
//!   inside block quotes and list items), proven against pulldown-cmark by
//!   `tests/commonmark.rs`.
//!
//! [`scan`] reads the reader's view first, then walks the lines once with chant's
//! rules, recording where the two disagree, so rules can say "chant will read this
//! differently from what you see". Offsets are into the whole file text.
//!
//! Files: [`lines`] (splitting and trims), [`reader`] (CommonMark blocks; HTML
//! blocks in `html.rs`),
//! [`criteria`] (the acceptance-criteria sections), [`quality_inputs`] (what the
//! quality grades count).

pub mod criteria;
mod html;
pub mod line_refs;
pub mod lines;
pub mod quality_inputs;
pub mod reader;

use std::ops::Range;

use super::id;
use criteria::{criterion_text, is_near_miss_ac, AC_MARKER};
use lines::{split_lines, trim_end, trim_start, Line};
use quality_inputs::{case_blind_facts, confidence_line};
use reader::Block;

pub use criteria::IgnoredAcHeading;
pub use quality_inputs::{count_words, ConfidenceInputs};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Title {
    pub text: String,
    /// The whole line (trimmed).
    pub line: Range<usize>,
    /// Where the CommonMark view puts this line.
    pub in_code: bool,
}

/// A `~~~` fenced block, which chant does not treat as code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TildeFence {
    pub open: Range<usize>,
    /// What chant reads inside it: a short description of each effect.
    pub effects: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub id: String,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    pub title: Option<Title>,
    /// The first CommonMark H1 outside code (what a reader takes as the title).
    pub visible_title: Option<Range<usize>>,
    /// `#Title` lines (no space) when chant finds no title.
    pub title_without_space: Option<Range<usize>>,
    /// Whitespace-separated words of the whole body (lint C3, M1, complexity grade).
    pub words: usize,
    /// Every `## Acceptance Criteria` heading chant recognises (outside ``` fences).
    pub ac_headings: Vec<Range<usize>>,
    /// `count_total_checkboxes`: checkboxes in the last AC section.
    pub checkboxes_total: usize,
    /// `count_unchecked_checkboxes`: `- [ ]` in the last AC section.
    pub checkboxes_unchecked: usize,
    /// `has_acceptance_criteria`.
    pub has_ac: bool,
    /// Criteria with text in the first AC section (`- [ ]` / `- [x]`; lint's AC quality).
    pub lint_criteria: usize,
    /// Criteria with text anywhere outside fences (`chant work`'s AC quality).
    pub work_criteria: usize,
    /// Checkbox-looking items in the last AC section that chant does not count
    /// (`* [ ]`, `+ [ ]`, `-[ ]`, `1. [ ]`).
    pub uncounted_checkboxes: Vec<Range<usize>>,
    pub ignored_ac_headings: Vec<IgnoredAcHeading>,
    pub tilde_fences: Vec<TildeFence>,
    /// Spec IDs chant's coupling rule sees (outside ``` fences).
    pub mentions: Vec<Mention>,
    /// `[[id]]` links (a documentation convention; chant gives them no meaning).
    pub wiki_links: Vec<Mention>,
    pub confidence: ConfidenceInputs,
    /// Lines starting with `##` outside ``` fences (splittability's header count).
    pub subheadings: usize,
    /// "tightly coupled" or "depends on each other", any case (splittability).
    pub coupling_words: bool,
    /// `path:line` references outside ``` fences.
    pub line_refs: Vec<line_refs::LineRef>,
}

/// Scans `text[body]`.
pub fn scan(text: &str, body: Range<usize>) -> BodyFacts {
    let lines = split_lines(text, body.clone());
    let blocks = reader::read(text, &lines);
    let body_text = &text[body.clone()];
    let mut f = BodyFacts { words: count_words(body_text), ..BodyFacts::default() };
    f.confidence.blank = body_text.trim().is_empty();
    (f.confidence.vague, f.coupling_words) = case_blind_facts(body_text);

    // One pass with chant's line rules. Most lines are prose; the first byte decides
    // which checks can apply.
    let mut chant_fence = false; // chant's ``` toggle
    let mut first_ac: Option<usize> = None;
    let mut last_ac: Option<usize> = None;
    let mut tilde_open: Option<(usize, Vec<&'static str>)> = None;
    for (i, l) in lines.iter().enumerate() {
        let raw = &text[l.start..l.end];
        let lead = trim_start(raw);
        let trimmed = trim_end(lead);
        let lead_at = l.start + (raw.len() - lead.len());
        let first = lead.as_bytes().first().copied().unwrap_or(b' ');
        let block = blocks[i];
        let line_in_code = block.in_code();

        // Tilde fences: what chant reads inside them (a fence also ends with its container).
        if tilde_open.is_some() && !matches!(block, Block::FenceBody | Block::FenceClose) {
            if let Some((open, effects)) = tilde_open.take() {
                push_tilde(&mut f, &lines, open, effects, text);
            }
        }
        match block {
            Block::FenceOpen { tilde: true } => tilde_open = Some((i, Vec::new())),
            Block::FenceBody => {
                if let Some((_, effects)) = tilde_open.as_mut() {
                    note_tilde_effects(effects, lead, trimmed);
                }
            }
            Block::FenceClose => {
                if let Some((open, effects)) = tilde_open.take() {
                    push_tilde(&mut f, &lines, open, effects, text);
                }
            }
            Block::Heading { level: 1 } if f.visible_title.is_none() => {
                f.visible_title = Some(lead_at..lead_at + trimmed.len());
            }
            _ => {}
        }

        // chant's title: first trimmed `# ` line, fences not skipped.
        if first == b'#' && f.title.is_none() {
            if let Some(t) = trimmed.strip_prefix("# ") {
                f.title = Some(Title {
                    text: t.to_string(),
                    line: lead_at..lead_at + trimmed.len(),
                    in_code: line_in_code,
                });
            } else if f.title_without_space.is_none()
                && !trimmed.starts_with("##")
                && trimmed.len() > 1
                && !line_in_code
            {
                f.title_without_space = Some(lead_at..lead_at + trimmed.len());
            }
        }

        // `[[id]]` links, outside CommonMark code.
        if !line_in_code && memchr::memchr(b'[', raw.as_bytes()).is_some() {
            wiki_links(&mut f, raw, l.start);
        }

        if first == b'`' && lead.starts_with("```") {
            chant_fence = !chant_fence;
            continue;
        }
        if chant_fence {
            continue;
        }
        match first {
            b'#' => {
                if lead.starts_with("##") {
                    f.subheadings += 1;
                }
                if lead.starts_with(AC_MARKER) {
                    f.ac_headings.push(lead_at..lead_at + trimmed.len());
                    first_ac.get_or_insert(i);
                    last_ac = Some(i);
                } else if !line_in_code && is_near_miss_ac(lead) {
                    f.ignored_ac_headings
                        .push(IgnoredAcHeading { range: lead_at..lead_at + trimmed.len(), checkboxes: 0 });
                }
            }
            // Work-gate criteria: anywhere outside fences.
            b'-' if criterion_text(trimmed, true).is_some_and(|t| !t.is_empty()) => f.work_criteria += 1,
            _ => {}
        }
        line_refs::scan(raw, l.start, &mut f.line_refs);
        // Mentions for coupling: chant drops ``` fenced lines, then runs its regex.
        if may_hold_id(raw) {
            for m in id::mention_regex().find_iter(raw) {
                f.mentions.push(Mention {
                    id: m.as_str().to_string(),
                    range: l.start + m.start()..l.start + m.end(),
                });
            }
        }
        // Confidence: bullets and prose outside fences (headings and empty lines skipped).
        confidence_line(&mut f.confidence, trimmed, first);
    }
    if let Some((open, effects)) = tilde_open.take() {
        push_tilde(&mut f, &lines, open, effects, text);
    }
    criteria::sections(&mut f, text, &lines, &blocks, first_ac, last_ac);
    f
}

fn push_tilde(f: &mut BodyFacts, lines: &[Line], open: usize, effects: Vec<&'static str>, text: &str) {
    if effects.is_empty() {
        return;
    }
    let l = lines[open];
    let raw = &text[l.start..l.end];
    let lead = raw.trim_start();
    let start = l.start + (raw.len() - lead.len());
    f.tilde_fences.push(TildeFence { open: start..start + lead.trim_end().len(), effects });
}

fn note_tilde_effects(effects: &mut Vec<&'static str>, lead: &str, trimmed: &str) {
    let mut add = |e: &'static str| {
        if !effects.contains(&e) {
            effects.push(e);
        }
    };
    if trimmed.starts_with("# ") {
        add("a `# ` line that can become the title");
    }
    if lead.starts_with(AC_MARKER) {
        add("an `## Acceptance Criteria` heading");
    } else if lead.starts_with("## ") {
        add("a `## ` heading that ends an acceptance-criteria section");
    }
    if lead.contains("- [ ]") || lead.contains("- [x]") || lead.contains("- [X]") {
        add("checkboxes that count as acceptance criteria");
    }
    if lead.starts_with("```") {
        add("a ``` line that opens or closes a code block for chant");
    }
    if id::mention_regex().is_match(lead) {
        add("spec IDs that the coupling lint reports");
    }
}

/// `[[…]]` links on one line (no whitespace or `[` inside).
fn wiki_links(f: &mut BodyFacts, raw: &str, line_start: usize) {
    let bytes = raw.as_bytes();
    let mut from = 0;
    while let Some(open) = memchr::memchr(b'[', &bytes[from..]).map(|i| from + i) {
        if bytes.get(open + 1) != Some(&b'[') {
            from = open + 1;
            continue;
        }
        let s = open + 2;
        let Some(close) = memchr::memmem::find(&bytes[s..], b"]]") else {
            break;
        };
        let inner = &raw[s..s + close];
        if !inner.is_empty() && !inner.contains(char::is_whitespace) && !inner.contains('[') {
            f.wiki_links
                .push(Mention { id: inner.to_string(), range: line_start + s..line_start + s + close });
        }
        from = s + close + 2;
    }
}

/// Cheap filter before the ID regex: four ASCII digits right before a `-`.
fn may_hold_id(line: &str) -> bool {
    let b = line.as_bytes();
    memchr::memchr_iter(b'-', b).any(|i| i >= 4 && b[i - 4..i].iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(body: &str) -> BodyFacts {
        scan(body, 0..body.len())
    }

    #[test]
    fn title_is_first_hash_space_line_even_in_fences() {
        let f = facts("```bash\n# install\n```\n\n# Real title\n");
        let t = f.title.expect("title");
        assert_eq!(t.text, "install");
        assert!(t.in_code);
        assert_eq!(f.visible_title, Some(23..35));
        let f = facts("#NoSpace\n## Two\n");
        assert!(f.title.is_none());
        assert_eq!(f.title_without_space, Some(0..8));
    }

    #[test]
    fn near_misses_and_tilde_fences() {
        let body = "# T\n### Acceptance Criteria\n- [ ] a\n## acceptance criteria\n~~~\n# not a title?\n- [ ] counted\nsee 2026-01-01-001-abc\n~~~\n~~~\nharmless\n~~~\n";
        let f = facts(body);
        assert_eq!(f.ignored_ac_headings.len(), 2);
        assert_eq!(f.ignored_ac_headings[0].checkboxes, 1);
        assert_eq!(f.tilde_fences.len(), 1);
        assert_eq!(f.tilde_fences[0].effects.len(), 3);
        assert_eq!(f.mentions.len(), 1);
    }

    #[test]
    fn mentions_skip_backtick_fences_and_wiki_links() {
        let body = "# T\nsee [[2026-01-01-001-abc]] and 2026-01-02-002-xyz.1\n```\n2026-01-03-003-qqq\n```\n[[legacy-id]] [[has space]]\n";
        let f = facts(body);
        let ids: Vec<_> = f.mentions.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, vec!["2026-01-01-001-abc", "2026-01-02-002-xyz.1"]);
        let links: Vec<_> = f.wiki_links.iter().map(|m| &body[m.range.clone()]).collect();
        assert_eq!(links, vec!["2026-01-01-001-abc", "legacy-id"]);
    }

    #[test]
    fn confidence_inputs_match_chant() {
        let body = "# T\n\nSome prose.\n- [ ] Implement a\n- [x] Add: b\n* update c\n-\n```\n- code\n```\nfetch similar things\n";
        let c = facts(body).confidence;
        assert_eq!((c.bullets, c.prose, c.verb_bullets, c.vague), (3, 2, 2, 2));
    }

    #[test]
    fn the_reader_view_follows_commonmark_blocks() {
        // Indented code: chant's title, inside code for a reader.
        let f = facts("    # install\n\n# Real\n");
        let t = f.title.expect("title");
        assert!(t.in_code);
        assert_eq!(f.visible_title, Some(15..21));
        // A setext H1 is the title a reader sees; an HTML block hides a `# ` line
        // from a reader without being code.
        let f = facts("<details>\n# x\n</details>\n\nReal\n====\n");
        assert!(!f.title.expect("title").in_code);
        assert_eq!(f.visible_title, Some(26..30));
        // A `~~~` fence inside a list item, ended by the item's end.
        let f = facts("- step\n  ~~~\n  # x\nafter\n- [ ] box\n");
        assert_eq!(f.tilde_fences.len(), 1);
        assert_eq!(f.tilde_fences[0].effects, vec!["a `# ` line that can become the title"]);
        // Four spaces do not open a fence: the line after is no code.
        let f = facts("    ```\n# T\n");
        assert!(!f.title.expect("title").in_code);
    }

    #[test]
    fn id_prefilter() {
        assert!(may_hold_id("see 2026-01-01-001-abc"));
        assert!(!may_hold_id("no 123-ids 26-01"));
    }

    #[test]
    fn crlf_and_unicode() {
        let body = "# Tïtle 🚀\r\n## Acceptance Criteria\r\n- [ ] 日本語\r\n";
        let f = facts(body);
        assert_eq!(f.title.expect("title").text, "Tïtle 🚀");
        assert_eq!(f.checkboxes_unchecked, 1);
        assert!(f.has_ac);
    }
}

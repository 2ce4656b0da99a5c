//! Facts about a spec body, read two ways in one pass over its lines:
//!
//! * **chant's view**: the title is the first trimmed line starting with `# ` (code
//!   fences are not skipped); ```` ``` ```` lines toggle a fence (`~~~` never does);
//!   `## Acceptance Criteria` is a case-sensitive prefix match; checkboxes are
//!   `- [ ]` substrings. Each of chant's scanners is reproduced with its quirks.
//! * **the CommonMark view**: real fenced code blocks (backticks *and* tildes, closed
//!   only by a matching fence), HTML comments, ATX headings.
//!
//! Where the two disagree the result records it, so rules can say "chant will read
//! this differently from what you see". Offsets are into the whole file text.

use std::ops::Range;

use super::id;

/// One line of the body.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Title {
    pub text: String,
    /// The whole line (trimmed).
    pub line: Range<usize>,
    /// Where the CommonMark view puts this line.
    pub in_code: bool,
}

/// A heading that looks like an acceptance-criteria heading to a reader but not to
/// chant (`### Acceptance Criteria`, `## acceptance criteria`, `##Acceptance…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredAcHeading {
    pub range: Range<usize>,
    /// Checkbox lines below it (until the next heading) that chant does not count.
    pub checkboxes: usize,
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

/// Inputs to chant's confidence grade (`score/confidence.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConfidenceInputs {
    pub blank: bool,
    pub bullets: usize,
    pub prose: usize,
    pub verb_bullets: usize,
    pub vague: usize,
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
}

const AC_MARKER: &str = "## Acceptance Criteria";
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

/// CommonMark code-block state for the line scan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Code {
    None,
    Fence { ch: u8, len: usize },
    HtmlComment,
}

/// Scans `text[body]`.
pub fn scan(text: &str, body: Range<usize>) -> BodyFacts {
    let lines = split_lines(text, body.clone());
    let body_text = &text[body.clone()];
    let mut f = BodyFacts { words: count_words(body_text), ..BodyFacts::default() };
    f.confidence.blank = body_text.trim().is_empty();
    (f.confidence.vague, f.coupling_words) = case_blind_facts(body_text);

    // One pass: per-line facts in both views. Most lines are prose; the first byte
    // decides which checks can apply.
    let mut chant_fence = false; // chant's ``` toggle
    let mut cm = Code::None;
    let mut first_ac: Option<usize> = None;
    let mut last_ac: Option<usize> = None;
    let mut in_code_cm = vec![false; lines.len()];
    let mut tilde_open: Option<(usize, Vec<&'static str>)> = None;
    for (i, l) in lines.iter().enumerate() {
        let raw = &text[l.start..l.end];
        let lead = trim_start(raw);
        let trimmed = trim_end(lead);
        let lead_at = l.start + (raw.len() - lead.len());
        let first = lead.as_bytes().first().copied().unwrap_or(b' ');

        // CommonMark view (decided before this line's own fence toggles).
        let (line_in_code, next_cm) = if cm == Code::None && !matches!(first, b'`' | b'~' | b'<') {
            (false, Code::None)
        } else {
            commonmark_step(cm, raw)
        };
        in_code_cm[i] = line_in_code;
        // Tilde fences: remember what chant reads inside them.
        match (cm, next_cm) {
            (Code::None, Code::Fence { ch: b'~', .. }) => tilde_open = Some((i, Vec::new())),
            (Code::Fence { ch: b'~', .. }, Code::None) => {
                if let Some((open, effects)) = tilde_open.take() {
                    push_tilde(&mut f, &lines, open, effects, text);
                }
            }
            (Code::Fence { ch: b'~', .. }, Code::Fence { .. }) => {
                if let Some((_, effects)) = tilde_open.as_mut() {
                    note_tilde_effects(effects, lead, trimmed);
                }
            }
            _ => {}
        }
        cm = next_cm;

        if first == b'#' {
            // chant's title: first trimmed `# ` line, fences not skipped.
            if f.title.is_none() {
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
            if f.visible_title.is_none() && !line_in_code && is_atx(lead, 1) {
                f.visible_title = Some(lead_at..lead_at + trimmed.len());
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

    // Last AC section: total and unchecked boxes (count_*_checkboxes).
    if let Some(ac) = last_ac {
        let mut fence = false;
        for (i, l) in lines.iter().enumerate().skip(ac + 1) {
            let raw = &text[l.start..l.end];
            let lead = trim_start(raw);
            if lead.starts_with("```") {
                fence = !fence;
                continue;
            }
            if fence {
                continue;
            }
            if lead.starts_with("## ") {
                break;
            }
            let (unchecked, checked) = count_boxes(raw);
            f.checkboxes_unchecked += unchecked;
            f.checkboxes_total += unchecked + checked;
            if unchecked == 0 && is_uncounted_checkbox(lead) && !in_code_cm[i] {
                let start = l.start + (raw.len() - lead.len());
                f.uncounted_checkboxes.push(start..l.end);
            }
        }
        // Pass 1 toggled `fence` from the top; the AC heading itself is outside one.
    }
    // has_acceptance_criteria: from the first AC heading; its `## ` and checkbox tests
    // are not guarded by the fence state.
    if let Some(ac) = first_ac {
        let mut fence = fence_state_before(&lines, text, ac);
        for l in lines.iter().skip(ac + 1) {
            let lead = trim_start(&text[l.start..l.end]);
            if lead.starts_with("```") {
                fence = !fence;
            }
            if !fence && lead.starts_with(AC_MARKER) {
                continue;
            }
            if lead.starts_with("## ") {
                break;
            }
            if lead.starts_with("- [ ] ") || lead.starts_with("- [x] ") || lead.starts_with("- [X] ") {
                f.has_ac = true;
                break;
            }
        }
        // Lint's AC extraction: first section, guarded by fences, `[X]` not counted.
        let mut fence = false;
        for l in lines.iter().skip(ac + 1) {
            let trimmed = trim_end(trim_start(&text[l.start..l.end]));
            if trimmed.starts_with("```") {
                fence = !fence;
                continue;
            }
            if fence {
                continue;
            }
            if trimmed.starts_with(AC_MARKER) {
                continue;
            }
            if trimmed.starts_with("## ") {
                break;
            }
            if criterion_text(trimmed, false).is_some_and(|t| !t.is_empty()) {
                f.lint_criteria += 1;
            }
        }
    }
    // Checkboxes under each ignored heading (until the next heading of any level).
    for h in &mut f.ignored_ac_headings {
        let Some(idx) = lines.iter().position(|l| l.start <= h.range.start && h.range.start <= l.end) else {
            continue;
        };
        for (j, l) in lines.iter().enumerate().skip(idx + 1) {
            let lead = text[l.start..l.end].trim_start();
            if in_code_cm[j] {
                continue;
            }
            if lead.starts_with('#') {
                break;
            }
            if lead.starts_with("- [ ]") || lead.starts_with("- [x]") || lead.starts_with("- [X]") {
                h.checkboxes += 1;
            }
        }
    }
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

/// chant's ``` toggle state just before line `upto`.
fn fence_state_before(lines: &[Line], text: &str, upto: usize) -> bool {
    let mut fence = false;
    for l in &lines[..upto] {
        if trim_start(&text[l.start..l.end]).starts_with("```") {
            fence = !fence;
        }
    }
    fence
}

/// One CommonMark step: is this line inside code (fence lines included), and the
/// state after it.
fn commonmark_step(state: Code, raw: &str) -> (bool, Code) {
    let lead = raw.trim_start_matches([' ', '\t']);
    match state {
        Code::Fence { ch, len } => {
            let run = lead.bytes().take_while(|&b| b == ch).count();
            let closes = run >= len && lead[run..].trim().is_empty();
            (true, if closes { Code::None } else { state })
        }
        Code::HtmlComment => (true, if raw.contains("-->") { Code::None } else { state }),
        Code::None => {
            let bytes = lead.as_bytes();
            if let Some(&ch) = bytes.first() {
                if ch == b'`' || ch == b'~' {
                    let run = bytes.iter().take_while(|&&b| b == ch).count();
                    let info = &lead[run..];
                    if run >= 3 && !(ch == b'`' && info.contains('`')) {
                        return (true, Code::Fence { ch, len: run });
                    }
                }
            }
            if lead.starts_with("<!--") && !lead[4..].contains("-->") {
                return (true, Code::HtmlComment);
            }
            (lead.starts_with("<!--"), Code::None)
        }
    }
}

/// An ATX heading of exactly `level` by CommonMark (`# x`, `#` alone, `#\tx`).
fn is_atx(lead: &str, level: usize) -> bool {
    let hashes = lead.bytes().take_while(|&b| b == b'#').count();
    hashes == level && lead[hashes..].chars().next().is_none_or(|c| c == ' ' || c == '\t')
}

/// Headings a reader takes for an AC section that chant's prefix match misses.
fn is_near_miss_ac(lead: &str) -> bool {
    let hashes = lead.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return false;
    }
    let rest = lead[hashes..].trim_start();
    rest.len() >= "acceptance criteria".len()
        && rest.is_char_boundary("acceptance criteria".len())
        && rest[.."acceptance criteria".len()].eq_ignore_ascii_case("acceptance criteria")
}

fn is_uncounted_checkbox(lead: &str) -> bool {
    let rest = if let Some(r) = lead.strip_prefix("* ").or_else(|| lead.strip_prefix("+ ")) {
        r
    } else if let Some(r) = lead.strip_prefix('-') {
        if r.starts_with(' ') {
            return false;
        }
        r
    } else {
        let digits = lead.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        match lead[digits..].strip_prefix(". ").or_else(|| lead[digits..].strip_prefix(") ")) {
            Some(r) => r,
            None => return false,
        }
    };
    let rest = rest.trim_start();
    rest.starts_with("[ ]") || rest.starts_with("[x]") || rest.starts_with("[X]")
}

/// The text of a `- [ ]` / `- [x]` (and `- [X]` when `upper`) item line.
fn criterion_text(trimmed: &str, upper: bool) -> Option<&str> {
    let rest = trimmed.strip_prefix("- [ ]").or_else(|| trimmed.strip_prefix("- [x]")).or_else(|| {
        if upper {
            trimmed.strip_prefix("- [X]")
        } else {
            None
        }
    })?;
    Some(rest.trim())
}

/// One line of chant's confidence counting (`score/confidence.rs`), for a line outside
/// ``` fences: bullets (`- ` / `* ` with text), verb bullets, prose lines.
fn confidence_line(c: &mut ConfidenceInputs, trimmed: &str, first: u8) {
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

/// Occurrences of `- [ ]` and of `- [x]` / `- [X]` in a line (chant's substring counts).
fn count_boxes(line: &str) -> (usize, usize) {
    let b = line.as_bytes();
    let (mut open, mut done) = (0, 0);
    for i in memchr::memchr_iter(b'-', b) {
        if b.len() >= i + 5 && &b[i + 1..i + 3] == b" [" && b[i + 4] == b']' {
            match b[i + 3] {
                b' ' => open += 1,
                b'x' | b'X' => done += 1,
                _ => {}
            }
        }
    }
    (open, done)
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `str::trim_start`, fast for the ASCII case.
fn trim_start(s: &str) -> &str {
    let n = s.bytes().take_while(|&b| is_space_byte(b)).count();
    let rest = &s[n..];
    if rest.as_bytes().first().is_some_and(|&b| b >= 0x80) {
        rest.trim_start()
    } else {
        rest
    }
}

/// `str::trim_end`, fast for the ASCII case.
fn trim_end(s: &str) -> &str {
    let n = s.bytes().rev().take_while(|&b| is_space_byte(b)).count();
    let rest = &s[..s.len() - n];
    if rest.as_bytes().last().is_some_and(|&b| b >= 0x80) {
        rest.trim_end()
    } else {
        rest
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
fn case_blind_facts(body: &str) -> (usize, bool) {
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

fn split_lines(text: &str, range: Range<usize>) -> Vec<Line> {
    let mut out = Vec::with_capacity((range.end - range.start) / 40 + 1);
    let mut pos = range.start;
    while pos < range.end {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[pos..range.end]).map_or(range.end, |i| pos + i);
        let end = if text.as_bytes()[pos..nl].last() == Some(&b'\r') { nl - 1 } else { nl };
        out.push(Line { start: pos, end });
        pos = nl + 1;
    }
    out
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
    fn acceptance_criteria_counts_follow_chant() {
        let body = "# T\n## Acceptance Criteria\n- [ ] a\n- [x] b\n```\n- [ ] in fence\n```\n## Acceptance Criteria (v2)\n- [ ] c - [ ] d\n  - [X] e\n* [ ] star\n### sub\n- [ ]\n## Notes\n- [ ] after\n";
        let f = facts(body);
        assert_eq!(f.ac_headings.len(), 2);
        assert_eq!((f.checkboxes_total, f.checkboxes_unchecked), (4, 3));
        assert!(f.has_ac);
        // First section, through the second AC heading, `[X]` not counted.
        assert_eq!(f.lint_criteria, 3);
        assert_eq!(f.work_criteria, 5);
        assert_eq!(f.uncounted_checkboxes.len(), 1);
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

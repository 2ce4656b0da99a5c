//! Acceptance criteria as chant counts them, section by section: the last
//! `## Acceptance Criteria` section for completion (`count_*_checkboxes`), the first
//! one for `has_acceptance_criteria` and lint, and what a reader takes for criteria
//! that chant does not count (near-miss headings, `* [ ]` items).

use std::ops::Range;

use super::lines::{trim_end, trim_start, Line};
use super::reader::Block;
use super::BodyFacts;

pub(super) const AC_MARKER: &str = "## Acceptance Criteria";

/// A heading that looks like an acceptance-criteria heading to a reader but not to
/// chant (`### Acceptance Criteria`, `## acceptance criteria`, `##Acceptance…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredAcHeading {
    pub range: Range<usize>,
    /// Checkbox lines below it (until the next heading) that chant does not count.
    pub checkboxes: usize,
}

/// The section passes, after the line pass found the AC headings (line indexes).
pub(super) fn sections(
    f: &mut BodyFacts,
    text: &str,
    lines: &[Line],
    blocks: &[Block],
    first_ac: Option<usize>,
    last_ac: Option<usize>,
) {
    if let Some(ac) = last_ac {
        last_section(f, text, lines, blocks, ac);
    }
    if let Some(ac) = first_ac {
        first_section(f, text, lines, ac);
    }
    // Checkboxes under each ignored heading (until the next heading of any level).
    for h in &mut f.ignored_ac_headings {
        let Some(idx) = lines.iter().position(|l| l.start <= h.range.start && h.range.start <= l.end) else {
            continue;
        };
        for (j, l) in lines.iter().enumerate().skip(idx + 1) {
            let lead = text[l.start..l.end].trim_start();
            if blocks[j].in_code() {
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
}

/// Last AC section: total and unchecked boxes (`count_*_checkboxes`), and the
/// checkbox-looking items there that chant does not count.
fn last_section(f: &mut BodyFacts, text: &str, lines: &[Line], blocks: &[Block], ac: usize) {
    // The line pass toggled the fence from the top; the AC heading itself is outside one.
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
        if unchecked == 0 && is_uncounted_checkbox(lead) && !blocks[i].in_code() {
            let start = l.start + (raw.len() - lead.len());
            f.uncounted_checkboxes.push(start..l.end);
        }
    }
}

/// From the first AC heading: `has_acceptance_criteria` (its `## ` and checkbox tests
/// are not guarded by the fence state) and lint's criteria.
fn first_section(f: &mut BodyFacts, text: &str, lines: &[Line], ac: usize) {
    let mut fence = fence_state_before(lines, text, ac);
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

/// Headings a reader takes for an AC section that chant's prefix match misses.
pub(super) fn is_near_miss_ac(lead: &str) -> bool {
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
pub(super) fn criterion_text(trimmed: &str, upper: bool) -> Option<&str> {
    let rest = trimmed.strip_prefix("- [ ]").or_else(|| trimmed.strip_prefix("- [x]")).or_else(|| {
        if upper {
            trimmed.strip_prefix("- [X]")
        } else {
            None
        }
    })?;
    Some(rest.trim())
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

#[cfg(test)]
mod tests {
    use super::super::scan;

    #[test]
    fn acceptance_criteria_counts_follow_chant() {
        let body = "# T\n## Acceptance Criteria\n- [ ] a\n- [x] b\n```\n- [ ] in fence\n```\n## Acceptance Criteria (v2)\n- [ ] c - [ ] d\n  - [X] e\n* [ ] star\n### sub\n- [ ]\n## Notes\n- [ ] after\n";
        let f = scan(body, 0..body.len());
        assert_eq!(f.ac_headings.len(), 2);
        assert_eq!((f.checkboxes_total, f.checkboxes_unchecked), (4, 3));
        assert!(f.has_ac);
        // First section, through the second AC heading, `[X]` not counted.
        assert_eq!(f.lint_criteria, 3);
        assert_eq!(f.work_criteria, 5);
        assert_eq!(f.uncounted_checkboxes.len(), 1);
    }

    #[test]
    fn unclosed_fence_before_the_first_section_hides_no_criteria_from_has_ac() {
        // chant's has_acceptance_criteria tests `- [ ] ` lines whatever the fence state.
        let body = "# T\n```\n## Acceptance Criteria\n- [ ] a\n";
        let f = scan(body, 0..body.len());
        assert!(f.ac_headings.is_empty());
        assert!(!f.has_ac);
        let body = "# T\n## Acceptance Criteria\n```\n- [ ] a\n";
        let f = scan(body, 0..body.len());
        assert!(f.has_ac);
        assert_eq!((f.lint_criteria, f.checkboxes_total), (0, 0));
    }
}

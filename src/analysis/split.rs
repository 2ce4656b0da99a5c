//! Splitting a spec file into frontmatter and body exactly as chant does
//! (`split_frontmatter`): trim the whole file, require a leading `---`, and end the
//! YAML at the next `---` *substring*, wherever it is. Every silent surprise of that
//! rule is recorded as a [`SplitProblem`] with the byte range that explains it.
//!
//! All offsets are into the original text.

use std::ops::Range;

/// How chant splits one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The YAML text chant parses (between the fences), when chant finds frontmatter.
    pub yaml: Option<Range<usize>>,
    /// The opening `---` (three bytes) when chant finds frontmatter.
    pub open_fence: Option<Range<usize>>,
    /// The three bytes of the closing `---` occurrence chant uses.
    pub close_fence: Option<Range<usize>>,
    /// The body: after the closing fence with leading whitespace removed, up to the end
    /// of the trimmed file. Without frontmatter it is the whole trimmed file.
    pub body: Range<usize>,
    pub problems: Vec<SplitProblem>,
}

/// A way chant's split differs from what the author most likely meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitProblem {
    /// The file starts with a UTF-8 byte order mark, so chant sees no frontmatter.
    Bom { bom: Range<usize>, fence: Option<Range<usize>> },
    /// Starts with `---` but no second `---` exists: chant reads no frontmatter at all.
    Unclosed { open: Range<usize> },
    /// The `---` that closes the frontmatter is not a line of its own.
    DashesInValue { dashes: Range<usize>, line: Range<usize>, later_fence: Option<Range<usize>> },
    /// The opening fence line holds more than `---`.
    OpenFenceText { line: Range<usize> },
    /// The file has no frontmatter at all; chant uses defaults (`code`, `pending`).
    Missing,
}

const BOM: &str = "\u{feff}";

/// Splits `text` as chant does.
pub fn split(text: &str) -> Split {
    split_with(text, false)
}

/// Splits `text` as chant does; with `hidden_bom`, `text` is an editor buffer without
/// the byte order mark its file starts with (editors hide it; chant reads the bytes),
/// and the split is chant's, in the buffer's positions (the BOM is the empty range at
/// the start).
pub fn split_with(text: &str, hidden_bom: bool) -> Split {
    let bom = if text.starts_with(BOM) { Some(0..BOM.len()) } else { hidden_bom.then_some(0..0) };
    // A BOM is not whitespace to chant's (Rust's) `trim`, so the trimmed file does not
    // start with `---`: no frontmatter, the whole file is the body.
    if let Some(bom) = bom {
        let after = text[bom.end..].trim_start();
        let fence_at = text.len() - after.len();
        let fence = after.starts_with("---").then(|| fence_at..fence_at + 3);
        return Split {
            yaml: None,
            open_fence: None,
            close_fence: None,
            body: 0..text.trim_end().len(),
            problems: vec![SplitProblem::Bom { bom, fence }],
        };
    }
    let mut problems = Vec::new();
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len().max(start);
    let trimmed = &text[start..end];
    if !trimmed.starts_with("---") {
        if problems.is_empty() {
            problems.push(SplitProblem::Missing);
        }
        return Split { yaml: None, open_fence: None, close_fence: None, body: start..end, problems };
    }
    let open = start..start + 3;
    let rest = &trimmed[3..];
    let open_line_end = start + 3 + rest.find('\n').unwrap_or(rest.len());
    if !text[start + 3..open_line_end].trim().is_empty() && !text[start + 3..open_line_end].starts_with('-') {
        problems.push(SplitProblem::OpenFenceText { line: start..open_line_end });
    }
    let Some(rel) = rest.find("---") else {
        problems.push(SplitProblem::Unclosed { open });
        return Split { yaml: None, open_fence: None, close_fence: None, body: start..end, problems };
    };
    let close_start = start + 3 + rel;
    let close = close_start..close_start + 3;
    let line_start = text[..close_start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[close_start..].find('\n').map_or(text.len(), |i| close_start + i);
    let before = &text[line_start..close_start];
    let after = &text[close.end..line_end];
    if !before.trim().is_empty() || !after.trim().is_empty() {
        let later_fence = find_fence_line(text, line_end, end);
        problems.push(SplitProblem::DashesInValue {
            dashes: close.clone(),
            line: line_start..line_end.min(end),
            later_fence,
        });
    }
    let after_close = &text[close.end..end];
    let body_start = close.end + (after_close.len() - after_close.trim_start().len());
    Split {
        yaml: Some(start + 3..close_start),
        open_fence: Some(open),
        close_fence: Some(close),
        body: body_start..end,
        problems,
    }
}

/// The first line from `from` that is exactly `---` (trailing whitespace allowed).
fn find_fence_line(text: &str, from: usize, end: usize) -> Option<Range<usize>> {
    let mut pos = from;
    while pos < end {
        let line_end = text[pos..end].find('\n').map_or(end, |i| pos + i);
        let line = &text[pos..line_end];
        if line.trim_end_matches(['\r', ' ', '\t']) == "---" {
            return Some(pos..pos + 3);
        }
        pos = line_end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        let s = split(text);
        let yaml = s.yaml.clone().map(|r| &text[r]);
        format!("yaml={yaml:?} body={:?} problems={:?}", &text[s.body.clone()], s.problems)
    }

    #[test]
    fn plain() {
        assert_eq!(
            show("\n---\ntype: code\n---\n\n# Title\n\n"),
            r##"yaml=Some("\ntype: code\n") body="# Title" problems=[]"##
        );
    }

    #[test]
    fn crlf_and_empty() {
        assert_eq!(show("---\r\n---\r\n# T\r\n"), r##"yaml=Some("\r\n") body="# T" problems=[]"##);
        assert_eq!(show(""), r#"yaml=None body="" problems=[Missing]"#);
    }

    #[test]
    fn bom_hides_frontmatter() {
        assert_eq!(
            show("\u{feff}---\nstatus: completed\n---\n# T"),
            "yaml=None body=\"\\u{feff}---\\nstatus: completed\\n---\\n# T\" problems=[Bom { bom: 0..3, fence: Some(3..6) }]"
        );
    }

    #[test]
    fn a_bom_the_editor_hides_is_chants_split_in_buffer_positions() {
        let buffer = "---\nstatus: completed\n---\n# T";
        let s = split_with(buffer, true);
        assert_eq!(s.problems, vec![SplitProblem::Bom { bom: 0..0, fence: Some(0..3) }]);
        assert_eq!((s.yaml, s.body), (None, 0..buffer.len()));
        // A buffer that kept its BOM is read as it is.
        assert_eq!(split_with(&format!("{BOM}{buffer}"), true), split(&format!("{BOM}{buffer}")));
    }

    #[test]
    fn unclosed() {
        assert_eq!(
            show("---\nstatus: completed\n# T"),
            r##"yaml=None body="---\nstatus: completed\n# T" problems=[Unclosed { open: 0..3 }]"##
        );
    }

    #[test]
    fn dashes_in_value() {
        let text = "---\nlabels: [a---b]\n---\n# T";
        assert_eq!(
            show(text),
            r##"yaml=Some("\nlabels: [a") body="b]\n---\n# T" problems=[DashesInValue { dashes: 14..17, line: 4..19, later_fence: Some(20..23) }]"##
        );
    }

    #[test]
    fn close_fence_with_text_after() {
        let s = split("---\na: 1\n--- # T");
        assert!(matches!(s.problems[0], SplitProblem::DashesInValue { .. }));
    }
}

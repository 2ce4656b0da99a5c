//! `check`'s output for people, like rustc and ruff: `path:line:col: severity[code]:
//! message`, the source line with a caret underline, related locations, then one summary
//! line. Columns are 1-based characters; whatever a terminal would act on is escaped.

use std::fmt::Write as _;
use std::path::Path;

use super::check::{acts_on_terminal, count, escaped, read_text, shown, FileTexts, ProjectReport};
use crate::analysis::diagnostic::Severity;
use crate::analysis::text::{LineIndex, Position};
use crate::analysis::workspace::FileReport;
use crate::io::load;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn severity(&self, sev: Severity) -> String {
        let code = match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Information => "1;34",
            Severity::Hint => "1;36",
        };
        self.paint(code, sev.as_str())
    }
}

/// Display width of a character in a terminal (CJK and emoji take two cells).
fn width(c: char) -> usize {
    let u = c as u32;
    match u {
        0x0300..=0x036F | 0x200B..=0x200F | 0xFEFF => 0,
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

fn snippet(out: &mut String, style: &Style, idx: &LineIndex, start: Position, end: Position) {
    let line = idx.line_text(start.line);
    let number = (start.line + 1).to_string();
    let pad = " ".repeat(number.len());
    // One column per character, as the caret below counts them: a tab is a space and
    // what a terminal would act on is a replacement character.
    let shown_line: String = line
        .chars()
        .map(|c| match c {
            '\t' => ' ',
            c if acts_on_terminal(c) => '\u{fffd}',
            c => c,
        })
        .collect();
    let before: usize = line[..start.byte_col.min(line.len())].chars().map(width).sum();
    let end_col = if end.line == start.line { end.byte_col.min(line.len()) } else { line.len() };
    let under: usize = line[start.byte_col.min(line.len())..end_col.max(start.byte_col.min(line.len()))]
        .chars()
        .map(width)
        .sum::<usize>()
        .max(1);
    let bar = style.paint("1;34", "|");
    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(out, "{} {bar} {shown_line}", style.paint("1;34", &number));
    let _ = writeln!(out, "{pad} {bar} {}{}", " ".repeat(before), style.paint("1;31", &"^".repeat(under)));
}

/// The human report of one file.
fn human_file(r: &FileReport, root_dir: &Path, root: &str, style: &Style) -> String {
    let text = read_text(root_dir, &r.path);
    let mut texts = FileTexts::new(root_dir, &r.path, &text);
    let path = shown(root, &r.path);
    let mut out = String::new();
    for d in &r.diagnostics {
        let (start, end) = texts.idx.range(&d.range);
        let code = style.paint("2", &format!("[{}]", d.code.as_str()));
        let _ = writeln!(
            out,
            "{}: {}{}: {}",
            style.paint("1", &format!("{path}:{}:{}", start.line + 1, start.chars + 1)),
            style.severity(d.severity),
            code,
            escaped(&d.message)
        );
        if !text.is_empty() {
            snippet(&mut out, style, &texts.idx, start, end);
        }
        for rel in &d.related {
            let p = texts.position(&rel.path, rel.range.start);
            let _ = writeln!(
                out,
                "  {} {}:{}:{}: {}",
                style.paint("1;34", "="),
                shown(root, &rel.path),
                p.line + 1,
                p.chars + 1,
                escaped(&rel.message)
            );
        }
        out.push('\n');
    }
    out
}

/// The human report of every project, then one summary line.
pub fn print(projects: &[ProjectReport], color: bool) -> String {
    let style = Style { on: color };
    let mut out = String::new();
    for p in projects {
        // Files are printed in parallel (each is read again for its positions), in order.
        out += &load::parallel_map(&p.reports, |r| human_file(r, &p.root, &p.display, &style)).concat();
    }
    let (e, w, i, h) = (
        count(projects, Severity::Error),
        count(projects, Severity::Warning),
        count(projects, Severity::Information),
        count(projects, Severity::Hint),
    );
    let files: usize = projects.iter().map(|p| p.reports.len()).sum();
    let active: usize = projects.iter().map(|p| p.active_specs).sum();
    let archived: usize = projects.iter().map(|p| p.archived_specs).sum();
    let specs = format!(
        "{} spec{} checked{}{}",
        active,
        if active == 1 { "" } else { "s" },
        if archived > 0 { format!(", {archived} archived") } else { String::new() },
        if projects.len() > 1 { format!(", in {} projects", projects.len()) } else { String::new() }
    );
    if e + w + i + h == 0 {
        let _ = writeln!(out, "{}: no problems ({specs})", style.paint("1;32", "ok"));
    } else {
        let mut parts = vec![plural(e, "error"), plural(w, "warning")];
        if i > 0 {
            parts.push(plural(i, "info"));
        }
        if h > 0 {
            parts.push(plural(h, "hint"));
        }
        let _ = writeln!(
            out,
            "{}: {} in {} file{} ({specs})",
            style.paint("1", "summary"),
            parts.join(", "),
            files,
            if files == 1 { "" } else { "s" }
        );
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

//! `check --format github`: GitHub Actions workflow commands, one per diagnostic, which
//! the runner turns into annotations on the files:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message` (`warning` for
//! warnings, `notice` for infos and hints). Lines and columns are 1-based, columns in
//! characters, `endColumn` the last character flagged. Related locations follow the
//! message on lines of their own.
//!
//! Escaping as the runner reads it: `%`, CR and LF in the message; also `:` and `,` in
//! the properties. Nothing from a project can end a command early or start another.

use std::fmt::Write as _;

use super::check::{count, joined, read_text, FileTexts, ProjectReport};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::io::load;

/// A message (the command's data).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "notice",
    }
}

fn file_commands(p: &ProjectReport, path: &str, diags: &[Diagnostic]) -> String {
    let text = read_text(&p.root, path);
    let mut texts = FileTexts::new(&p.root, path, &text);
    let file = escape_property(&joined(&p.display, path));
    let mut out = String::new();
    for d in diags {
        let (s, e) = texts.idx.range(&d.range);
        // The last character flagged (an empty range flags the character at its start).
        let end_col = if e.line == s.line { e.chars.max(s.chars + 1) } else { e.chars.max(1) };
        let mut message = d.message.clone();
        for r in &d.related {
            let at = texts.position(&r.path, r.range.start);
            let _ = write!(
                message,
                "\n  = {}:{}:{}: {}",
                joined(&p.display, &r.path),
                at.line + 1,
                at.chars + 1,
                r.message
            );
        }
        let _ = writeln!(
            out,
            "::{} file={file},line={},col={},endLine={},endColumn={end_col},title={}::{}",
            command(d.severity),
            s.line + 1,
            s.chars + 1,
            e.line + 1,
            escape_property(&format!("chant-lsp {}", d.code.as_str())),
            escape_data(&message)
        );
    }
    out
}

/// The workflow commands of every project, then the summary as a plain log line.
pub fn print(projects: &[ProjectReport]) -> String {
    let mut out = String::new();
    for p in projects {
        out += &load::parallel_map(&p.reports, |r| file_commands(p, &r.path, &r.diagnostics)).concat();
    }
    let files: usize = projects.iter().map(|p| p.reports.len()).sum();
    let _ = writeln!(
        out,
        "chant-lsp: {} errors, {} warnings, {} infos, {} hints in {files} files",
        count(projects, Severity::Error),
        count(projects, Severity::Warning),
        count(projects, Severity::Information),
        count(projects, Severity::Hint),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\r\nnext: a, b"), "50%25%0D%0Anext: a, b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}

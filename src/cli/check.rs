//! `chant-lsp check`: every diagnostic of a project, printed like rustc/ruff
//! (`path:line:col: severity[code]: message`, the source line, a caret underline)
//! or as JSON with LSP-style positions (0-based line, UTF-16 character) and byte
//! offsets. Columns in the human format are 1-based characters.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::{LineIndex, Position};
use crate::analysis::workspace::{Checked, FileReport};
use crate::io::load::{self, Options};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct CheckArgs {
    pub path: PathBuf,
    pub format: Format,
    pub color: bool,
    pub options: Options,
}

/// The result of a check: the text to print and the exit code.
pub struct Outcome {
    pub output: String,
    pub exit_code: i32,
}

/// Runs a check. `Err` is a usage or IO problem (exit code 2).
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let root = load::root_for(&args.path)?;
    let project = load::load(&root, &args.options)?;
    let loaded = project.workspace.checked(&project.facts);
    // Freeing a large project takes a while and nothing needs it: a thread does it while
    // the report is printed (or the process exits first).
    std::thread::spawn(move || drop(project));
    let display = display_root(&root);
    let output = match args.format {
        Format::Human => human(&loaded, &root, &display, args.color),
        Format::Json => serde_json::to_string_pretty(&to_json(&loaded, &root, &display))? + "\n",
    };
    let errors = count(&loaded.reports, Severity::Error);
    Ok(Outcome { output, exit_code: i32::from(errors > 0) })
}

/// How the project root is shown: relative to the current directory when inside it.
fn display_root(root: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().and_then(|c| root.strip_prefix(c).ok()) {
        Some(rel) if rel.as_os_str().is_empty() => String::new(),
        Some(rel) => format!("{}/", escaped(&rel.display().to_string())),
        None => format!("{}/", escaped(&root.display().to_string())),
    }
}

fn shown(display_root: &str, path: &str) -> String {
    let full = if Path::new(path).is_absolute() { path.to_string() } else { format!("{display_root}{path}") };
    escaped(&full).into_owned()
}

/// Characters a terminal acts on instead of showing (ESC, CR, newline and the other
/// controls, and the bidirectional overrides that reorder what is shown).
fn acts_on_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from the project (paths, IDs, titles, values in messages) as it may be printed:
/// every character a terminal would act on is written as an escape (`\n`, `\u{1b}`), so
/// a name can neither clear the screen nor forge a `path:line:col:` line for CI.
fn escaped(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts_on_terminal(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A file's text for position conversion, read again (the load dropped it).
fn read_text(root: &Path, path: &str) -> String {
    let full = if Path::new(path).is_absolute() { PathBuf::from(path) } else { root.join(path) };
    load::read_text(&full).unwrap_or_default()
}

/// The texts of the files that related locations point into, each read once for the
/// whole report: a file that many diagnostics point to (the hub of a dependency
/// cycle) would otherwise be read again for every file pointing to it.
fn related_texts(loaded: &Checked, root_dir: &Path) -> HashMap<String, String> {
    let mut paths: Vec<&str> = loaded
        .reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().flat_map(|d| d.related.iter().map(|x| x.path.as_str())))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let texts = load::parallel_map(&paths, |p| read_text(root_dir, p));
    paths.into_iter().map(str::to_string).zip(texts).collect()
}

/// Line indexes of [`related_texts`], built once.
type Others<'a> = HashMap<&'a str, LineIndex<'a>>;

fn index_others(texts: &HashMap<String, String>) -> Others<'_> {
    texts.iter().map(|(p, t)| (p.as_str(), LineIndex::new(t))).collect()
}

/// One file's text and line index, and the other files its diagnostics point to.
struct FileTexts<'a> {
    path: &'a str,
    idx: LineIndex<'a>,
    others: &'a Others<'a>,
}

impl<'a> FileTexts<'a> {
    fn new(path: &'a str, text: &'a str, others: &'a Others<'a>) -> Self {
        FileTexts { path, idx: LineIndex::new(text), others }
    }

    /// The position of `offset` in `path` (this file or another).
    fn position(&mut self, path: &str, offset: usize) -> Position {
        self.with_index(path, |idx| idx.position(offset))
    }

    fn with_index<R>(&mut self, path: &str, f: impl FnOnce(&LineIndex) -> R) -> R {
        if path == self.path {
            return f(&self.idx);
        }
        match self.others.get(path) {
            Some(idx) => f(idx),
            None => f(&LineIndex::new("")),
        }
    }
}

fn count(reports: &[FileReport], sev: Severity) -> usize {
    reports.iter().flat_map(|r| &r.diagnostics).filter(|d| d.severity == sev).count()
}

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
fn human_file(r: &FileReport, root_dir: &Path, root: &str, style: &Style, others: &Others) -> String {
    let text = read_text(root_dir, &r.path);
    let mut texts = FileTexts::new(&r.path, &text, others);
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

fn human(loaded: &Checked, root_dir: &Path, root: &str, color: bool) -> String {
    let style = Style { on: color };
    let related = related_texts(loaded, root_dir);
    let others = index_others(&related);
    // Files are printed in parallel (each is read again for its positions), in order.
    let mut out: String =
        load::parallel_map(&loaded.reports, |r| human_file(r, root_dir, root, &style, &others)).concat();
    let (e, w, i, h) = (
        count(&loaded.reports, Severity::Error),
        count(&loaded.reports, Severity::Warning),
        count(&loaded.reports, Severity::Information),
        count(&loaded.reports, Severity::Hint),
    );
    let files = loaded.reports.len();
    let specs = format!(
        "{} spec{} checked{}",
        loaded.active_specs,
        if loaded.active_specs == 1 { "" } else { "s" },
        if loaded.archived_specs > 0 {
            format!(", {} archived", loaded.archived_specs)
        } else {
            String::new()
        }
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

fn range_json(idx: &LineIndex, range: &std::ops::Range<usize>) -> (Value, Value) {
    let (s, e) = idx.range(range);
    (
        json!({"start": {"line": s.line, "character": s.utf16}, "end": {"line": e.line, "character": e.utf16}}),
        json!({"start": idx.clamp(range.start), "end": idx.clamp(range.end.max(range.start))}),
    )
}

fn diagnostic_json(d: &Diagnostic, path: &str, root: &str, texts: &mut FileTexts) -> Value {
    let (range, bytes) = range_json(&texts.idx, &d.range);
    let related: Vec<Value> = d
        .related
        .iter()
        .map(|r| {
            let (range, bytes) = texts.with_index(&r.path, |idx| range_json(idx, &r.range));
            json!({"file": shown(root, &r.path), "range": range, "byte_range": bytes, "message": r.message})
        })
        .collect();
    json!({
        "file": shown(root, path),
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "range": range,
        "byte_range": bytes,
        "related": related,
    })
}

fn to_json(loaded: &Checked, root_dir: &Path, root: &str) -> Value {
    let related = related_texts(loaded, root_dir);
    let others = index_others(&related);
    let per_file = load::parallel_map(&loaded.reports, |r| {
        let text = read_text(root_dir, &r.path);
        let mut texts = FileTexts::new(&r.path, &text, &others);
        r.diagnostics.iter().map(|d| diagnostic_json(d, &r.path, root, &mut texts)).collect::<Vec<_>>()
    });
    let diags: Vec<Value> = per_file.into_iter().flatten().collect();
    json!({
        "root": if root.is_empty() { "." } else { root.trim_end_matches('/') },
        "diagnostics": diags,
        "summary": {
            "errors": count(&loaded.reports, Severity::Error),
            "warnings": count(&loaded.reports, Severity::Warning),
            "infos": count(&loaded.reports, Severity::Information),
            "hints": count(&loaded.reports, Severity::Hint),
            "files": loaded.reports.len(),
            "specs": loaded.active_specs,
            "archived_specs": loaded.archived_specs,
        }
    })
}

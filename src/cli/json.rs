//! `check --format json`: one object with every diagnostic (`file`, `code`, `severity`,
//! `message`, `range` as 0-based line and UTF-16 character like LSP, `byte_range`,
//! `related` locations), the project roots, and a summary with counts.

use serde_json::{json, Value};

use super::check::{count, read_text, shown, FileTexts, ProjectReport};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::LineIndex;
use crate::io::load;

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

/// The JSON report of every project.
pub fn to_json(projects: &[ProjectReport]) -> Value {
    let mut diags: Vec<Value> = Vec::new();
    for p in projects {
        let per_file = load::parallel_map(&p.reports, |r| {
            let text = read_text(&p.root, &r.path);
            let mut texts = FileTexts::new(&p.root, &r.path, &text);
            r.diagnostics
                .iter()
                .map(|d| diagnostic_json(d, &r.path, &p.display, &mut texts))
                .collect::<Vec<_>>()
        });
        diags.extend(per_file.into_iter().flatten());
    }
    let root = |p: &ProjectReport| -> String {
        if p.display.is_empty() {
            ".".to_string()
        } else {
            p.display.trim_end_matches('/').to_string()
        }
    };
    json!({
        "root": projects.first().map(root).unwrap_or_else(|| ".".to_string()),
        "roots": projects.iter().map(root).collect::<Vec<_>>(),
        "diagnostics": diags,
        "summary": {
            "errors": count(projects, Severity::Error),
            "warnings": count(projects, Severity::Warning),
            "infos": count(projects, Severity::Information),
            "hints": count(projects, Severity::Hint),
            "files": projects.iter().map(|p| p.reports.len()).sum::<usize>(),
            "specs": projects.iter().map(|p| p.active_specs).sum::<usize>(),
            "archived_specs": projects.iter().map(|p| p.archived_specs).sum::<usize>(),
        }
    })
}

//! `check --fix` and `--diff`: the automatic fixes ([`crate::analysis::fix`]) of every
//! reported spec, applied until none is left, then written back or shown as a unified
//! diff. The project's workspace follows each new text, so that what is reported after
//! the fixes is what is left.
//!
//! A file is written only through a temporary file in its own folder renamed over it
//! (never half written), with its permissions, and only when its bytes are still those
//! the fixes were computed from: a file changed by someone else meanwhile is left alone.
//! Line endings are the file's own (the fixes insert them so); a file that is not valid
//! UTF-8, or is read-only, is not touched.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::check::{escaped, joined};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::fix::{self, Applied};
use crate::analysis::selection::Selection;
use crate::analysis::spec::Context;
use crate::analysis::workspace;
use crate::io::load::Loaded;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    Off,
    /// Apply and write.
    Write,
    /// Show what would be applied, write nothing.
    Diff,
}

/// What happened to one file.
pub struct FileFix {
    /// The file as shown (after the displayed root, not escaped).
    pub path: String,
    pub applied: Vec<Applied>,
    /// The fixes settled within [`fix::ROUNDS`] rounds.
    pub settled: bool,
    pub result: FileResult,
}

pub enum FileResult {
    Written,
    /// `--diff`: the unified diff.
    Diff(String),
    /// Not written, and why.
    Skipped(String),
}

impl FileFix {
    /// Whether the file changes (or, with `--diff`, would change).
    pub fn changes(&self) -> bool {
        !self.applied.is_empty() && !matches!(self.result, FileResult::Skipped(_))
    }
}

/// Fixes every spec of the project that `in_scope` names and that has an automatic fix
/// of a selected code. The workspace is left as the disk is afterwards.
pub fn fix_project(
    project: &mut Loaded,
    display: &str,
    in_scope: &dyn Fn(&str) -> bool,
    selection: &Selection,
    mode: FixMode,
) -> Vec<FileFix> {
    let ws = &mut project.workspace;
    let selected = |diags: Vec<Diagnostic>| -> Vec<Diagnostic> {
        diags.into_iter().filter(|d| selection.allows(d.code)).collect()
    };
    let candidates: Vec<usize> = (0..ws.project.specs.len())
        .filter(|&i| in_scope(&ws.project.specs[i].path))
        .filter(|&i| {
            ws.diagnostics(i).iter().any(|d| selection.allows(d.code) && d.fixes.iter().any(|f| f.automatic))
        })
        .collect();
    let mut out = Vec::new();
    for i in candidates {
        let rel = ws.project.specs[i].path.clone();
        let Some(src) = workspace::classify(&rel) else { continue };
        let path = joined(display, &rel);
        let abs = project.root.join(&rel);
        let skipped = |why: String| FileFix {
            path: path.clone(),
            applied: Vec::new(),
            settled: true,
            result: FileResult::Skipped(why),
        };
        // Only a regular file inside the project, capped (as the load read it).
        let read = crate::io::read::Project::new(&project.root)
            .read(std::path::Path::new(&rel), crate::analysis::facts::caps::SPEC);
        let bytes = match read {
            Ok(b) => b,
            Err(e) => {
                out.push(skipped(format!("it {}", e.describe())));
                continue;
            }
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            out.push(skipped("it is not valid UTF-8".to_string()));
            continue;
        };
        let facts = &project.facts;
        // Each round analyses the new text in the project, so that the next round's fixes
        // and the final report see it.
        let mut analyse = |t: &str| {
            let (summary, local) = {
                let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts };
                workspace::analyze_source_with(&ctx, &src, Ok(t.as_bytes()), false)
            };
            ws.update(summary, local);
            selected(ws.diagnostics(i))
        };
        let fixed = fix::fix_text(text, &mut analyse);
        if fixed.applied.is_empty() {
            continue;
        }
        let result = match mode {
            FixMode::Write => match write_atomic(&abs, &bytes, &fixed.text) {
                Ok(()) => FileResult::Written,
                Err(why) => FileResult::Skipped(why),
            },
            FixMode::Diff | FixMode::Off => {
                FileResult::Diff(unified_diff(&escaped(&path), text, &fixed.text))
            }
        };
        if !matches!(result, FileResult::Written) {
            // The disk keeps the old text: so does the project.
            analyse(text);
        }
        out.push(FileFix { path, applied: fixed.applied, settled: fixed.settled, result });
    }
    out
}

/// Replaces the file at `path`, whose bytes were `old`, with `new`: through a temporary
/// file in the same folder (with the file's permissions), renamed over it only if the
/// file still holds `old`. `Err` says why the file was left alone.
pub fn write_atomic(path: &Path, old: &[u8], new: &str) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|e| format!("cannot resolve it: {e}"))?;
    let meta = std::fs::metadata(&target).map_err(|e| format!("cannot read its metadata: {e}"))?;
    if meta.permissions().readonly() {
        return Err("it is read-only".to_string());
    }
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return Err("it has no folder".to_string());
    };
    // `.md.tmp`: neither chant nor chant-lsp's server reads such a file as a spec.
    let tmp = dir.join(format!(".{}.chant-lsp-fix-{}.md.tmp", name.to_string_lossy(), std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(new.as_bytes())?;
        f.set_permissions(meta.permissions())?;
        f.sync_all()
    })();
    let unchanged = || {
        crate::io::read::read(&target, crate::io::read::Known::Nothing, crate::analysis::facts::caps::SPEC)
            .is_ok_and(|now| now == old)
    };
    let result = match written {
        Err(e) => Err(format!("cannot write {}: {e}", tmp.display())),
        // As late as possible: the file still holds what the fixes were computed from.
        Ok(()) if !unchanged() => Err("it changed since it was read".to_string()),
        Ok(()) => std::fs::rename(&tmp, &target).map_err(|e| format!("cannot replace it: {e}")),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A unified diff of one file (`a/` and `b/` prefixes, so `git apply` takes it).
fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

fn problems(n: usize) -> String {
    format!("{n} problem{}", if n == 1 { "" } else { "s" })
}

/// What `--fix` changed and what it could not: one line per file, then a total.
pub fn report(fixes: &[FileFix]) -> String {
    let mut out = String::new();
    let (mut fixed, mut files) = (0, 0);
    for f in fixes {
        let titles: Vec<String> = f.applied.iter().map(|a| escaped(&a.title).into_owned()).collect();
        match &f.result {
            FileResult::Skipped(why) => {
                let _ = writeln!(out, "not fixed {}: {why}", escaped(&f.path));
            }
            FileResult::Written | FileResult::Diff(_) => {
                fixed += f.applied.len();
                files += 1;
                let _ = writeln!(out, "fixed {}: {}", escaped(&f.path), titles.join("; "));
                if !f.settled {
                    let _ = writeln!(
                        out,
                        "  fixes kept coming after {} rounds: run `check --fix` again",
                        fix::ROUNDS
                    );
                }
            }
        }
    }
    if fixed == 0 {
        out.push_str("fix: nothing to fix\n");
    } else {
        let _ = writeln!(
            out,
            "fix: {} fixed in {files} file{}",
            problems(fixed),
            if files == 1 { "" } else { "s" }
        );
    }
    out
}

/// `--diff`: the diffs (stdout) and what they would fix (stderr).
pub fn diff_report(fixes: &[FileFix]) -> (String, String) {
    let mut diffs = String::new();
    let mut notes = String::new();
    let (mut fixed, mut files) = (0, 0);
    for f in fixes {
        match &f.result {
            FileResult::Diff(d) => {
                diffs.push_str(d);
                fixed += f.applied.len();
                files += 1;
            }
            FileResult::Skipped(why) => {
                let _ = writeln!(notes, "not fixed {}: {why}", escaped(&f.path));
            }
            FileResult::Written => {}
        }
    }
    let _ =
        writeln!(notes, "would fix {} in {files} file{}", problems(fixed), if files == 1 { "" } else { "s" });
    (diffs, notes)
}

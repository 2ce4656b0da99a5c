//! `path:line` references in the body: the file must exist and be long enough. Only
//! references whose path has a folder (`src/a.rs:3`) or names an existing file are
//! checked: a bare `main.go:7` may be an example rather than a project file.

use super::super::diagnostic::{Code, Diagnostic};
use super::super::facts::{normalize_link, FileKind, LinkPath};
use super::super::spec::{Context, SpecFile};

pub fn check(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    for r in &f.body.line_refs {
        let LinkPath::Relative(path) = normalize_link(&r.path) else { continue };
        let lines = if r.lines.0 == r.lines.1 {
            format!("line {}", r.lines.0)
        } else {
            format!("lines {}-{}", r.lines.0, r.lines.1)
        };
        match ctx.facts.kind(&path) {
            Some(FileKind::File) => {
                let Some(count) = ctx.facts.line_count(&path) else { continue };
                if r.lines.1 as usize > count {
                    out.push(Diagnostic::new(
                        Code::BrokenLineRef,
                        r.range.clone(),
                        format!(
                            "`{path}` has {count} line{}: {lines} is past its end (the code moved or was deleted)",
                            if count == 1 { "" } else { "s" }
                        ),
                    ));
                }
            }
            Some(FileKind::Outside) => out.push(Diagnostic::new(
                Code::PathOutsideProject,
                r.range.clone(),
                format!(
                    "`{path}` leads out of the project through a symbolic link: chant-lsp does not read it"
                ),
            )),
            Some(FileKind::Dir | FileKind::Special(_) | FileKind::Unreadable(_)) => {}
            None if path.contains('/') => out.push(Diagnostic::new(
                Code::BrokenLineRef,
                r.range.clone(),
                format!("`{path}` does not exist: the reference to its {lines} points nowhere"),
            )),
            None => {}
        }
    }
}

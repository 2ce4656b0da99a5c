//! Target `project`: the fuzzer's bytes are a small project (a config and up to eight
//! spec files, some of them unreadable) analysed whole, then a sequence of file events
//! (a spec or a linked file changed, created, turned unreadable or removed) applied to
//! the workspace one at a time as the language server applies them. After every event
//! the workspace must equal a fresh check of the same files (`tests/incremental.rs`
//! compares the same way), and `Workspace::update` must have named every spec whose
//! diagnostics changed (the server republishes only those).
//!
//! The bytes are parts split at `0xFF`: the config text (an empty part: no config),
//! then one part per file event, `[op] text…`. `op & 0x0F` picks the path ([`PATHS`]);
//! `op >> 4 & 3` what is there: 0 and 1 the text, 2 a FIFO, 3 a link leading outside;
//! `op & 0x80` removes the file. Events before the first `op & 0x40` build the
//! project; that one and every later one is applied as an update.

use std::collections::HashMap;

use chant_lsp::analysis::diagnostic::Diagnostic;
use chant_lsp::analysis::facts::FileKind;
use chant_lsp::analysis::spec::Context;
use chant_lsp::analysis::workspace::{self, Checked, Workspace};
use chant_lsp::lsp::state::links_to;

use super::{check_reports, no_internal_error, parts, Files};

/// The files the events name: specs that depend on each other by short IDs, a group and
/// its members, a nested and an archived spec, and files specs link to.
pub const PATHS: [&str; 12] = [
    ".chant/specs/a.md",
    ".chant/specs/b.md",
    ".chant/specs/c.md",
    ".chant/specs/g.md",
    ".chant/specs/g.1.md",
    ".chant/specs/g.2.md",
    ".chant/specs/sub/e.md",
    ".chant/archive/d.md",
    "docs/x.md",
    "docs/y.md",
    "src/lib.rs",
    ".chant/logs/a.log",
];

/// At most this many events are applied (each one is compared with a fresh check).
const MAX_EVENTS: usize = 24;

struct Event<'a> {
    path: &'static str,
    remove: bool,
    update: bool,
    kind: Option<FileKind>,
    text: &'a [u8],
}

fn event(part: &[u8]) -> Option<Event<'_>> {
    let (&op, text) = part.split_first()?;
    let kind = match op >> 4 & 3 {
        2 => Some(FileKind::Special("a FIFO")),
        3 => Some(FileKind::Outside),
        _ => None,
    };
    Some(Event {
        path: PATHS[usize::from(op & 0x0F) % PATHS.len()],
        remove: op & 0x80 != 0,
        update: op & 0x40 != 0,
        kind,
        text,
    })
}

fn apply(files: &mut Files, e: &Event) {
    match (e.remove, e.kind) {
        (true, _) => files.remove(e.path),
        (false, Some(kind)) => files.set_kind(e.path, kind),
        (false, None) => files.set(e.path, e.text),
    }
}

pub fn project(data: &[u8]) {
    let parts = parts(data);
    let Some((config, events)) = parts.split_first() else { return };
    let mut files = Files::new((!config.is_empty()).then_some(*config));
    let events: Vec<Event> = events.iter().filter_map(|p| event(p)).take(MAX_EVENTS).collect();
    let first_update = events.iter().position(|e| e.update).unwrap_or(events.len());
    for e in &events[..first_update] {
        apply(&mut files, e);
    }
    let (mut ws, facts) = files.workspace();
    check_reports(&ws.checked(&facts), &files);
    for e in &events[first_update..] {
        apply(&mut files, e);
        let (fresh, facts) = files.workspace();
        update(&mut ws, &files, e.path);
        let (now, expected) = (ws.checked(&facts), fresh.checked(&facts));
        check_reports(&now, &files);
        assert_eq!(
            exact(&now),
            exact(&expected),
            "after an event on {}: incremental (left) vs fresh (right)",
            e.path
        );
        assert_eq!((now.active_specs, now.archived_specs), (expected.active_specs, expected.archived_specs));
    }
}

/// What the server does with a file event on `path` (`lsp::changes`: the spec itself
/// re-read or removed, then every spec whose links name the file, `links_to`), on the
/// files as they are now.
fn update(ws: &mut Workspace, files: &Files, path: &str) {
    let facts = files.facts();
    let before: HashMap<String, Vec<Diagnostic>> =
        (0..ws.project.specs.len()).map(|i| (ws.project.specs[i].path.clone(), ws.diagnostics(i))).collect();
    let mut affected: Vec<usize> = Vec::new();
    let mut rebuilt = false;
    // The specs whose links name the file (the server finds them before it reads).
    let linked: Vec<String> = ws
        .project
        .specs
        .iter()
        .filter(|s| s.path != path && links_to(s, path))
        .map(|s| s.path.clone())
        .collect();
    match workspace::classify(path) {
        Some(src) if !files.bytes.contains_key(path) && !files.kinds.contains_key(path) => {
            let was = ws.index_of(path).is_some();
            let changed = ws.remove(path);
            rebuilt |= !changed.is_empty();
            let removed = ws.take_removed();
            assert_eq!(
                removed,
                if was { vec![src.rel.clone()] } else { Vec::new() },
                "removal reported once"
            );
        }
        Some(src) => {
            let n = ws.project.specs.len();
            let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
            let (summary, local) = workspace::analyze_source(&ctx, &src, files.read(path));
            no_internal_error(path, &local);
            affected = ws.update(summary, local);
            rebuilt |= ws.project.specs.len() != n;
        }
        None => {}
    }
    for rel in linked {
        let src = workspace::classify(&rel).expect("a spec path");
        let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
        let (summary, local) = workspace::analyze_source(&ctx, &src, files.read(&rel));
        affected.extend(ws.update(summary, local));
    }
    if rebuilt {
        return;
    }
    for i in 0..ws.project.specs.len() {
        let spec = &ws.project.specs[i].path;
        if before.get(spec) != Some(&ws.diagnostics(i)) {
            assert!(affected.contains(&i), "an event on {path} changed {spec}'s diagnostics, not reported");
        }
    }
}

fn exact(c: &Checked) -> Vec<(String, Vec<Diagnostic>)> {
    c.reports.iter().map(|r| (r.path.clone(), r.diagnostics.clone())).collect()
}

//! Updating a workspace one spec at a time gives exactly what a fresh check of the
//! changed project gives (the language server relies on this for every keystroke).

mod support;

use std::collections::HashMap;

use chant_lsp::analysis::diagnostic::Diagnostic;
use chant_lsp::analysis::spec::Context;
use chant_lsp::analysis::workspace;
use support::Fixture;

const PROJECT: &str = "\
//- .chant/config.md
---
defaults:
  prompt: standard
---
//- .chant/prompts/standard.md
P
//- .chant/specs/a.md
---
depends_on: [b]
---
# A
//- .chant/specs/b.md
---
depends_on: [c]
---
# B
//- .chant/specs/c.md
---
status: completed
---
# C
//- .chant/specs/g.md
---
type: group
---
# G
//- .chant/specs/g.1.md
---
depends_on: [g.2]
---
# G1
//- .chant/specs/g.2.md
---
status: completed
---
# G2
//- docs/x.md
x
";

/// Applies `edits` (path, new text or `None` to delete) one by one to a workspace and
/// compares with a fresh check after each.
fn check_sequence(edits: &[(&str, Option<&str>)]) {
    check_sequence_from(PROJECT, edits);
}

fn check_sequence_from(project: &str, edits: &[(&str, Option<&str>)]) {
    let mut fixture = Fixture::parse(project);
    let (mut ws, _) = fixture.workspace(false);
    for (path, text) in edits {
        match text {
            Some(t) => {
                fixture.files.insert(path.to_string(), t.to_string());
            }
            None => {
                fixture.files.remove(*path);
            }
        }
        let (fresh, facts) = fixture.workspace(false);
        match text {
            Some(t) => {
                let src = workspace::classify(path).expect("a spec path");
                let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
                let (summary, local) = workspace::analyze_source(&ctx, &src, Ok(t.as_bytes()));
                let before: HashMap<String, Vec<Diagnostic>> = (0..ws.project.specs.len())
                    .map(|i| (ws.project.specs[i].path.clone(), ws.diagnostics(i)))
                    .collect();
                let affected = ws.update(summary, local);
                // The server republishes only what `update` names: it must name every
                // spec whose diagnostics changed.
                for i in 0..ws.project.specs.len() {
                    let spec = &ws.project.specs[i].path;
                    if before.get(spec) != Some(&ws.diagnostics(i)) {
                        assert!(affected.contains(&i), "editing {path} changed {spec}, not reported");
                    }
                }
            }
            None => {
                ws.remove(path);
                assert_eq!(ws.take_removed(), vec![path.to_string()], "the removal is reported once");
                assert!(ws.take_removed().is_empty());
            }
        }
        let (now, expected) = (ws.checked(&facts), fresh.checked(&facts));
        assert_eq!(fixture.render(&now), fixture.render(&expected), "after editing {path}");
        // Exactly equal, fixes and all.
        let exact = |c: &workspace::Checked| -> Vec<(String, Vec<Diagnostic>)> {
            c.reports.iter().map(|r| (r.path.clone(), r.diagnostics.clone())).collect()
        };
        assert_eq!(exact(&now), exact(&expected), "after editing {path}");
    }
}

#[test]
fn edits_creations_and_deletions_match_a_fresh_check() {
    check_sequence(&[
        // Close a cycle, then break it elsewhere.
        (".chant/specs/c.md", Some("---\nstatus: pending\ndepends_on: [a]\n---\n# C\n")),
        (".chant/specs/b.md", Some("---\ndepends_on: []\n---\n# B\n")),
        // A dependency becomes unreadable, then cancelled.
        (".chant/specs/b.md", Some("---\nstatus: ??\n---\n# B\n")),
        (".chant/specs/b.md", Some("---\nstatus: cancelled\n---\n# B\n")),
        // The later sibling reopens: deadlock appears.
        (".chant/specs/g.2.md", Some("---\nstatus: pending\n---\n# G2\n")),
        // A new spec fixes an unknown dependency; deleting it breaks it again.
        (".chant/specs/a.md", Some("---\ndepends_on: [n]\n---\n# A\n")),
        (".chant/specs/n.md", Some("---\n---\n# N\n")),
        (".chant/specs/n.md", None),
        // Deleting the driver orphans its members.
        (".chant/specs/g.md", None),
        (".chant/specs/a.md", Some("---\ncontext: [docs/x.md, docs/y.md]\n---\n#A\n")),
    ]);
}

/// Two separate cycles (p ↔ q, r ↔ s), a chain into them (t → p) and a finished cycle
/// (u ↔ v), for edits that merge, split, break and re-form cycles.
const CYCLES: &str = "\
//- .chant/config.md
---
defaults:
  prompt: standard
---
//- .chant/prompts/standard.md
P
//- .chant/specs/p.md
---
depends_on: [q]
---
# P
//- .chant/specs/q.md
---
depends_on: [p]
---
# Q
//- .chant/specs/r.md
---
depends_on: [s]
---
# R
//- .chant/specs/s.md
---
depends_on: [r]
---
# S
//- .chant/specs/t.md
---
depends_on: [p]
---
# T
//- .chant/specs/u.md
---
status: completed
depends_on: [v]
---
# U
//- .chant/specs/v.md
---
status: completed
depends_on: [u]
---
# V
";

#[test]
fn cycles_merge_split_break_and_reform_as_a_fresh_check_finds_them() {
    check_sequence_from(
        CYCLES,
        &[
            // q also waits for r: no new cycle, r ↔ s stays apart.
            (".chant/specs/q.md", Some("---\ndepends_on: [p, r]\n---\n# Q\n")),
            // s waits for q: the two cycles merge into one of four specs.
            (".chant/specs/s.md", Some("---\ndepends_on: [r, q]\n---\n# S\n")),
            // Lines above an edge move the ranges every other finding points at.
            (".chant/specs/r.md", Some("---\nlabels: [x]\ndepends_on: [s]\n---\n# R\n")),
            // q stops waiting for r: the four fall apart into p ↔ q and r ↔ s again.
            (".chant/specs/q.md", Some("---\ndepends_on: [p]\n---\n# Q\n")),
            // p waits for t too: t joins the cycle through the chain t → p.
            (".chant/specs/p.md", Some("---\ndepends_on: [q, t]\n---\n# P\n")),
            // p becomes unreadable: every edge into and out of it disappears.
            (".chant/specs/p.md", Some("---\nstatus: ??\ndepends_on: [q, t]\n---\n# P\n")),
            (".chant/specs/p.md", Some("---\ndepends_on: [q, t]\n---\n# P\n")),
            // Defaults (no frontmatter): chant sees no dependencies.
            (".chant/specs/t.md", Some("# T\n")),
            (".chant/specs/t.md", Some("---\ndepends_on: [p, p]\n---\n# T\n")),
            // A finished cycle reopened is an error, finished again a warning.
            (".chant/specs/u.md", Some("---\nstatus: pending\ndepends_on: [v]\n---\n# U\n")),
            (".chant/specs/u.md", Some("---\nstatus: cancelled\ndepends_on: [v]\n---\n# U\n")),
            // A self-dependency is no cycle.
            (".chant/specs/v.md", Some("---\nstatus: completed\ndepends_on: [v]\n---\n# V\n")),
            (".chant/specs/v.md", Some("---\nstatus: completed\ndepends_on: [v, u]\n---\n# V\n")),
            // A spec on a cycle is deleted, then comes back; a new spec closes a cycle.
            (".chant/specs/q.md", None),
            (".chant/specs/q.md", Some("---\ndepends_on: [p]\n---\n# Q\n")),
            (".chant/specs/w.md", Some("---\ndepends_on: [r]\n---\n# W\n")),
            (".chant/specs/r.md", Some("---\ndepends_on: [s, w]\n---\n# R\n")),
            // A second file with r's ID (chant resolves the ID to the first one).
            (".chant/specs/sub/r.md", Some("---\ndepends_on: [s]\n---\n# R2\n")),
            (".chant/specs/sub/r.md", Some("---\ndepends_on: [w]\n---\n# R2\n")),
            (".chant/specs/w.md", Some("---\n---\n# W\n")),
        ],
    );
}

#[test]
fn random_edits_of_a_dependency_graph_match_a_fresh_check() {
    // A deterministic xorshift sequence of edits over eight specs: new dependencies
    // (some unknown or on themselves), statuses, unreadable frontmatter, moved lines.
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let mut project = String::from("//- .chant/config.md\n---\ndefaults:\n  prompt: standard\n---\n");
    for n in names {
        project.push_str(&format!("//- .chant/specs/{n}.md\n---\n---\n# {n}\n"));
    }
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below) as usize
    };
    let mut edits: Vec<(String, String)> = Vec::new();
    for _ in 0..400 {
        let n = names[next(names.len() as u64)];
        let deps: Vec<&str> = (0..next(4))
            .map(|_| if next(10) == 0 { "zz" } else { names[next(names.len() as u64)] })
            .collect();
        let status = ["pending", "pending", "completed", "cancelled", "??"][next(5)];
        let pad = if next(2) == 0 { "labels: [x]\n" } else { "" };
        edits.push((
            format!(".chant/specs/{n}.md"),
            format!("---\n{pad}status: {status}\ndepends_on: [{}]\n---\n# {n}\n", deps.join(", ")),
        ));
    }
    let edits: Vec<(&str, Option<&str>)> =
        edits.iter().map(|(p, t)| (p.as_str(), Some(t.as_str()))).collect();
    check_sequence_from(&project, &edits);
}

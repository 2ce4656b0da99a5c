//! Updating a workspace one spec at a time gives exactly what a fresh check of the
//! changed project gives (the language server relies on this for every keystroke).

mod support;

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
    let mut fixture = Fixture::parse(PROJECT);
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
                ws.update(summary, local);
            }
            None => {
                ws.remove(path);
            }
        }
        assert_eq!(
            fixture.render(&ws.checked(&facts)),
            fixture.render(&fresh.checked(&facts)),
            "after editing {path}"
        );
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

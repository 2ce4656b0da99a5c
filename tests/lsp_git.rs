//! A spec's life in git over the protocol: the real server on a repository made as
//! chant makes it (tests/support/git.rs): git findings published, the git part of a
//! spec's hover and lenses, a `commits:` hash hovered, and a new commit noticed; a run of
//! the fake chant (which branches and commits as chant does) and its `chant merge`.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::Duration;

use support::git::{lifecycle, GitRepo, A, DAY, T0};
use support::lsp::{neovim_caps, uri, Server, TIMEOUT};
use support::project::Project;
use support::requests::{hover_text, is_progress, wait_lenses};
use support::runs::WAIT;

fn drift_messages(d: &serde_json::Value) -> Vec<String> {
    d["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == "drift")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn git_facts_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let (root, _) = lifecycle(dir.path());
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (mut s, _) = Server::start(&root, &home, neovim_caps(), serde_json::Value::Null);
    s.wait_for(0, TIMEOUT, |m| is_progress(m, "end")).expect("loaded");
    let a = uri(&root.join(format!(".chant/specs/{A}.md")));
    let text = std::fs::read_to_string(root.join(format!(".chant/specs/{A}.md"))).unwrap();
    s.open(&root.join(format!(".chant/specs/{A}.md")), &text, 1);

    // Published: drift on both tracked entries, the unknown hash.
    let d = s.wait_diagnostics(&a, TIMEOUT, |d| drift_messages(d).len() == 2);
    assert_eq!(drift_messages(&d).len(), 2, "{d:#}");
    assert!(Server::codes(&d).contains(&"unknown-commit".to_string()), "{d:#}");

    // The spec's hover and lenses carry its git state.
    let title_line = text.lines().position(|l| l.starts_with("# ")).unwrap() as u32;
    let h = hover_text(&mut s, &a, title_line, 3);
    assert!(h.contains(&format!("**git**: branch `chant/{A}`, merged into `main`")), "{h}");
    assert!(h.contains("5 commits, newest `") && h.contains(&format!("'chant({A}): follow-up'")), "{h}");
    let lenses = wait_lenses(&mut s, &a, |l| l.iter().any(|t| t.starts_with('⎇')));
    assert!(
        lenses.iter().any(|t| t.starts_with(&format!("⎇ chant/{A} (merged) · worktree · 5 commits"))),
        "{lenses:?}"
    );

    // A hash in `commits:`: the commit and the files it changed.
    let hash_line = text.lines().position(|l| l.starts_with("commits:")).unwrap() as u32 + 2;
    let h = hover_text(&mut s, &a, hash_line, 3);
    assert!(h.starts_with(&format!("**chant({A}): Rewrite the store**")), "{h}");
    assert!(h.contains("Ada Tester") && h.contains("2026-01-01 02:00 UTC"), "{h}");
    assert!(h.contains("1 file changed:\n- `src/store.rs` +1 −1"), "{h}");

    // A new commit that changes a tracked file is noticed (file events on `.git/`).
    let g = GitRepo { repo: git2::Repository::open(&root).unwrap(), root: root.clone() };
    std::fs::write(root.join("docs/guide.md"), "# Guide\n\nRewritten.\n").unwrap();
    let edit = g.commit("Edit the guide", T0 + 3 * DAY);
    let d = s.wait_diagnostics(&a, Duration::from_secs(20), |d| {
        drift_messages(d).iter().any(|m| m.contains("docs/guide.md changed in 1 commit"))
    });
    let messages = drift_messages(&d);
    assert!(
        messages.iter().any(|m| m.contains(&format!(
            "docs/guide.md changed in 1 commit (newest: `{}` 'Edit the guide'",
            &edit[..7]
        ))),
        "{messages:#?}"
    );
    assert_eq!(s.stop(), Some(0));
}

const RUN: &str = "\
//- .chant/config.md
---
project:
  name: merging
defaults:
  prompt: standard
---
//- .chant/prompts/standard.md
Do {{spec.id}}.
//- .chant/specs/2026-03-01-001-mmm.md
---
type: code
status: pending
---
# Land the agent's work

The work of the agent reaches the main branch once the branch is merged.

## Acceptance Criteria

- [ ] The work file is on the main branch
- [ ] The spec stays completed after the merge
";

const M: &str = "2026-03-01-001-mmm";

fn has(d: &serde_json::Value, code: &str) -> bool {
    Server::codes(d).contains(&code.to_string())
}

/// A run from the editor leaves the spec's branch unmerged (a hint); `chant merge`, which
/// the Merge action runs, merges it with a merge commit (main moved: the transcript), and
/// the server notices.
#[test]
fn a_run_from_the_editor_then_chant_merge() {
    let env = Project::new(RUN, true);
    let mut s = env.server(neovim_caps(), &[("FAKE_CHANT_LINES", "1"), ("FAKE_CHANT_DELAY", "0")]);
    let m = env.spec_uri(M);
    env.run_to_end(&mut s, M);
    let d = s.wait_diagnostics(&m, WAIT, |d| has(d, "unmerged-branch"));
    assert!(d.to_string().contains(&format!("`chant merge {M}` merges it")), "{d:#}");

    let said = env.chant(&["merge", M, "--yes"], &[]);
    assert!(said.contains(&format!("Merged {M}")), "{said}");
    assert_eq!(env.head(), ("main".to_string(), format!("Merge chant/{M}")));
    assert!(env.root.join(format!("work/{M}.txt")).is_file());
    // The spec conflicted (in_progress on the branch): main's completed copy is kept.
    assert_eq!(env.status(M), "completed");
    s.wait_diagnostics(&m, WAIT, |d| !has(d, "unmerged-branch"));
    let merged = format!("⎇ chant/{M} (merged) · worktree · ");
    let l = wait_lenses(&mut s, &m, |l| l.iter().any(|t| t.starts_with(&merged)));
    assert!(l.iter().any(|t| t.starts_with(&merged)), "{l:?}");
    // Merging again changes nothing.
    assert!(env.chant(&["merge", M, "--yes"], &[]).contains("already merged"));
    assert_eq!(env.head().1, format!("Merge chant/{M}"));
    assert_eq!(s.stop(), Some(0));
}

/// The fake's merge fast-forwards when the main branch has not moved since the branch
/// was made.
#[test]
fn chant_merge_fast_forwards_when_it_can() {
    let env = Project::new(RUN, true);
    env.chant(&["work", M], &[("FAKE_CHANT_LINES", "1"), ("FAKE_CHANT_DELAY", "0")]);
    assert_eq!(env.head().1, format!("chant: Record agent transcript for {M}"));
    // Drop the transcript commit (and the spec's changes): main is back where the branch began.
    let repo = git2::Repository::open(&env.root).unwrap();
    let start = repo.head().unwrap().peel_to_commit().unwrap().parent(0).unwrap();
    repo.reset(start.as_object(), git2::ResetType::Hard, None).unwrap();
    let said = env.chant(&["merge", M, "--yes"], &[]);
    assert!(said.contains("fast-forwarded"), "{said}");
    assert_eq!(env.head(), ("main".to_string(), format!("chant({M}): record the agent's 1 steps")));
    assert_eq!(env.chant_commits(M).len(), 2);
}

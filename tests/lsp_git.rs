//! A spec's life in git over the protocol: the real server on a repository made as
//! chant makes it (tests/support/git.rs): git findings published, the git part of a
//! spec's hover and lenses, a `commits:` hash hovered, and a new commit noticed; a run of
//! the fake chant (which branches and commits as chant does) and its `chant merge`.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::Duration;

use serde_json::json;
use support::git::{lifecycle, GitRepo, A, DAY, F, T0};
use support::lsp::{neovim_caps, uri, Server, TIMEOUT};
use support::project::Project;
use support::requests::{code_actions, hover_text, is_progress, titled, wait_lenses, with_code};
use support::runs::{wait_begin, wait_end, WAIT};

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

    // "Show changes": the spec's own commits, as a unified diff in a read-only file.
    let actions = code_actions(&mut s, &a, None, json!([]));
    let show = titled(&actions, &format!("Show the changes of {A}'s commits"));
    let r = s.request("workspace/executeCommand", show["command"].clone());
    let own = std::fs::read_to_string(r["file"].as_str().unwrap()).unwrap();
    assert!(
        own.contains(&format!("    chant({A}): Rewrite the store"))
            && own.contains("+fn store() { /* rewritten */ }"),
        "{own}"
    );
    assert!(!own.contains("Fix lock order"), "{own}");
    assert!(std::fs::metadata(r["file"].as_str().unwrap()).unwrap().permissions().readonly());

    // The same, file by file, for a diff view (`chant-lsp/changes`): each file before the
    // spec's first commit that changed it and after its last one.
    let pairs = s.request("chant-lsp/changes", json!({ "uri": a }));
    let file = |pairs: &serde_json::Value, path: &str| {
        pairs["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .cloned()
            .unwrap_or_else(|| panic!("{path} not in {pairs:#}"))
    };
    assert_eq!(pairs["title"], format!("{A}: changes of its 4 commits"), "{pairs:#}");
    let store = file(&pairs, "src/store.rs");
    assert_eq!(
        (store["before"].as_str(), store["after"].as_str()),
        (Some("fn store() {}\n"), Some("fn store() { /* rewritten */ }\n"))
    );
    assert_eq!(store["uri"], json!(uri(&root.join("src/store.rs"))));
    let guide = file(&pairs, "docs/guide.md");
    assert_eq!(
        (guide["before"].as_str(), guide["after"].as_str()),
        (Some("# Guide\n"), Some("# Guide\n\nMore.\n"))
    );
    // Drift: others' commits since completion, and uncommitted changes (the working tree).
    let pairs = s.request("chant-lsp/changes", json!({ "uri": a, "path": "src/store.rs" }));
    let store = file(&pairs, "src/store.rs");
    assert_eq!(
        (store["before"].as_str(), store["after"].as_str()),
        (Some("fn store() { /* rewritten */ }\n"), Some("fn store() { /* fixed */ }\n"))
    );
    assert_eq!(pairs["files"].as_array().unwrap().len(), 1, "{pairs:#}");
    let pairs = s.request("chant-lsp/changes", json!({ "uri": a, "path": "docs/**/*.md" }));
    let api = file(&pairs, "docs/api.md");
    assert_eq!(
        (api["before"].as_str(), api["after"].as_str()),
        (Some("# API\n"), Some("# API\n\nChanged.\n"))
    );
    let refused = s.request("chant-lsp/changes", json!({ "uri": a, "path": "nope.md" }));
    assert!(
        refused["refused"]
            .as_str()
            .unwrap()
            .contains("has no `tracks`, `origin` or `informed_by` entry `nope.md`"),
        "{refused}"
    );

    // The drift quick fix: only what others changed since completion, then what is
    // not committed.
    let published = s.diagnostics(&a).unwrap().clone();
    let drift = with_code(&published, "drift");
    let fixes = code_actions(&mut s, &a, Some(&["quickfix"]), json!(drift));
    let show = titled(&fixes, "Show what changed in src/store.rs since the spec completed");
    let r = s.request("workspace/executeCommand", show["command"].clone());
    let changed = std::fs::read_to_string(r["file"].as_str().unwrap()).unwrap();
    assert!(
        changed.contains("    Fix lock order") && changed.contains("+fn store() { /* fixed */ }"),
        "{changed}"
    );
    assert!(!changed.contains("Rewrite the store"), "{changed}");
    // Re-run: back to pending (chant work refuses completed specs), on the status value.
    let rerun = titled(&fixes, &format!("Re-run {A}: set its status back to pending"));
    let edit = rerun["edit"].to_string();
    assert!(edit.contains("\"newText\":\"pending\""), "{edit}");
    assert!(
        edit.contains(
            "\"range\":{\"start\":{\"line\":1,\"character\":8},\"end\":{\"line\":1,\"character\":17}}"
        ),
        "{edit}"
    );
    let show = titled(&fixes, "Show what changed in docs/**/*.md since the spec completed");
    let r = s.request("workspace/executeCommand", show["command"].clone());
    let changed = std::fs::read_to_string(r["file"].as_str().unwrap()).unwrap();
    assert!(changed.contains("Uncommitted changes:") && changed.contains("+Changed."), "{changed}");
    assert!(!changed.contains("follow-up"), "own commits are not drift: {changed}");

    // Merge: offered for the completed spec whose branch is unmerged, refused while the
    // working tree has uncommitted changes (chant merge checks out main there).
    let f = uri(&root.join(format!(".chant/specs/{F}.md")));
    let actions = code_actions(&mut s, &f, None, json!([]));
    let merge = titled(
        &actions,
        &format!("Merge chant/{F} into main (chant merge; checks out main in your working tree)"),
    );
    // (Neovim shows no disabled actions: the reason is in the title.)
    let title = merge["title"].as_str().unwrap();
    assert!(
        title.contains(
            "— not now: chant merge checks out `main` in your working tree, which has uncommitted changes in"
        ),
        "{title}"
    );

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

/// `path:line` references are links to that line, and go-to-definition lands on it.
#[test]
fn line_references_link_to_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    support::git::write_in(&root, ".chant/config.md", support::git::config());
    support::git::write_in(&root, ".chant/prompts/standard.md", "# Standard\n");
    support::git::write_in(&root, "src/lib.rs", "one\ntwo\nthree\nfour\n");
    let text = "---\nstatus: pending\n---\n# Look\n\nSee src/lib.rs:2-3 and src/lib.rs:9.\n";
    support::git::write_in(&root, &format!(".chant/specs/{A}.md"), text);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (mut s, _) = Server::start(&root, &home, neovim_caps(), serde_json::Value::Null);
    s.wait_for(0, TIMEOUT, |m| is_progress(m, "end")).expect("loaded");
    let spec = root.join(format!(".chant/specs/{A}.md"));
    let a = uri(&spec);
    s.open(&spec, text, 1);
    let d = s.wait_diagnostics(&a, TIMEOUT, |d| Server::codes(d).contains(&"broken-line-ref".to_string()));
    let broken: Vec<&serde_json::Value> =
        d["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "broken-line-ref").collect();
    assert_eq!(broken.len(), 1, "{d:#}");
    assert_eq!(broken[0]["range"]["start"], json!({ "line": 5, "character": 23 }), "{d:#}");
    let links = s.request("textDocument/documentLink", json!({ "textDocument": { "uri": a } }));
    let targets: Vec<&str> = links.as_array().unwrap().iter().filter_map(|l| l["target"].as_str()).collect();
    let lib = uri(&root.join("src/lib.rs"));
    assert_eq!(targets, [format!("{lib}#L2"), format!("{lib}#L9")], "{links:#}");
    let def = s.request("textDocument/definition", support::requests::at(&a, 5, 8));
    assert_eq!(def["uri"], lib, "{def:#}");
    assert_eq!(
        def["range"],
        json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 2, "character": 5 } }),
        "{def:#}"
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

    // The Merge action the hint offers runs `chant merge <ID> --yes` (once the git facts
    // after the run are read, the working tree is clean and the action is enabled).
    let deadline = std::time::Instant::now() + WAIT;
    let merge = loop {
        let actions = code_actions(&mut s, &m, None, json!([]));
        let merge = titled(&actions, &format!("Merge chant/{M} into main")).clone();
        if merge["command"]["command"] == "chant.merge" || std::time::Instant::now() > deadline {
            break merge;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(merge["command"]["command"], "chant.merge", "{merge:#}");
    let from = s.received.len();
    let r = s.request("workspace/executeCommand", merge["command"].clone());
    assert_eq!(r["started"], M, "{r}");
    assert_eq!(r["command"], json!(["merge", M, "--yes"]), "{r}");
    let (begin, token) = wait_begin(&mut s, from, M);
    wait_end(&mut s, begin, &token);
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

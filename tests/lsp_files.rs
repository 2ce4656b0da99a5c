//! Files changing outside the editor, over the protocol: created link targets,
//! deleted specs, a mass rewrite coalesced into one update, with the client's file
//! watching (VS Code style) and with the server's own watcher (Neovim style).

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::base;
use support::lsp::{neovim_caps, uri, vscode_caps, Server};
use support::project::Project;

const PROJECT: &str = concat!(
    base!(),
    "\
//- .chant/specs/2026-01-02-001-bbb.md
---
type: research
depends_on: [2026-01-01-001-aaa]
informed_by: [docs/input.md]
target_files: [docs/out.md]
---
# B

## Acceptance Criteria

- [ ] Add a
- [ ] Test b
"
);

const WAIT: Duration = Duration::from_secs(10);

const BBB: &str = "2026-01-02-001-bbb";

fn setup(caps: Value) -> (Project, Server) {
    let p = Project::new(PROJECT, false);
    let s = p.loaded(caps);
    (p, s)
}

/// Tells the server about changed files the way VS Code does.
fn notify_changes(s: &mut Server, changes: &[(&std::path::Path, u32)]) {
    let changes: Vec<Value> = changes.iter().map(|(p, t)| json!({ "uri": uri(p), "type": t })).collect();
    s.notify("workspace/didChangeWatchedFiles", json!({ "changes": changes }));
}

fn creating_the_missing_link_target_clears_it(caps: Value, client_watches: bool) {
    let (p, mut s) = setup(caps);
    s.wait_diagnostics(&p.spec_uri(BBB), WAIT, |d| Server::codes(d) == vec!["missing-file"]);
    let target = p.root.join("docs/input.md");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, "# Input\n").unwrap();
    let started = Instant::now();
    if client_watches {
        notify_changes(&mut s, &[(&target, 1)]);
    }
    s.wait_diagnostics(&p.spec_uri(BBB), WAIT, |d| Server::codes(d).is_empty());
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "cleared after {took:?}");
}

#[test]
fn created_file_clears_its_diagnostic_with_client_watching() {
    creating_the_missing_link_target_clears_it(vscode_caps(), true);
}

#[test]
fn created_file_clears_its_diagnostic_with_server_watching() {
    creating_the_missing_link_target_clears_it(neovim_caps(), false);
}

#[test]
fn deleting_a_spec_breaks_its_dependents_and_clears_it() {
    let (p, mut s) = setup(neovim_caps());
    let a = p.spec("2026-01-01-001-aaa");
    // Give A something to clear later: a finding of its own.
    std::fs::write(&a, "---\nstatus: completed\nfoo: 1\n---\n# A\n").unwrap();
    s.wait_diagnostics(&uri(&a), WAIT, |d| Server::codes(d).contains(&"unknown-key".to_string()));
    std::fs::remove_file(&a).unwrap();
    s.wait_diagnostics(&p.spec_uri(BBB), WAIT, |d| {
        Server::codes(d).contains(&"unknown-dependency".to_string())
    });
    s.wait_diagnostics(&uri(&a), WAIT, |d| Server::codes(d).is_empty());
    // Bringing it back fixes B again.
    std::fs::write(&a, "---\nstatus: completed\n---\n# A\n").unwrap();
    s.wait_diagnostics(&p.spec_uri(BBB), WAIT, |d| {
        !Server::codes(d).contains(&"unknown-dependency".to_string())
    });
}

#[test]
fn a_checkout_of_many_specs_is_one_update() {
    let (p, mut s) = setup(vscode_caps());
    let before = s.received.len();
    let mut paths = Vec::new();
    for i in 0..1000 {
        let path = p.spec(&format!("2026-02-01-{i:03}-new"));
        // Each new spec depends on the one before; the last one breaks A's dependents.
        let dep =
            if i == 0 { "2026-01-01-001-aaa".to_string() } else { format!("2026-02-01-{:03}-new", i - 1) };
        std::fs::write(&path, format!("---\ndepends_on: [{dep}]\n---\n# New {i}\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n")).unwrap();
        paths.push(path);
    }
    std::fs::write(p.spec("2026-02-01-999-bad"), "---\nstatus: nope\n---\n# Bad\n").unwrap();
    // Like `git checkout`: the client reports the files in a few batches.
    for chunk in paths.chunks(250) {
        let changes: Vec<(&std::path::Path, u32)> = chunk.iter().map(|p| (p.as_path(), 1)).collect();
        notify_changes(&mut s, &changes);
    }
    notify_changes(&mut s, &[(&p.spec("2026-02-01-999-bad"), 1)]);
    let bad = uri(&p.spec("2026-02-01-999-bad"));
    s.wait_diagnostics(&bad, WAIT, |d| Server::codes(d) == vec!["invalid-value"]);
    s.drain(Duration::from_millis(500));
    let after = &s.received[before..];
    let publishes = after.iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").count();
    let reloads = after.iter().filter(|m| m["params"]["value"]["kind"] == "begin").count();
    // The server gathers events until they pause for 60 ms (at most 400 ms). The client's
    // notifications follow each other at once, so one reload is the rule; on a starved machine
    // (both cores busy with two test suites) the server has read them more than 60 ms apart
    // and reloaded twice (1 run in 22). Never once per notification, let alone per file.
    assert!((1..=2).contains(&reloads), "{reloads} reloads for 5 notifications of 1,001 files");
    // Clean new specs are never published; only the broken one is.
    assert_eq!(publishes, 1, "{publishes} publishes");
}

/// `chant-lsp.toml` at the project root selects the codes shown, is read again when it
/// changes (through the server's watcher here), and names what it cannot use; the
/// editor's `diagnostics.ignore` replaces the file's `ignore`.
#[test]
fn project_file_selects_codes_and_is_read_again_when_it_changes() {
    let p = Project::new(&format!("{PROJECT}//- chant-lsp.toml\nignore = [\"missing-file\"]\n"), false);
    let mut s = p.loaded(neovim_caps());
    s.drain(Duration::from_millis(300));
    let bbb = p.spec_uri(BBB);
    assert!(s.diagnostics(&bbb).is_none_or(|d| Server::codes(d).is_empty()), "{:?}", s.diagnostics(&bbb));
    std::fs::write(p.root.join("chant-lsp.toml"), "ignore = []\n").unwrap();
    s.wait_diagnostics(&bbb, WAIT, |d| Server::codes(d) == vec!["missing-file"]);
    let from = s.received.len();
    std::fs::write(p.root.join("chant-lsp.toml"), "ignore = [\"missing-file\", \"misssing-file\"]\n")
        .unwrap();
    s.wait_diagnostics(&bbb, WAIT, |d| Server::codes(d).is_empty());
    let warned = s.wait_for(from, WAIT, |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"].as_str().is_some_and(|t| {
                t.contains("chant-lsp.toml: `ignore`: unknown diagnostic code `misssing-file` (did you mean `missing-file`?)")
            })
    });
    assert!(warned.is_some(), "no warning about the unknown code");

    // The editor's list replaces the file's.
    let (mut s, _) = p.start(neovim_caps(), json!({ "diagnostics": { "ignore": [] } }));
    s.wait_diagnostics(&bbb, WAIT, |d| Server::codes(d) == vec!["missing-file"]);
}

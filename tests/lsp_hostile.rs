//! Hostile files over the protocol (issue 12): the real server on projects holding FIFOs,
//! links out of the project and documents past the size cap answers every request, never
//! shows what lies outside the project, and still shuts down.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::path::{Path, PathBuf};

use chant_lsp::analysis::facts::caps;
use serde_json::{json, Value};
use support::base;
use support::lsp::{uri, vscode_caps, Server, TIMEOUT};
use support::project::Project;
use support::requests::{at, hover_text};

const MARKER: &str = "OUTSIDE-MARKER-93c2";

const B: &str = "2026-01-02-001-bbb";

const PROJECT: &str = concat!(
    base!(),
    "\
//- .chant/specs/2026-01-02-001-bbb.md
---
informed_by:
- docs/pipe.md
- docs/secret.md
- \"docs/ext/*.md\"
---
# B

## Acceptance Criteria

- [ ] Add a
- [ ] Test b
"
);

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::S_IRWXU).unwrap();
}

/// The project, with `outside/` next to it holding marker files, linked from inside.
fn hostile() -> (Project, PathBuf) {
    let p = Project::new(PROJECT, false);
    let outside = p.root.parent().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.md"), format!("# {MARKER}\n{MARKER}\n")).unwrap();
    std::fs::write(outside.join(format!("{MARKER}.md")), MARKER).unwrap();
    std::fs::create_dir_all(p.root.join("docs")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.md"), p.root.join("docs/secret.md")).unwrap();
    std::os::unix::fs::symlink(&outside, p.root.join("docs/ext")).unwrap();
    mkfifo(&p.root.join("docs/pipe.md"));
    mkfifo(&p.spec("2026-01-02-002-pipe"));
    (p, outside)
}

#[test]
fn fifos_and_links_out_never_block_or_leak() {
    let (p, _outside) = hostile();
    let mut s = p.loaded(vscode_caps());
    let b = p.spec_uri(B);
    let pipe = hover_text(&mut s, &b, 2, 4);
    assert!(pipe.contains("a FIFO"), "{pipe}");
    let secret = hover_text(&mut s, &b, 3, 4);
    assert!(secret.contains("outside the project") && !secret.contains(MARKER), "{secret}");
    let glob = hover_text(&mut s, &b, 4, 6);
    assert!(glob.contains("skipped `docs/ext`") && !glob.contains(MARKER), "{glob}");
    // The spec that is a FIFO: reported, and no request on it blocks.
    let fifo_spec = p.spec_uri("2026-01-02-002-pipe");
    s.wait_diagnostics(&fifo_spec, TIMEOUT, |d| Server::codes(d) == vec!["unreadable"]);
    assert!(s.request("textDocument/hover", at(&fifo_spec, 0, 0)).is_null());
    assert!(s
        .request("textDocument/documentSymbol", json!({ "textDocument": { "uri": fifo_spec } }))
        .is_null());
    let published = s.wait_diagnostics(&b, TIMEOUT, |d| Server::codes(d).len() == 3);
    assert!(!published.to_string().contains(MARKER));
    assert!(!s.log().contains(MARKER), "the server log holds an outside file's content or name");
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn a_config_that_is_a_fifo_ends_the_load_not_the_server() {
    let p = Project::new(PROJECT, false);
    std::fs::remove_file(p.root.join(".chant/config.md")).unwrap();
    mkfifo(&p.root.join(".chant/config.md"));
    let mut s = p.loaded(vscode_caps());
    assert!(s.log().contains("a FIFO"), "{}", s.log());
    assert!(s.request("textDocument/hover", at(&p.spec_uri(B), 4, 4)).is_null());
    // Stdin closing still ends the server.
    s.close_stdin();
    assert!(s.wait_exit().is_some(), "the server did not end after stdin closed");
}

#[test]
fn a_document_past_the_cap_is_reported_and_its_features_stay_bounded() {
    let p = Project::new(PROJECT, false);
    let mut s = p.loaded(vscode_caps());
    let path = p.spec("2026-01-02-003-huge");
    let mut text = String::from("---\nstatus: pending\n---\n# Huge\n\n");
    while text.len() <= caps::SPEC {
        text.push_str("## Section\n\n- [ ] Add a thing\n```\ncode\n```\n");
    }
    s.open(&path, &text, 1);
    let u = uri(&path);
    s.wait_diagnostics(&u, TIMEOUT, |d| Server::codes(d) == vec!["too-large"]);
    for method in ["textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/codeLens"] {
        assert!(s.request(method, json!({ "textDocument": { "uri": u } })).is_null(), "{method}");
    }
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 100000, "character": 0 } });
    assert!(s
        .request("textDocument/inlayHint", json!({ "textDocument": { "uri": u }, "range": range }))
        .is_null());
    assert!(s.request("textDocument/hover", at(&u, 3, 3)).is_null());
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn a_uri_that_climbs_out_of_the_project_is_not_one_of_its_specs() {
    let p = Project::new(PROJECT, false);
    let mut s = p.loaded(vscode_caps());
    let outside = p.root.parent().unwrap().join("outside/2026-01-02-004-far.md");
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    let text = "---\nstatus: pending\n---\n# Far\n";
    std::fs::write(&outside, text).unwrap();
    // `<root>/.chant/specs/../../../outside/…`: inside the project by its prefix only.
    let climbing = format!("{}/.chant/specs/../../../outside/2026-01-02-004-far.md", uri(&p.root));
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": climbing, "languageId": "markdown", "version": 1, "text": text } }),
    );
    let symbols = |s: &mut Server, u: &str| {
        s.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } }))
    };
    assert!(symbols(&mut s, &climbing).is_null(), "treated as a spec of the project");
    // The same request on a spec of the project answers.
    assert!(!symbols(&mut s, &p.spec_uri(B)).is_null());
    let _: Value = s.request("shutdown", Value::Null);
}

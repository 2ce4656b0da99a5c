//! `check --format json` and the server put a finding on the same line and column:
//! both end lines at `\n`, `\r\n` and a lone `\r`, as LSP defines them (YAML reads a
//! lone `\r` as a line break too, so findings do land after one).

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use support::lsp::{uri, vscode_caps, Server};

const SPEC: &str = "---\r\nstatus: pending\rdepends_on: [2026-01-09-009-nope]\rinformed_by: [docs/gone.md]\n---\r# Lone carriage returns\r\rThe body.\r";

#[test]
fn check_and_the_server_agree_on_lines_with_lone_carriage_returns() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    let spec = root.join(".chant/specs/2026-01-01-001-crs.md");
    std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
    std::fs::write(root.join(".chant/config.md"), "---\nproject:\n  name: crs\n---\n").unwrap();
    std::fs::write(&spec, SPEC).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json", "."])
        .current_dir(&root)
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ranges = |diags: &[Value], file: Option<&str>| -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = diags
            .iter()
            .filter(|d| file.is_none_or(|f| d["file"].as_str().unwrap().ends_with(f)))
            .map(|d| (d["code"].as_str().unwrap().to_string(), d["range"].clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    };
    let from_check = ranges(report["diagnostics"].as_array().unwrap(), Some("2026-01-01-001-crs.md"));

    let (mut s, _) = Server::start(&root, tmp.path(), vscode_caps(), Value::Null);
    let published = s.wait_diagnostics(&uri(&spec), Duration::from_secs(10), |d| Server::codes(d).len() >= 3);
    let from_server = ranges(published["diagnostics"].as_array().unwrap(), None);
    assert_eq!(from_check, from_server);
    // The lone CRs count: the file has two `\n` but its body starts on the sixth line.
    let (_, refine) = from_server.iter().find(|(c, _)| c == "needs-refinement").expect("needs-refinement");
    assert_eq!(refine["start"], json!({ "line": 5, "character": 0 }), "{from_server:?}");
    let (_, dashes) = from_server.iter().find(|(c, _)| c == "dashes-in-frontmatter").expect("dashes");
    assert_eq!(dashes["start"]["line"], 4, "{from_server:?}");
}

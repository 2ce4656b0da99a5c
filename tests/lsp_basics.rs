//! Protocol tests against the real server over stdio: startup, diagnostics for the
//! whole project, document sync, cross-file updates, settings, and silence outside a
//! chant project.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::base;
use support::lsp::{neovim_caps, uri, vscode_caps, Server};
use support::project::Project;
use support::requests::{at, hover_text, is_progress};
use support::write_fixture;

const PROJECT: &str = concat!(
    base!(),
    "\
//- docs/a.md
A
//- .chant/specs/2026-01-02-001-bbb.md
---
depends_on: [2026-01-01-001-aaa]
context: [docs/a.md]
---
# Depends on A

## Acceptance Criteria

- [ ] Add a
- [ ] Test b
//- .chant/specs/2026-01-03-001-ccc.md
---
depends_on: [2026-01-09-009-zzz]
informed_by: [docs/later.md]
type: research
target_files: [docs/out.md]
---
# Broken links

## Acceptance Criteria

- [ ] Add a
- [ ] Test b
"
);

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn initialize_advertises_what_is_implemented() {
    let p = Project::new(PROJECT, false);
    let (s, init) = p.start(vscode_caps(), Value::Null);
    expect_test::expect![[r#"
        {
          "capabilities": {
            "positionEncoding": "utf-16",
            "textDocumentSync": {
              "openClose": true,
              "change": 2
            },
            "hoverProvider": true,
            "completionProvider": {
              "triggerCharacters": [
                "/",
                "[",
                ":"
              ]
            },
            "definitionProvider": true,
            "referencesProvider": true,
            "documentSymbolProvider": true,
            "workspaceSymbolProvider": true,
            "codeActionProvider": {
              "codeActionKinds": [
                "quickfix",
                "source.chant.run",
                "source.chant.stop",
                "source.chant.verify",
                "source.chant.reset",
                "source.chant.split",
                "source.chant.log"
              ],
              "resolveProvider": false
            },
            "codeLensProvider": {
              "resolveProvider": false
            },
            "renameProvider": {
              "prepareProvider": true
            },
            "documentLinkProvider": {
              "resolveProvider": false
            },
            "foldingRangeProvider": true,
            "executeCommandProvider": {
              "commands": [
                "chant.run",
                "chant.stop",
                "chant.showLog",
                "chant.verify",
                "chant.reset",
                "chant.split",
                "chant.explain",
                "chant.removeBom",
                "chant.createFile",
                "chant.merge",
                "chant.showChanges",
                "chant.openSpec",
                "chant.specOfLine"
              ]
            },
            "workspace": {
              "workspaceFolders": {
                "supported": true,
                "changeNotifications": true
              },
              "fileOperations": {
                "willRename": {
                  "filters": [
                    {
                      "scheme": "file",
                      "pattern": {
                        "glob": "**/*"
                      }
                    }
                  ]
                }
              }
            },
            "inlayHintProvider": true
          },
          "serverInfo": {
            "name": "chant-lsp",
            "version": "0.1.0"
          }
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&init).unwrap());
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn whole_project_diagnostics_with_progress() {
    let p = Project::new(PROJECT, false);
    let (mut s, _) = p.start(vscode_caps(), Value::Null);
    let end = s.wait_for(0, WAIT, |m| is_progress(m, "end"));
    assert!(end.is_some(), "no progress end; log:\n{}", s.log());
    let kinds: Vec<&str> = s
        .received
        .iter()
        .filter(|m| m["method"] == "$/progress")
        .filter_map(|m| m["params"]["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["begin", "end"]);
    // Every spec with problems is published before the progress ends, open or not.
    let ccc = s.diagnostics(&p.spec_uri("2026-01-03-001-ccc")).cloned().expect("ccc published");
    assert_eq!(Server::codes(&ccc), vec!["unknown-dependency", "missing-file"]);
    assert!(ccc["version"].is_null());
    assert!(s.diagnostics(&p.spec_uri("2026-01-02-001-bbb")).is_none(), "clean files are not published");
    let d = &ccc["diagnostics"][0];
    assert_eq!(
        d["range"],
        json!({"start": {"line": 1, "character": 13}, "end": {"line": 1, "character": 31}})
    );
    assert_eq!(d["source"], "chant");
}

#[test]
fn typing_updates_this_spec_and_its_dependents() {
    let p = Project::new(PROJECT, false);
    let mut s = p.loaded(vscode_caps());
    let a = p.spec("2026-01-01-001-aaa");
    let text = std::fs::read_to_string(&a).unwrap();
    s.open(&a, &text, 1);
    // Cancel A: B (which depends on it) gets `cancelled-dependency`.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri(&a), "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 1, "character": 8 }, "end": { "line": 1, "character": 17 } }, "text": "cancelled" }]
        }),
    );
    let b = p.spec_uri("2026-01-02-001-bbb");
    let d = s.wait_diagnostics(&b, WAIT, |d| Server::codes(d) == vec!["cancelled-dependency"]);
    assert!(d["version"].is_null(), "B is not open");
    // A typo in A's status: A itself is reported, with the document version.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri(&a), "version": 3 },
            "contentChanges": [{ "range": { "start": { "line": 1, "character": 8 }, "end": { "line": 1, "character": 17 } }, "text": "compl🚀ted" }]
        }),
    );
    let d = s.wait_diagnostics(&uri(&a), WAIT, |d| Server::codes(d) == vec!["invalid-value"]);
    assert_eq!(d["version"], 3);
    assert_eq!(
        d["diagnostics"][0]["range"],
        json!({"start": {"line": 1, "character": 8}, "end": {"line": 1, "character": 18}})
    );
    // B: A is now unreadable to chant.
    s.wait_diagnostics(&b, WAIT, |d| Server::codes(d) == vec!["unreadable-dependency"]);
    // Closing A without saving: back to the disk text, both clean again.
    s.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri(&a) } }));
    s.wait_diagnostics(&uri(&a), WAIT, |d| Server::codes(d).is_empty());
    s.wait_diagnostics(&b, WAIT, |d| Server::codes(d).is_empty());
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let p = Project::new(PROJECT, false);
    let c = p.spec("2026-01-04-001-emo");
    std::fs::write(&c, "---\nlabels: [日本🚀]\ncontext: [missing.md]\n---\n# E\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n").unwrap();
    let (mut s, init) = p.start(neovim_caps(), Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let d = s.wait_diagnostics(&uri(&c), WAIT, |d| !Server::codes(d).is_empty());
    assert_eq!(d["diagnostics"][0]["range"]["start"], json!({"line": 2, "character": 10}));
    // Hover after the emoji: UTF-8 columns count bytes.
    let h = hover_text(&mut s, &uri(&c), 2, 12);
    assert!(h.contains("`missing.md` does not exist"), "{h}");
}

#[test]
fn settings_change_severities_without_restart() {
    let p = Project::new(PROJECT, false);
    let (mut s, _) =
        p.start(vscode_caps(), json!({ "diagnostics": { "severity": { "missing-file": "error" } } }));
    // The client answers workspace/configuration with the same settings.
    s.settings = json!({ "diagnostics": { "severity": { "missing-file": "error" } } });
    let ccc = p.spec_uri("2026-01-03-001-ccc");
    let d = s.wait_diagnostics(&ccc, WAIT, |d| Server::codes(d).len() == 2);
    assert_eq!(d["diagnostics"][1]["severity"], 1);
    s.settings = json!({ "diagnostics": { "disabled": ["unknown-dependency"] } });
    s.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let d = s.wait_diagnostics(&ccc, WAIT, |d| Server::codes(d) == vec!["missing-file"]);
    assert_eq!(d["diagnostics"][0]["severity"], 2);
}

#[test]
fn a_mistyped_setting_keeps_the_others_and_is_reported_once() {
    let p = Project::new(PROJECT, false);
    let settings = json!({ "archived": "yes", "diagnostics": { "disabled": ["unknown-dependency"] } });
    let (mut s, _) = p.start(vscode_caps(), settings.clone());
    s.settings = settings;
    let ccc = p.spec_uri("2026-01-03-001-ccc");
    // `diagnostics.disabled` still applies although `archived` is wrong.
    s.wait_diagnostics(&ccc, WAIT, |d| Server::codes(d) == vec!["missing-file"]);
    let warned = |s: &Server| {
        s.received
            .iter()
            .filter(|m| m["method"] == "window/showMessage")
            .map(|m| m["params"]["message"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let first = s.wait_for(0, WAIT, |m| m["method"] == "window/showMessage").expect("a warning");
    assert_eq!(s.received[first]["params"]["type"], 2, "a warning");
    assert_eq!(
        warned(&s),
        ["chant.archived: expected true or false, got the string \"yes\"; using the default"]
    );
    // The same settings again: no second warning.
    s.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    s.drain(Duration::from_millis(500));
    assert_eq!(warned(&s).len(), 1, "{:?}", warned(&s));
}

#[test]
fn silent_outside_a_chant_project() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("notes");
    std::fs::create_dir_all(&plain).unwrap();
    let file = plain.join("readme.md");
    std::fs::write(&file, "---\nstatus: nonsense\n---\n").unwrap();
    let (mut s, _) = Server::start(&plain, tmp.path(), vscode_caps(), Value::Null);
    s.open(&file, "---\nstatus: nonsense\n---\n", 1);
    let h = s.request("textDocument/hover", at(&uri(&file), 1, 2));
    assert!(h.is_null());
    s.drain(Duration::from_millis(400));
    assert!(!s.received.iter().any(|m| m["method"] == "textDocument/publishDiagnostics"), "{:?}", s.received);
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn exits_cleanly_when_stdin_closes_and_ignores_stray_cancels() {
    let p = Project::new(PROJECT, false);
    let (mut s, _) = p.start(vscode_caps(), Value::Null);
    s.notify("$/cancelRequest", json!({ "id": 4242 }));
    let h = s.request("workspace/symbol", json!({ "query": "broken" }));
    assert!(h.is_array());
    s.close_stdin();
    assert_eq!(s.wait_exit(), Some(0));
    assert!(!s.log().contains("panicked"), "{}", s.log());
}

#[test]
fn every_folder_finds_its_projects_even_nested_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let mono = tmp.path().join("mono");
    let bad = "---\nstatus: nope\n---\n# X\n";
    write_fixture(&mono.join("services/api"), &format!("//- .chant/config.md\n---\ndefaults:\n  prompt: p\n---\n//- .chant/prompts/p.md\nP\n//- .chant/specs/a.md\n{bad}"));
    write_fixture(&mono.join("services/web"), &format!("//- .chant/config.md\n---\ndefaults:\n  prompt: p\n---\n//- .chant/prompts/p.md\nP\n//- .chant/specs/b.md\n{bad}"));
    let other = tmp.path().join("other");
    write_fixture(&other, &format!("//- .chant/config.md\n---\ndefaults:\n  prompt: p\n---\n//- .chant/prompts/p.md\nP\n//- .chant/specs/c.md\n{bad}"));
    let (mut s, _) = Server::start(&mono, tmp.path(), vscode_caps(), Value::Null);
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [{ "uri": uri(&other), "name": "other" }], "removed": [] } }),
    );
    for f in [
        mono.join("services/api/.chant/specs/a.md"),
        mono.join("services/web/.chant/specs/b.md"),
        other.join(".chant/specs/c.md"),
    ] {
        s.wait_diagnostics(&uri(&f), WAIT, |d| Server::codes(d) == vec!["invalid-value"]);
    }
    // A file between the projects belongs to none of them.
    let readme = mono.join("services/README.md");
    std::fs::write(&readme, "# Services\n").unwrap();
    s.open(&readme, "# Services\n", 1);
    let h = s.request("textDocument/hover", at(&uri(&readme), 0, 3));
    assert!(h.is_null());

    // Removing a folder forgets its project: its findings are cleared, it gets no
    // features; the other folder's projects stay.
    let c = other.join(".chant/specs/c.md");
    let key = |s: &mut Server, f: &std::path::Path| s.request("textDocument/hover", at(&uri(f), 1, 2));
    assert!(!key(&mut s, &c).is_null());
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [], "removed": [{ "uri": uri(&other), "name": "other" }] } }),
    );
    s.wait_diagnostics(&uri(&c), WAIT, |d| Server::codes(d).is_empty());
    assert!(key(&mut s, &c).is_null());
    assert!(!key(&mut s, &mono.join("services/api/.chant/specs/a.md")).is_null());
}

#[test]
fn a_careless_client_gets_answers_not_a_crash() {
    let p = Project::new(PROJECT, false);
    let (mut s, _) = p.start(vscode_caps(), Value::Null);
    // Loaded: the broken spec's diagnostics are out.
    s.wait_diagnostics(&p.spec_uri("2026-01-03-001-ccc"), WAIT, |d| !Server::codes(d).is_empty());
    let bbb = p.spec_uri("2026-01-02-001-bbb");
    let path = p.spec("2026-01-02-001-bbb");
    let text = std::fs::read_to_string(&path).unwrap();
    s.open(&path, &text, 1);
    let far = json!({ "line": 4_000_000_000u32, "character": 4_000_000_000u32 });
    let mid = json!({ "line": 1, "character": 3 });
    // Positions past the end, on every position-taking request.
    for (method, extra) in [
        ("textDocument/hover", json!({})),
        ("textDocument/definition", json!({})),
        ("textDocument/completion", json!({})),
        ("textDocument/references", json!({ "context": { "includeDeclaration": true } })),
        ("textDocument/prepareRename", json!({})),
        ("textDocument/rename", json!({ "newName": "2026-01-02-001-new" })),
    ] {
        let mut params = json!({ "textDocument": { "uri": bbb }, "position": far });
        params.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let r = s.request(method, params);
        assert!(r.get("error").is_none() || r["error"]["message"].is_string(), "{method}: {r}");
    }
    // Ranges backwards and past the end.
    let backwards = json!({ "start": far, "end": mid });
    for method in ["textDocument/codeAction", "textDocument/inlayHint"] {
        let mut params = json!({ "textDocument": { "uri": bbb }, "range": backwards });
        if method == "textDocument/codeAction" {
            params["context"] = json!({ "diagnostics": [] });
        }
        let r = s.request(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
    }
    // Documents the server never saw, and URIs that are no files at all.
    for u in [p.spec_uri("2026-09-09-009-nope"), "untitled:Untitled-1".to_string()] {
        let r = s.request("textDocument/hover", json!({ "textDocument": { "uri": u }, "position": mid }));
        assert!(r.is_null(), "{r}");
        let r = s.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } }));
        assert!(r.get("error").is_none(), "{r}");
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": u, "version": 9 }, "contentChanges": [{ "text": "x" }] }),
        );
    }
    // An edit whose range runs backwards from past the end: clamped to the end, not lost.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": bbb, "version": 2 },
            "contentChanges": [{ "range": backwards, "text": "\n## Tail\n" }],
        }),
    );
    // Unknown commands and methods, and parameters of the wrong shape.
    let r = s.request("workspace/executeCommand", json!({ "command": "chant.nope", "arguments": [] }));
    assert!(r["error"]["message"].as_str().unwrap().contains("chant.nope"), "{r}");
    let r = s.request("workspace/executeCommand", json!({ "command": "chant.run", "arguments": [42, "x"] }));
    assert!(r.get("error").is_some() || r.get("refused").is_some(), "{r}");
    let r = s.request("textDocument/hover", json!({ "textDocument": "not an object" }));
    assert!(r.get("error").is_some(), "{r}");
    let r = s.request("chant/unknownMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");

    // Still serving, with the edit applied at the end of the text.
    let symbols = s.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": bbb } }));
    let sections = symbols[1]["children"].as_array().unwrap();
    let tail = sections.last().unwrap();
    assert_eq!(tail["name"], "Tail", "{symbols}");
    assert_eq!(tail["range"]["start"]["line"], text.lines().count() + 1, "{symbols}");
    let h = hover_text(&mut s, &bbb, 1, 15);
    assert!(h.contains("Add the limiter"), "{h}");
    let folds = s.request("textDocument/foldingRange", json!({ "textDocument": { "uri": bbb } }));
    assert!(folds.is_array(), "{folds}");
    assert!(!s.log().contains("panicked"), "{}", s.log());
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn a_body_that_is_not_json_is_answered_and_serving_goes_on() {
    let p = Project::new(PROJECT, false);
    let (mut s, _) = p.start(vscode_caps(), Value::Null);
    for body in [&b"{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": "[..], b"\xff\xfe not utf-8", b""] {
        s.send_raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        s.send_raw(body);
        let reply = s.next_reply(WAIT).expect("an error reply");
        assert_eq!(reply["id"], Value::Null, "{reply}");
        assert_eq!(reply["error"]["code"], -32700, "{reply}");
    }
    // JSON, but no message: answered under its ID.
    s.send(json!({ "jsonrpc": "2.0", "id": 9, "method": 42 }));
    let reply = s.next_reply(WAIT).expect("an error reply");
    assert_eq!((reply["id"].clone(), reply["error"]["code"].clone()), (json!(9), json!(-32600)), "{reply}");
    let h = s.request("workspace/symbol", json!({ "query": "limiter" }));
    assert!(h.is_array(), "{h}");
    assert!(!s.log().contains("panicked"), "{}", s.log());
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn a_header_that_cannot_be_read_ends_the_server_with_a_message() {
    for header in
        ["Content-Length: twelve\r\n\r\n{}", "Content-Type: text/plain\r\n\r\n{}", "GET / HTTP/1.1\r\n\r\n"]
    {
        let p = Project::new(PROJECT, false);
        let (mut s, _) = p.start(vscode_caps(), Value::Null);
        s.send_raw(header.as_bytes());
        let code = s.wait_exit();
        assert!(code.is_some_and(|c| c != 0), "{header:?}: exit {code:?}");
        assert!(s.log().contains("cannot read the LSP input"), "{header:?}: {}", s.log());
    }
}

//! `chant-lsp/specs` and `chant-lsp/projectChanged` over stdio against the real server:
//! the sections, the ready queue and the buttons as a client receives them; a run from
//! the view's Run button (the fake `chant`) moving its spec to Running and then to
//! Completed, each announced by a notification; edits that change the view announced and
//! edits that do not left quiet; a burst of file changes announced once or twice, not
//! once per file.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::lsp::{uri, vscode_caps, Server};
use support::project::Project;
use support::requests::execute;
use support::runs::{wait_begin, wait_end, WAIT};

const PROJECT: &str = "\
//- .chant/config.md
---
project:
  name: view
defaults:
  prompt: standard
---
//- .chant/prompts/standard.md
Do {{spec.id}}.
//- src/lib.rs
pub fn a() {}
//- .chant/specs/2026-01-01-001-aaa.md
---
status: completed
target_files: [src/lib.rs]
---
# Add the parser entry point

The parser needs one entry point that the CLI calls.

## Acceptance Criteria

- [x] `parse` is public in src/lib.rs
//- .chant/specs/2026-01-02-001-bbb.md
---
status: pending
depends_on: [2026-01-01-001-aaa]
target_files: [src/lib.rs]
---
# Report parse errors with positions

- Add the line and column to every error from `parse`.
- Test the position of an error.

## Acceptance Criteria

- [ ] Errors carry line and column
- [ ] A test checks the position of an error
//- .chant/specs/2026-01-02-002-ccc.md
---
status: pending
depends_on: [2026-01-02-001-bbb]
---
# Recover after the first parse error

- Continue parsing after an error.

## Acceptance Criteria

- [ ] Parsing continues after an error
//- .chant/specs/2026-01-02-003-drv.md
---
type: driver
status: completed
---
# Split the lexer

- Run the members.
//- .chant/specs/2026-01-02-003-drv.2.md
---
depends_on: []
---
# Lex numbers

- Lex integer literals.

## Acceptance Criteria

- [ ] Integers lex
//- .chant/specs/2026-01-02-003-drv.1.md
---
depends_on: []
---
# Lex identifiers

- Lex identifiers.

## Acceptance Criteria

- [ ] Identifiers lex
";

const BBB: &str = "2026-01-02-001-bbb";
const CCC: &str = "2026-01-02-002-ccc";

fn specs(s: &mut Server, params: Value) -> Value {
    let r = s.request("chant-lsp/specs", params);
    assert!(r.get("error").is_none(), "{r}");
    r
}

fn section<'a>(project: &'a Value, kind: &str) -> &'a Value {
    project["sections"].as_array().unwrap().iter().find(|s| s["kind"] == kind).unwrap()
}

fn ids(section: &Value) -> Vec<String> {
    section["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

/// Waits for `chant-lsp/projectChanged` for the project after index `from`.
fn wait_changed(s: &mut Server, env: &Project, from: usize) -> usize {
    let root = uri(&env.root);
    s.wait_for(from, WAIT, |m| m["method"] == "chant-lsp/projectChanged" && m["params"]["root"] == root)
        .unwrap_or_else(|| panic!("no chant-lsp/projectChanged; log:\n{}", s.log()))
}

fn changed_count(s: &Server, from: usize) -> usize {
    s.received[from..].iter().filter(|m| m["method"] == "chant-lsp/projectChanged").count()
}

#[test]
fn the_view_follows_a_run_from_its_button() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(vscode_caps(), &[("FAKE_CHANT_LINES", "3"), ("FAKE_CHANT_DELAY", "0.3")]);
    s.drain(Duration::from_millis(400));

    let all = specs(&mut s, json!({}));
    let projects = all["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1);
    let p = &projects[0];
    assert_eq!(p["root"], uri(&env.root));
    assert_eq!(p["name"], "view");
    // The queue in chant's ID order: the standalone spec sorts before the driver's base,
    // the members by number (`.1` before `.2`, whatever the file order).
    assert_eq!(p["ready"], json!([BBB, "2026-01-02-003-drv.1", "2026-01-02-003-drv.2"]));
    let kinds: Vec<&str> =
        p["sections"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "ready",
            "running",
            "blocked",
            "pending",
            "failed",
            "paused",
            "needsAttention",
            "stopped",
            "completed",
            "cancelled"
        ]
    );
    assert_eq!(ids(section(p, "ready")), [BBB, "2026-01-02-003-drv.1", "2026-01-02-003-drv.2"]);
    assert_eq!(section(p, "ready")["count"], 3);
    assert_eq!(section(p, "ready")["label"], "Ready");
    let blocked = section(p, "blocked");
    assert_eq!(ids(blocked), [CCC]);
    assert_eq!(blocked["items"][0]["reason"], format!("blocked by {BBB} (pending)"));
    assert_eq!(ids(section(p, "completed")), ["2026-01-01-001-aaa", "2026-01-02-003-drv"]);
    assert_eq!(p["counts"]["ready"], 3);
    assert_eq!(p["counts"]["blocked"], 1);
    assert_eq!(p["counts"]["total"], 6);

    // `items` lists some sections; the others keep their counts and send no rows.
    let some = specs(&mut s, json!({ "items": ["ready", "blocked"] }));
    let q = &some["projects"][0];
    assert_eq!(ids(section(q, "ready")), ids(section(p, "ready")));
    assert_eq!(section(q, "blocked")["items"], section(p, "blocked")["items"]);
    assert_eq!(section(q, "completed")["count"], 2);
    assert!(section(q, "completed").get("items").is_none(), "{q}");
    assert!(section(q, "pending").get("items").is_none(), "{q}");
    assert_eq!((&q["counts"], &q["ready"]), (&p["counts"], &p["ready"]));
    let only = specs(&mut s, json!({ "uri": uri(&env.root), "items": ["completed"] }));
    assert_eq!(ids(section(&only["projects"][0], "completed")), ["2026-01-01-001-aaa", "2026-01-02-003-drv"]);
    assert!(section(&only["projects"][0], "ready").get("items").is_none());
    let none = specs(&mut s, json!({ "items": [] }));
    assert!(none["projects"][0]["sections"].as_array().unwrap().iter().all(|s| s.get("items").is_none()));
    let typo = s.request("chant-lsp/specs", json!({ "items": ["complete"] }));
    assert_eq!(typo["error"]["code"], -32602, "{typo}");
    let why = typo["error"]["message"].as_str().unwrap();
    assert!(why.contains("`complete`") && why.contains("completed, cancelled"), "{why}");

    let item = &section(p, "ready")["items"][0];
    assert_eq!(item["shortId"], "001-bbb");
    assert_eq!(item["title"], "Report parse errors with positions");
    assert_eq!(item["uri"], env.spec_uri(BBB));
    assert_eq!(item["status"], "pending");
    let run = &item["actions"]["run"];
    assert_eq!(run["enabled"], true, "{run}");
    assert_eq!(run["command"], "chant.run");
    assert_eq!(run["title"], format!("Run {BBB} (chant work)"));
    assert!(run.get("flags").is_none(), "a plain run: {run}");
    assert_eq!(item["actions"]["stop"]["enabled"], false);
    assert_eq!(item["actions"]["showLog"]["enabled"], false);
    assert!(item["actions"]["showLog"]["why"].as_str().unwrap().contains("no agent log yet"));
    // The blocked spec's Run says why, as the code action does.
    let ccc_run = &blocked["items"][0]["actions"]["run"];
    assert_eq!(ccc_run["enabled"], false);
    assert_eq!(ccc_run["why"], format!("blocked by {BBB} (pending)"));

    // Press Run: the button's command with the spec's URI, as a client sends it.
    let from = s.received.len();
    let r = execute(&mut s, run["command"].as_str().unwrap(), json!([item["uri"]]));
    assert_eq!(r["started"], BBB, "{r}");
    let (begin, token) = wait_begin(&mut s, from, BBB);
    wait_changed(&mut s, &env, from);
    let p = &specs(&mut s, json!({ "uri": env.spec_uri(CCC) }))["projects"][0];
    assert_eq!(ids(section(p, "running")), [BBB]);
    let running = &section(p, "running")["items"][0];
    assert_eq!(running["reason"], "started from this editor");
    assert_eq!(running["actions"]["stop"]["enabled"], true);
    assert_eq!(running["actions"]["stop"]["command"], "chant.stop");
    assert_eq!(running["actions"]["run"]["enabled"], false);
    assert_eq!(p["ready"], json!(["2026-01-02-003-drv.1", "2026-01-02-003-drv.2"]));
    assert_eq!(p["counts"]["running"], 1);

    // The run ends: completed, and the spec it blocked is ready now.
    let end = wait_end(&mut s, begin, &token);
    let changed = wait_changed(&mut s, &env, end);
    assert!(changed > end);
    let p = &specs(&mut s, json!({}))["projects"][0];
    assert!(ids(section(p, "running")).is_empty(), "{p}");
    assert!(ids(section(p, "completed")).contains(&BBB.to_string()));
    assert_eq!(p["ready"], json!([CCC, "2026-01-02-003-drv.1", "2026-01-02-003-drv.2"]));
    assert_eq!(p["counts"]["blocked"], 0);
    let done =
        section(p, "completed")["items"].as_array().unwrap().iter().find(|i| i["id"] == BBB).unwrap().clone();
    assert_eq!(done["actions"]["showLog"]["enabled"], true, "{done}");
}

#[test]
fn edits_that_change_the_view_are_announced_and_others_are_not() {
    let env = Project::new(PROJECT, false);
    let mut s = env.server(vscode_caps(), &[]);
    s.drain(Duration::from_millis(400));
    let ccc = env.spec(CCC);
    let text = std::fs::read_to_string(&ccc).unwrap();
    s.open(&ccc, &text, 1);
    s.drain(Duration::from_millis(500));

    // A body edit leaves every row as it was: nothing is announced.
    let from = s.received.len();
    let body = text.replace("- Continue parsing after an error.", "- Keep parsing after an error.");
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&ccc), "version": 2 }, "contentChanges": [{ "text": body }] }),
    );
    s.drain(Duration::from_millis(800));
    assert_eq!(changed_count(&s, from), 0, "{:?}", &s.received[from..]);

    // Cancelling it does change the view.
    let from = s.received.len();
    let cancelled = body.replace("status: pending", "status: cancelled");
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&ccc), "version": 3 }, "contentChanges": [{ "text": cancelled }] }),
    );
    wait_changed(&mut s, &env, from);
    let p = &specs(&mut s, json!({}))["projects"][0];
    assert_eq!(ids(section(p, "cancelled")), [CCC]);

    // A file outside every project: no project.
    let outside = specs(&mut s, json!({ "uri": uri(&env.home.join("x.md")) }));
    assert_eq!(outside["projects"], json!([]));
}

#[test]
fn a_burst_of_file_changes_is_announced_once_or_twice() {
    let env = Project::new(PROJECT, false);
    let mut s = env.server(vscode_caps(), &[]);
    s.drain(Duration::from_millis(400));
    let from = s.received.len();
    let mut events = Vec::new();
    for k in 0..12 {
        let path = env.root.join(format!(".chant/specs/2026-01-05-{k:03}-new.md"));
        std::fs::write(&path, format!("---\nstatus: pending\n---\n# New {k}\n\n- Do it.\n")).unwrap();
        events.push(json!({ "uri": uri(&path), "type": 1 }));
    }
    s.notify("workspace/didChangeWatchedFiles", json!({ "changes": events }));
    wait_changed(&mut s, &env, from);
    s.drain(Duration::from_millis(800));
    let n = changed_count(&s, from);
    assert!((1..=2).contains(&n), "{n} notifications for one burst");
    let p = &specs(&mut s, json!({}))["projects"][0];
    assert_eq!(p["counts"]["total"], 18);
}

/// Two projects in one workspace folder (VS Code's multi-root has one node per project):
/// `{}` answers both, each with its own sections, name and queue; a URI picks its own; an
/// edit in one announces that one only.
#[test]
fn every_project_of_the_workspace_has_its_own_view() {
    let fixture = "\
//- api/.chant/config.md
---
project:
  name: api
---
//- api/.chant/specs/2026-01-01-001-one.md
---
status: pending
---
# Serve the API
//- api/.chant/specs/2026-01-01-002-two.md
---
depends_on: [2026-01-01-001-one]
---
# Version the API
//- web/.chant/config.md
---
---
//- web/.chant/specs/2026-02-01-001-ui1.md
---
status: completed
---
# Draw the page
//- web/.chant/specs/2026-02-01-002-ui2.md
---
---
# Style the page
";
    let env = Project::new(fixture, false);
    let mut s = env.loaded(vscode_caps());
    let (api, web) = (env.root.join("api"), env.root.join("web"));
    let start = std::time::Instant::now();
    let all = loop {
        let all = specs(&mut s, json!({}));
        if all["projects"].as_array().unwrap().len() == 2 {
            break all;
        }
        assert!(start.elapsed() < WAIT, "both projects load: {all}\n{}", s.log());
        std::thread::sleep(Duration::from_millis(20));
    };
    let projects = all["projects"].as_array().unwrap();
    let summary: Vec<(String, String, Vec<String>, Vec<String>)> = projects
        .iter()
        .map(|p| {
            (
                p["root"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
                ids(section(p, "ready")),
                ids(section(p, "blocked")),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (uri(&api), "api".into(), vec!["2026-01-01-001-one".into()], vec!["2026-01-01-002-two".into()]),
            (uri(&web), "web".into(), vec!["2026-02-01-002-ui2".into()], vec![]),
        ],
        "the config's project name, else the folder's"
    );
    assert_eq!(ids(section(&projects[1], "completed")), ["2026-02-01-001-ui1"]);
    let one = specs(&mut s, json!({ "uri": uri(&web.join(".chant/specs/2026-02-01-002-ui2.md")) }));
    assert_eq!(one["projects"].as_array().unwrap().len(), 1);
    assert_eq!(one["projects"][0]["root"], uri(&web));

    // Completing web's ready spec announces web, not api.
    let ui2 = web.join(".chant/specs/2026-02-01-002-ui2.md");
    let text = std::fs::read_to_string(&ui2).unwrap();
    s.open(&ui2, &text, 1);
    s.drain(Duration::from_millis(400));
    let from = s.received.len();
    let done = text.replacen("---\n---\n", "---\nstatus: completed\n---\n", 1);
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&ui2), "version": 2 }, "contentChanges": [{ "text": done }] }),
    );
    let web_root = uri(&web);
    s.wait_for(from, WAIT, |m| m["method"] == "chant-lsp/projectChanged" && m["params"]["root"] == web_root)
        .unwrap_or_else(|| panic!("no projectChanged for web; log:\n{}", s.log()));
    s.drain(Duration::from_millis(300));
    let roots: Vec<&Value> = s.received[from..]
        .iter()
        .filter(|m| m["method"] == "chant-lsp/projectChanged")
        .map(|m| &m["params"]["root"])
        .collect();
    assert!(roots.iter().all(|r| **r == web_root), "only web changed: {roots:?}");
    let p = &specs(&mut s, json!({}))["projects"][1];
    assert_eq!(ids(section(p, "completed")), ["2026-02-01-001-ui1", "2026-02-01-002-ui2"]);
    assert_eq!(p["counts"]["ready"], 0);
}

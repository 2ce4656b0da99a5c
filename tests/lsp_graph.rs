//! `chant-lsp/graph` and `chant-lsp/projectChanged` over stdio: the real server draws
//! the graph of the project holding a URI, falls back to the neighbourhood of the spec
//! at the URI past the picture limit, and tells the client when the project changed.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::base;
use support::lsp::{uri, vscode_caps};
use support::project::Project;

const PROJECT: &str = concat!(
    base!(),
    "\
//- .chant/specs/2026-01-02-001-bbb.md
---
depends_on: [2026-01-01-001-aaa]
---
# Wire the limiter
//- .chant/specs/2026-01-03-001-ccc.md
---
depends_on: [2026-01-03-002-ddd]
---
# One half of a cycle
//- .chant/specs/2026-01-03-002-ddd.md
---
depends_on: [2026-01-03-001-ccc]
---
# The other half
"
);

fn ids(reply: &Value) -> Vec<String> {
    let doc = roxmltree::Document::parse(reply["text"].as_str().unwrap()).expect("SVG parses as XML");
    let mut ids: Vec<String> =
        doc.descendants().filter_map(|n| n.attribute("data-id").map(str::to_string)).collect();
    ids.sort();
    ids
}

#[test]
fn graph_request_draws_the_project_and_follows_edits() {
    let p = Project::new(PROJECT, false);
    let mut s = p.loaded(vscode_caps());
    let bbb = p.spec_uri("2026-01-02-001-bbb");
    let r = s.request("chant-lsp/graph", json!({ "uri": bbb }));
    assert_eq!(r["format"], "svg", "{r}");
    assert_eq!(r["current"], "2026-01-02-001-bbb");
    assert_eq!(r["root"], uri(&p.root));
    assert_eq!((r["nodes"].as_u64(), r["edges"].as_u64()), (Some(4), Some(3)));
    assert!(r["message"].is_null());
    assert_eq!(
        ids(&r),
        ["2026-01-01-001-aaa", "2026-01-02-001-bbb", "2026-01-03-001-ccc", "2026-01-03-002-ddd"]
    );
    let svg = r["text"].as_str().unwrap();
    assert_eq!(svg.matches("<g class=\"edge cycle\"").count(), 2, "{svg}");
    // Mermaid, around a spec, from the root's URI.
    let r = s.request(
        "chant-lsp/graph",
        json!({ "root": uri(&p.root), "format": "mermaid", "around": "ccc", "depth": 1 }),
    );
    assert_eq!(r["format"], "mermaid");
    assert_eq!(r["around"], "2026-01-03-001-ccc");
    assert!(r["current"].is_null());
    let text = r["text"].as_str().unwrap();
    assert!(text.contains("  s_2026_01_03_002_ddd --> s_2026_01_03_001_ccc\n"), "{text}");
    assert!(!text.contains("bbb"), "{text}");
    // Bad params are errors.
    let r = s.request("chant-lsp/graph", json!({ "uri": bbb, "format": "png" }));
    assert!(r["error"]["message"].as_str().unwrap().contains("unknown format `png`"), "{r}");
    let r = s.request("chant-lsp/graph", json!({ "uri": bbb, "around": "zzz" }));
    assert_eq!(r["error"]["message"], "no spec has the ID `zzz`");
    // An edit that breaks the cycle: the client is told, and the graph follows.
    let from = s.received.len();
    let ddd = p.spec("2026-01-03-002-ddd");
    s.open(&ddd, "---\n---\n# The other half\n", 1);
    let told = s.wait_for(from, Duration::from_secs(10), |m| {
        m["method"] == "chant-lsp/projectChanged" && m["params"]["root"] == uri(&p.root)
    });
    assert!(told.is_some(), "no chant-lsp/projectChanged; log:\n{}", s.log());
    let r = s.request("chant-lsp/graph", json!({ "uri": bbb, "format": "json" }));
    let json: Value = serde_json::from_str(r["text"].as_str().unwrap()).unwrap();
    let cycles = json["edges"].as_array().unwrap().iter().filter(|e| e["cycle"] == true).count();
    assert_eq!(cycles, 0, "{json}");
    assert_eq!(r["edges"], 2);
}

#[test]
fn past_the_limit_the_request_draws_the_current_specs_neighbourhood() {
    let mut fixture = String::from(base!());
    for k in 0..=500 {
        let dep = if k > 0 { format!("depends_on: [2026-02-01-{:03}-aaa]\n", k - 1) } else { String::new() };
        fixture.push_str(&format!("//- .chant/specs/2026-02-01-{k:03}-aaa.md\n---\n{dep}---\n# Step {k}\n"));
    }
    let p = Project::new(&fixture, false);
    let mut s = p.loaded(vscode_caps());
    let r = s.request("chant-lsp/graph", json!({ "uri": p.spec_uri("2026-02-01-250-aaa") }));
    assert_eq!(r["around"], "2026-02-01-250-aaa", "{r}");
    assert_eq!(r["nodes"], 5, "two edges either way");
    let message = r["message"].as_str().unwrap();
    assert!(
        message.contains("502 nodes, more than 500") && message.contains("2026-02-01-250-aaa"),
        "{message}"
    );
    assert_eq!(ids(&r).len(), 5);
    // Without a spec to centre on, nothing is drawn and the message says why.
    let r = s.request("chant-lsp/graph", json!({ "root": uri(&p.root) }));
    assert_eq!(r["text"], "");
    assert!(r["message"].as_str().unwrap().contains("--around ID"), "{r}");
    // JSON has no limit.
    let r = s.request("chant-lsp/graph", json!({ "root": uri(&p.root), "format": "json" }));
    assert_eq!(r["nodes"], 502);
}

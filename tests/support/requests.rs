//! Requests a test sends through the `lsp` client, answered in the shapes tests compare:
//! commands, code actions, lenses, hovers, progress and log messages, and text edits
//! applied.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::lsp::Server;

/// Position parameters: `uri` at `line`:`character`.
pub fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

pub fn execute(s: &mut Server, command: &str, args: Value) -> Value {
    s.request("workspace/executeCommand", json!({ "command": command, "arguments": args }))
}

/// The reason of a refused command (shown to the user; the request succeeds).
pub fn refused(r: &Value) -> String {
    r["refused"].as_str().unwrap_or_else(|| panic!("not refused: {r}")).to_string()
}

/// The code actions at the start of `uri`, of the kinds in `only` (all without it), for
/// `diagnostics`.
pub fn code_actions(s: &mut Server, uri: &str, only: Option<&[&str]>, diagnostics: Value) -> Vec<Value> {
    let mut context = json!({ "diagnostics": diagnostics });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let r = s.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": context }),
    );
    r.as_array().cloned().unwrap_or_default()
}

/// The action whose title starts with `prefix`.
pub fn titled<'a>(actions: &'a [Value], prefix: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no action starting with {prefix:?} in {actions:#?}"))
}

/// The diagnostics with code `code` among published ones (`params` of a
/// `publishDiagnostics`).
pub fn with_code(published: &Value, code: &str) -> Vec<Value> {
    let all = published["diagnostics"].as_array().map(Vec::as_slice).unwrap_or_default();
    all.iter().filter(|d| d["code"] == code).cloned().collect()
}

/// The titles of the code lenses of `uri` (none for a `null` answer).
pub fn lenses(s: &mut Server, uri: &str) -> Vec<String> {
    let r = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    assert!(r.is_null() || r.is_array(), "{r}");
    r.as_array()
        .into_iter()
        .flatten()
        .map(|l| l["command"]["title"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The lenses once `done` holds of them (or as they are after 10 s).
pub fn wait_lenses(s: &mut Server, uri: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let l = lenses(s, uri);
        if done(&l) || Instant::now() > deadline {
            return l;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The markdown of the hover at `uri` `line`:`character` (empty without one).
pub fn hover_text(s: &mut Server, uri: &str, line: u32, character: u32) -> String {
    let h = s.request("textDocument/hover", at(uri, line, character));
    h["contents"]["value"].as_str().unwrap_or("").to_string()
}

pub fn is_progress(m: &Value, kind: &str) -> bool {
    m["method"] == "$/progress" && m["params"]["value"]["kind"] == kind
}

/// The lines of the `window/logMessage`s received since `from` (a message may hold a
/// batch of output lines).
pub fn log_lines(s: &Server, from: usize) -> Vec<String> {
    s.received[from..]
        .iter()
        .filter(|m| m["method"] == "window/logMessage")
        .filter_map(|m| m["params"]["message"].as_str())
        .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// Applies `edits` (LSP TextEdits on one document) to `text` (ASCII only).
pub fn apply(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let ch = p["character"].as_u64().unwrap() as usize;
        text.split_inclusive('\n').take(line).map(str::len).sum::<usize>() + ch
    };
    let mut edits: Vec<&Value> = edits.as_array().unwrap().iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(
            offset(&e["range"]["start"])..offset(&e["range"]["end"]),
            e["newText"].as_str().unwrap(),
        );
    }
    out
}

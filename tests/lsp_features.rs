//! One request per feature over the protocol, and document sync under many random
//! incremental edits with multi-byte text.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::Duration;

use serde_json::json;
use support::base;
use support::lsp::{uri, vscode_caps, Server};
use support::project::Project;
use support::requests::{at, wait_lenses};

const PROJECT: &str = concat!(
    base!(),
    "\
//- docs/design.md
# Design

Notes.
//- .chant/specs/2026-01-02-001-bbb.md
---
depends_on: [2026-01-01-001-aaa]
context: [docs/design.md]
---
# Wire the limiter 🚀

See [[2026-01-01-001-aaa]].

## Acceptance Criteria

- [ ] Add middleware
- [ ] Test it
"
);

struct Env {
    p: Project,
    s: Server,
    b: String,
}

fn env() -> Env {
    let p = Project::new(PROJECT, false);
    let mut s = p.loaded(vscode_caps());
    let b_path = p.spec("2026-01-02-001-bbb");
    let text = std::fs::read_to_string(&b_path).unwrap();
    s.open(&b_path, &text, 1);
    Env { b: uri(&b_path), p, s }
}

#[test]
fn hover_definition_references_links() {
    let mut e = env();
    let h = e.s.request("textDocument/hover", at(&e.b, 1, 20));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**Add the limiter**") && text.contains("completed"), "{text}");
    assert_eq!(
        h["range"],
        json!({"start": {"line": 1, "character": 13}, "end": {"line": 1, "character": 31}})
    );

    let d = e.s.request("textDocument/definition", at(&e.b, 1, 20));
    assert_eq!(d["uri"], e.p.spec_uri("2026-01-01-001-aaa"));
    assert_eq!(d["range"]["start"], json!({"line": 5, "character": 0}));
    let d = e.s.request("textDocument/definition", at(&e.b, 2, 14));
    assert_eq!(d["uri"], uri(&e.p.root.join("docs/design.md")));

    // References of A from its mention in the body (after the emoji title line).
    let mut params = at(&e.b, 6, 10);
    params["context"] = json!({ "includeDeclaration": false });
    let r = e.s.request("textDocument/references", params);
    let lines: Vec<u64> =
        r.as_array().unwrap().iter().map(|l| l["range"]["start"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![1, 6]);

    let links = e.s.request("textDocument/documentLink", json!({ "textDocument": { "uri": e.b } }));
    let targets: Vec<&str> =
        links.as_array().unwrap().iter().map(|l| l["target"].as_str().unwrap()).collect();
    assert_eq!(targets.len(), 3, "{links}");
    assert!(targets[1].ends_with("docs/design.md"));
}

#[test]
fn completion_symbols_folding_hints_lenses() {
    let mut e = env();
    // A new `depends_on` item: complete spec IDs by title word.
    e.s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": e.b, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 1, "character": 31 }, "end": { "line": 1, "character": 31 } }, "text": ", lim" }] }),
    );
    let c = e.s.request("textDocument/completion", at(&e.b, 1, 36));
    let items = c["items"].as_array().unwrap();
    assert!(items.is_empty(), "A is already listed and B cannot depend on itself: {c}");
    let c = e.s.request("textDocument/completion", at(&e.b, 2, 0));
    let labels: Vec<&str> =
        c["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"status") && labels.contains(&"target_files"), "{labels:?}");

    let syms = e.s.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": e.b } }));
    let names: Vec<&str> = syms.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["frontmatter", "Wire the limiter 🚀"]);
    let ws = e.s.request("workspace/symbol", json!({ "query": "limiter" }));
    assert_eq!(ws.as_array().unwrap().len(), 2);

    let folds = e.s.request("textDocument/foldingRange", json!({ "textDocument": { "uri": e.b } }));
    assert!(folds.as_array().unwrap().len() >= 2, "{folds}");

    let hints = e.s.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": e.b }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 20, "character": 0 } } }),
    );
    assert_eq!(hints[0]["label"], "Add the limiter (completed)");
    assert_eq!(hints[0]["position"], json!({"line": 1, "character": 31}));

    // Once the edit is re-checked (after the typing pause), `lim` blocks B. (Asking at
    // once saw the state before the edit only while the requests above took less than
    // the pause.)
    assert_eq!(
        wait_lenses(&mut e.s, &e.b, |l| l.get(1).is_some_and(|s| s.contains("lim"))),
        vec![
            "▶ Run (not now: not a git repository: chant work runs agents in git worktre…)",
            "pending · blocked by `lim` (no such spec)",
            "0 dependents"
        ]
    );
}

#[test]
fn rename_a_spec_and_move_a_linked_file() {
    let mut e = env();
    let prep = e.s.request("textDocument/prepareRename", at(&e.b, 1, 20));
    assert_eq!(prep["placeholder"], "2026-01-01-001-aaa");
    let mut params = at(&e.b, 1, 20);
    params["newName"] = json!("2026-01-01-001-lim");
    let edit = e.s.request("textDocument/rename", params);
    let ops = edit["documentChanges"].as_array().unwrap();
    let b_edit = ops.iter().find(|o| o["textDocument"]["uri"] == e.b).expect("edits B");
    assert_eq!(b_edit["textDocument"]["version"], 1);
    assert_eq!(b_edit["edits"].as_array().unwrap().len(), 2, "depends_on and [[link]]");
    let rename = ops.iter().find(|o| o["kind"] == "rename").expect("file rename");
    assert!(rename["newUri"].as_str().unwrap().ends_with("2026-01-01-001-lim.md"));
    let mut bad = at(&e.b, 1, 20);
    bad["newName"] = json!("2026-01-02-001-bbb");
    let err = e.s.request("textDocument/rename", bad);
    assert!(err["error"]["message"].as_str().unwrap().contains("already exists"), "{err}");

    let moved = e.s.request(
        "workspace/willRenameFiles",
        json!({ "files": [{ "oldUri": uri(&e.p.root.join("docs/design.md")), "newUri": uri(&e.p.root.join("docs/architecture.md")) }] }),
    );
    let edits = &moved["changes"][&e.b];
    assert_eq!(edits[0]["newText"], "docs/architecture.md");
    assert_eq!(edits[0]["range"]["start"], json!({"line": 2, "character": 10}));
}

/// A tiny deterministic generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Lines as LSP defines them (`\n`, `\r\n` or a lone `\r` ends a line): the content
/// of each line without its break.
fn lsp_lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                out.push((start, i));
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

/// The byte offset of a UTF-16 position, clamped to the line's content.
fn offset(text: &str, (line, col): (usize, usize)) -> usize {
    let lines = lsp_lines(text);
    let Some(&(start, end)) = lines.get(line) else { return text.len() };
    let mut units = 0;
    for (b, c) in text[start..end].char_indices() {
        if units >= col {
            return start + b;
        }
        units += c.len_utf16();
    }
    end
}

#[test]
fn five_hundred_random_edits_keep_the_text_in_sync() {
    let mut e = env();
    let mut text = std::fs::read_to_string(e.p.spec("2026-01-02-001-bbb")).unwrap();
    let pieces = ["a", "é", "日本", "🚀", "\n", "- [ ] ", "---", "👩‍👩‍👧", "\r\n", "z"];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for version in 2..502 {
        let lines = lsp_lines(&text);
        // Whole characters only (clients never split a surrogate pair).
        let pick = |rng: &mut Rng| {
            let line = rng.next(lines.len() as u64 + 1) as usize;
            let Some(&(s, e)) = lines.get(line) else { return (line, 0) };
            let cols: Vec<usize> = std::iter::once(0)
                .chain(text[s..e].chars().scan(0, |u, c| {
                    *u += c.len_utf16();
                    Some(*u)
                }))
                .collect();
            (line, cols[rng.next(cols.len() as u64) as usize])
        };
        let mut start = pick(&mut rng);
        let mut end = pick(&mut rng);
        if end < start {
            std::mem::swap(&mut start, &mut end);
        }
        if rng.next(3) == 0 {
            end = start;
        }
        let insert: String =
            (0..rng.next(3)).map(|_| pieces[rng.next(pieces.len() as u64) as usize]).collect();
        let (a, b) = (offset(&text, start), offset(&text, end));
        text = format!("{}{}{}", &text[..a], insert, &text[b.max(a)..]);
        e.s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": e.b, "version": version },
                    "contentChanges": [{ "range": { "start": { "line": start.0, "character": start.1 }, "end": { "line": end.0, "character": end.1 } }, "text": insert }] }),
        );
    }
    let server_text = e.s.request("chant-lsp/documentText", json!({ "uri": e.b }));
    assert_eq!(server_text.as_str().unwrap(), text);
    // The server is still healthy and re-checks the final text.
    e.s.drain(Duration::from_millis(300));
    assert!(!e.s.log().contains("panicked"), "{}", e.s.log());
}

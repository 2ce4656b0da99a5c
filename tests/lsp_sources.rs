//! From a source file back to its specs, over the protocol: the lenses on a project
//! file's first line (specs that change it, then specs that read it; a running one
//! first), its references, nothing for files no spec names (and no text kept), the
//! `sourceFiles` settings, and "which spec wrote this line" by blame, as a command and as
//! a hover, through uncommitted edits above the line.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use serde_json::{json, Value};
use support::git::{write_in, GitRepo, DAY, T0};
use support::lsp::{neovim_caps, uri, vscode_caps, Server, TIMEOUT};
use support::requests::{execute, hover_text, is_progress, lenses, refused};

const P: &str = "2026-02-01-001-ppp";
const Q: &str = "2026-02-01-002-qqq";
const R: &str = "2026-02-01-003-rrr";
const S: &str = "2026-02-01-004-sss";
const X: &str = "2026-01-01-009-xxx";

fn spec(status: &str, title: &str, extra: &str) -> String {
    format!("---\nstatus: {status}\n{extra}---\n# {title}\n\n## Acceptance Criteria\n\n- [ ] Done\n")
}

/// A project in git: `src/store.rs` changed by P (pending) and Q (completed), read by R
/// through a glob, named by an archived spec X; `src/lonely.rs` named by nobody. The
/// store's lines come from two commits: the initial one and Q's agent commit.
fn project(dir: &std::path::Path) -> (std::path::PathBuf, GitRepo) {
    let root = dir.join("proj");
    write_in(&root, ".chant/config.md", "---\ndefaults:\n  prompt: standard\n---\n");
    write_in(&root, ".chant/prompts/standard.md", "# Standard\n");
    write_in(&root, "src/store.rs", "fn a() {}\nfn b() {}\nfn c() {}\n");
    write_in(&root, "src/lonely.rs", "fn lonely() {}\n");
    write_in(
        &root,
        &format!(".chant/specs/{P}.md"),
        &spec("pending", "Speed up the store", "target_files:\n  - src/store.rs\n"),
    );
    write_in(
        &root,
        &format!(".chant/specs/{R}.md"),
        &spec("pending", "Audit the sources", "tracks:\n  - src/**/st*.rs\n"),
    );
    write_in(
        &root,
        &format!(".chant/archive/2026-01-01/{X}.md"),
        &spec("completed", "Old store work", "target_files:\n  - src/store.rs\n"),
    );
    let g = GitRepo::init(&root, "Initial");
    write_in(&root, "src/store.rs", "fn a() {}\nfn b() { /* fast */ }\nfn c() {}\n");
    let agent = g.commit(&format!("chant({Q}): make b fast"), T0 + DAY);
    write_in(
        &root,
        &format!(".chant/specs/{Q}.md"),
        &spec(
            "completed",
            "Make b fast",
            &format!(
                "target_files:\n  - src/store.rs\ncommits:\n  - {}\ncompleted_at: 2026-01-02T01:00:00Z\n",
                &agent[..7]
            ),
        ),
    );
    write_in(
        &root,
        &format!(".chant/specs/{S}.md"),
        &spec("pending", "Unrelated", "informed_by:\n  - README.md\n"),
    );
    g.commit(&format!("chant({Q}): finalize spec"), T0 + DAY + 60);
    (root, g)
}

fn start(root: &std::path::Path, caps: Value, settings: Value) -> Server {
    let home = root.parent().unwrap().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (mut s, _) = Server::start(root, &home, caps, settings);
    s.wait_for(0, TIMEOUT, |m| is_progress(m, "end")).expect("loaded");
    s
}

fn open_source(s: &mut Server, path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri(path), "languageId": "rust", "version": 1, "text": text } }),
    );
    uri(path)
}

#[test]
fn a_source_file_shows_its_specs() {
    let dir = tempfile::tempdir().unwrap();
    let (root, _g) = project(dir.path());
    let mut s = start(&root, vscode_caps(), Value::Null);
    let store = open_source(&mut s, &root.join("src/store.rs"));

    // Specs that change it first (open work before finished), then those reading it;
    // the archived spec only with `archived` on.
    let l = lenses(&mut s, &store);
    assert_eq!(
        l,
        [
            "○ changed by 001-ppp · Speed up the store · pending",
            "✓ changed by 002-qqq · Make b fast · completed",
            "○ read by 003-rrr · Audit the sources · pending",
        ],
        "{l:?}"
    );
    let raw = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": store } }));
    let first = &raw[0];
    assert_eq!(
        first["range"],
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } })
    );
    assert_eq!(first["command"]["command"], "chant.openSpec");
    let p_uri = uri(&root.join(format!(".chant/specs/{P}.md")));
    assert_eq!(first["command"]["arguments"][0], json!(p_uri));

    // Clicking it opens the spec.
    let before = s.received.len();
    let r = execute(&mut s, "chant.openSpec", json!([p_uri]));
    assert_eq!(r["spec"], P, "{r}");
    assert!(
        s.received[before..]
            .iter()
            .any(|m| m["method"] == "window/showDocument" && m["params"]["uri"] == json!(p_uri)),
        "no showDocument for the spec"
    );

    // References on the first line: every entry naming it; on another line: none.
    let refs = s.request("textDocument/references", json!({ "textDocument": { "uri": store }, "position": { "line": 0, "character": 0 }, "context": { "includeDeclaration": false } }));
    let mut found: Vec<(String, u64)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string(),
                l["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(found, [(format!("{P}.md"), 3), (format!("{Q}.md"), 3), (format!("{R}.md"), 3)], "{refs:#}");
    let refs = s.request("textDocument/references", json!({ "textDocument": { "uri": store }, "position": { "line": 1, "character": 0 }, "context": { "includeDeclaration": false } }));
    assert!(refs.is_null() || refs == json!([]), "{refs}");

    // A file no spec names: no lens, and its text is not kept.
    let lonely = open_source(&mut s, &root.join("src/lonely.rs"));
    assert_eq!(lenses(&mut s, &lonely), Vec::<String>::new());
    let kept = s.request("chant-lsp/documentText", json!({ "uri": lonely }));
    assert!(kept.is_null(), "the server keeps a source file's text: {kept}");
    let kept = s.request("chant-lsp/documentText", json!({ "uri": store }));
    assert!(kept.is_null(), "the server keeps a source file's text: {kept}");

    // Blame is off by default: no hover on source lines.
    assert_eq!(hover_text(&mut s, &store, 1, 3), "");

    // Archived specs join with `archived` on; everything goes with `sourceFiles.enabled` off.
    s.settings = json!({ "archived": true });
    s.notify("workspace/didChangeConfiguration", json!({ "settings": Value::Null }));
    let l = support::requests::wait_lenses(&mut s, &store, |l| l.len() == 4);
    assert_eq!(l[3], "✓ changed by 009-xxx · Old store work · completed, archived", "{l:?}");
    s.settings = json!({ "sourceFiles": { "enabled": false } });
    s.notify("workspace/didChangeConfiguration", json!({ "settings": Value::Null }));
    let l = support::requests::wait_lenses(&mut s, &store, |l| l.is_empty());
    assert!(l.is_empty(), "{l:?}");
    s.stop();
}

#[test]
fn which_spec_wrote_this_line() {
    let dir = tempfile::tempdir().unwrap();
    let (root, g) = project(dir.path());
    let mut s = start(&root, neovim_caps(), json!({ "sourceFiles": { "blame": true } }));
    let store = open_source(&mut s, &root.join("src/store.rs"));

    // Line 2 was written by Q's agent commit; line 1 by the initial commit.
    s.replies.insert("window/showMessageRequest".to_string(), Value::Null);
    let r = execute(&mut s, "chant.specOfLine", json!([store, 1]));
    assert_eq!(r["spec"], Q, "{r}");
    assert_eq!(r["commit"]["subject"], format!("chant({Q}): make b fast"), "{r}");
    let text = r["markdown"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "Line 2 was last changed by `{}` \"chant({Q}): make b fast\" (Ada Tester, ",
            &r["commit"]["id"].as_str().unwrap()[..7]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Written for spec `{Q}` \"Make b fast\" (completed): its commit subject names the spec."
        )),
        "{text}"
    );
    let asked = s.received.iter().rev().find(|m| m["method"] == "window/showMessageRequest").expect("asked");
    assert_eq!(asked["params"]["actions"][0]["title"], "Open spec");
    let r = execute(&mut s, "chant.specOfLine", json!([store, 0]));
    assert_eq!(r["spec"], Value::Null, "{r}");
    assert!(r["markdown"].as_str().unwrap().contains("No spec claims this commit"), "{r}");

    // The hover says the same, with blame on.
    let h = hover_text(&mut s, &store, 1, 4);
    assert!(h.contains(&format!("Written for spec `{Q}` \"Make b fast\"")), "{h}");

    // Two uncommitted lines above: line 4 of the saved file is still Q's line 2; the
    // new lines are nobody's yet.
    std::fs::write(
        root.join("src/store.rs"),
        "// new\n// new\nfn a() {}\nfn b() { /* fast */ }\nfn c() {}\n",
    )
    .unwrap();
    let r = execute(&mut s, "chant.specOfLine", json!([store, 3]));
    assert_eq!((r["spec"].as_str(), r["commit"]["line"].as_u64()), (Some(Q), Some(2)), "{r}");
    let r = execute(&mut s, "chant.specOfLine", json!([store, 0]));
    assert_eq!(r["commit"], Value::Null, "{r}");
    assert!(r["markdown"].as_str().unwrap().starts_with("Line 1 has uncommitted changes"), "{r}");

    // Committed as P's work: the same saved file, a new HEAD, a new answer (the cache is
    // per HEAD, read by the server's git facts after the commit).
    g.commit(&format!("chant({P}): add a header"), T0 + 3 * DAY);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let r = loop {
        let r = execute(&mut s, "chant.specOfLine", json!([store, 0]));
        if r["spec"] == P || std::time::Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(r["spec"], P, "{r}");

    // Not a source file: a spec, or a line past the end.
    let q = uri(&root.join(format!(".chant/specs/{Q}.md")));
    let r = execute(&mut s, "chant.specOfLine", json!([q, 0]));
    assert!(refused(&r).contains("not a project file chant-lsp looks at"), "{r}");
    let r = execute(&mut s, "chant.specOfLine", json!([store, 99]));
    assert_eq!(refused(&r), "line 100 is past the end of src/store.rs (5 lines)", "{r}");
    let r = execute(&mut s, "chant.specOfLine", json!([store]));
    assert!(r["error"]["message"].as_str().unwrap().contains("line number"), "{r}");
    s.stop();
}

#[test]
fn blame_outside_git_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    write_in(&root, ".chant/config.md", "---\ndefaults:\n  prompt: standard\n---\n");
    write_in(&root, "src/a.rs", "fn a() {}\n");
    write_in(&root, &format!(".chant/specs/{P}.md"), &spec("pending", "A", "target_files:\n  - src/a.rs\n"));
    let mut s = start(&root, neovim_caps(), json!({ "sourceFiles": { "blame": true } }));
    let a = open_source(&mut s, &root.join("src/a.rs"));
    assert_eq!(lenses(&mut s, &a), ["○ changed by 001-ppp · A · pending"]);
    assert_eq!(hover_text(&mut s, &a, 0, 1), "");
    let r = execute(&mut s, "chant.specOfLine", json!([a, 0]));
    assert!(refused(&r).contains("not in a git repository"), "{r}");
    s.stop();
}

/// libgit2 would block on a FIFO where it reads: the `.gitattributes` on the blamed
/// file's path, or a file of the repository. Blame says which, and the server answers on.
#[test]
fn blame_through_a_fifo_says_why_and_never_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let (root, _g) = project(dir.path());
    let fifo = |rel: &str| {
        let p = root.join(rel);
        let _ = std::fs::remove_file(&p);
        nix::unistd::mkfifo(&p, nix::sys::stat::Mode::S_IRWXU).unwrap();
    };
    fifo("src/.gitattributes");
    let mut s = start(&root, neovim_caps(), json!({ "sourceFiles": { "blame": true } }));
    let store = open_source(&mut s, &root.join("src/store.rs"));
    let r = execute(&mut s, "chant.specOfLine", json!([store, 1]));
    assert!(refused(&r).contains("`src/.gitattributes` is a FIFO"), "{r}");
    std::fs::remove_file(root.join("src/.gitattributes")).unwrap();
    fifo(".git/index");
    let r = execute(&mut s, "chant.specOfLine", json!([store, 1]));
    assert!(refused(&r).contains("`.git/index` is a FIFO"), "{r}");
    s.stop();
    // A server started on it says so on the config, and answers.
    let mut s = start(&root, neovim_caps(), json!({ "sourceFiles": { "blame": true } }));
    let config = uri(&root.join(".chant/config.md"));
    s.wait_diagnostics(&config, TIMEOUT, |d| d.to_string().contains("`.git/index` is a FIFO"));
    let store = open_source(&mut s, &root.join("src/store.rs"));
    let r = execute(&mut s, "chant.specOfLine", json!([store, 1]));
    assert!(refused(&r).contains("`.git/index` is a FIFO"), "{r}");
    assert_eq!(s.stop(), Some(0));
}

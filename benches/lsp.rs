//! `cargo bench --bench lsp`: the language server on a generated 10k-spec project
//! (`CHANT_BENCH_LSP_SPECS` to change), driven over stdio by a real client process:
//!
//! * `initialize` answered; all diagnostics published (progress end) after `initialized`;
//! * a keystroke in a spec with dependents: time until its diagnostics and its
//!   dependents' are republished, minus the 150 ms debounce (200 edits, p50/p95);
//! * hover, definition, completion, code action and code lens round trips (p50/p95),
//!   next to a baseline
//!   request that does no analysis (`chant-lsp/documentText`);
//! * `chant-lsp/specs` (the whole project's specs view) round trips (50, p50/p95) and the
//!   size of its answer, next to the same baseline and the hovers;
//! * hover round trips while a run floods the server with output (the fake chant of
//!   `tests/fake-chant` printing 100,000 lines as fast as it can), next to the same
//!   hovers without a run, and how fast that output is streamed to the client;
//! * the server's peak RSS.

#![allow(clippy::print_stdout, reason = "a benchmark prints its numbers")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]
#![allow(dead_code, reason = "the shared client has helpers the benchmark does not use")]

#[path = "support/generate.rs"]
mod generate;
#[path = "../tests/support/lsp.rs"]
mod lsp;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use chant_lsp::analysis::ide::specs::SectionKind;
use chant_lsp::io::load::{self, Options};

fn project(n: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-projects/n{n}-v{}", generate::VERSION));
    if !root.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&root);
        generate::generate(&root, n).expect("generate");
        std::fs::write(root.join(".complete"), "").expect("marker");
    }
    root
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Makes the generated project its own git repository (one commit), once. The project
/// lies under `target/` of this checkout: without a repository of its own, git would find
/// this checkout's, and the fake chant's runs would branch and commit in it.
fn own_repository(root: &std::path::Path) {
    if root.join(".git").exists() {
        return;
    }
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = git2::Repository::init_opts(root, &opts).expect("git init");
    let mut index = repo.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
    index.write().expect("index write");
    let tree = repo.find_tree(index.write_tree().expect("tree")).expect("tree");
    let sig = git2::Signature::now("chant-lsp bench", "bench@example.invalid").expect("signature");
    repo.commit(Some("HEAD"), &sig, &sig, "generated project", &tree, &[]).expect("commit");
}

fn main() {
    let n: usize = std::env::var("CHANT_BENCH_LSP_SPECS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let root = project(n);
    own_repository(&root);
    let home = tempfile::tempdir().unwrap();

    // Pick an open spec whose edits reach dependents.
    let loaded = load::load(&root, &Options::default()).unwrap();
    let project = &loaded.workspace.project;
    let (target, dependents) = project
        .specs
        .iter()
        .filter(|s| s.place == chant_lsp::analysis::spec::Place::Active && s.status.as_str() == "pending")
        .map(|s| (s, project.dependents_of(&s.id).len()))
        .max_by_key(|(_, d)| *d)
        .expect("a spec with dependents");
    // A spec the editor would run (the fake chant changes it; it is restored after).
    let runnable = (0..project.specs.len())
        .find(|&i| {
            project.specs[i].place == chant_lsp::analysis::spec::Place::Active
                && chant_lsp::analysis::ide::actions::spec_actions(&loaded.workspace, i, &Default::default())
                    .iter()
                    .any(|a| a.verb == chant_lsp::analysis::ide::actions::Verb::Run && a.enabled.is_ok())
        })
        .map(|i| (project.specs[i].id.clone(), root.join(&project.specs[i].path)))
        .expect("a runnable spec");
    let target_path = root.join(&target.path);
    let dependent_uri = lsp::uri(&root.join(&project.specs[project.dependents_of(&target.id)[0]].path));
    let target_uri = lsp::uri(&target_path);
    let text = std::fs::read_to_string(&target_path).unwrap();
    drop(loaded);

    let started = Instant::now();
    let fake = format!("{}/tests/fake-chant/chant", env!("CARGO_MANIFEST_DIR"));
    let (mut s, _) = lsp::Server::start_env(
        &root,
        home.path(),
        lsp::vscode_caps(),
        json!({ "executable": fake }),
        &[("FAKE_CHANT_LINES", "100000"), ("FAKE_CHANT_DELAY", "0")],
    );
    let init_ms = ms(started.elapsed());
    let after_init = Instant::now();
    s.wait_for(0, Duration::from_secs(60), |m| m["params"]["value"]["kind"] == "end").expect("loaded");
    let load_ms = ms(after_init.elapsed());
    let published = s.received.iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").count();

    s.open(&target_path, &text, 1);
    s.drain(Duration::from_millis(300));
    // Keystrokes that flip the spec between readable and unreadable, so its own
    // diagnostics and its dependents' change every time.
    let status_line = text.lines().position(|l| l.starts_with("status:")).expect("status line") as u32;
    let mut keystroke = Vec::new();
    let mut dependents_done = Vec::new();
    for i in 0..200 {
        let version = i + 2;
        let new_status = if i % 2 == 0 { "pendingx" } else { "pending" };
        let from = s.received.len();
        let sent = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": target_uri, "version": version },
                    "contentChanges": [{ "range": { "start": { "line": status_line, "character": 8 }, "end": { "line": status_line + 1, "character": 0 } }, "text": format!("{new_status}\n") }] }),
        );
        let own = s
            .wait_for(from, Duration::from_secs(10), |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == target_uri
                    && m["params"]["version"] == version
            })
            .expect("own diagnostics");
        let own_at = sent.elapsed();
        let dep = s.wait_for(from, Duration::from_secs(10), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == dependent_uri
        });
        let dep_at = sent.elapsed();
        let _ = own;
        assert!(dep.is_some(), "dependent republished");
        keystroke.push((ms(own_at) - 150.0).max(0.0));
        dependents_done.push((ms(dep_at) - 150.0).max(0.0));
    }

    // Request latencies at positions in the open spec.
    let dep_line = text.lines().position(|l| l.starts_with("depends_on")).map(|l| l as u32 + 1);
    let position = |line: u32, ch: u32| json!({ "textDocument": { "uri": target_uri }, "position": { "line": line, "character": ch } });
    let mut timed = |method: &str, params: Value, out: &mut Vec<f64>| {
        let t = Instant::now();
        let r = s.request(method, params);
        out.push(ms(t.elapsed()));
        r
    };
    let (mut baseline, mut hover, mut definition, mut completion, mut code_action, mut code_lens) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let link_line = text.lines().position(|l| l.starts_with("- src/")).unwrap_or(5) as u32;
    for _ in 0..200 {
        timed("chant-lsp/documentText", json!({ "uri": target_uri }), &mut baseline);
        let on_id = dep_line.map_or(position(link_line, 4), |l| position(l, 5));
        let h = timed("textDocument/hover", on_id.clone(), &mut hover);
        assert!(!h.is_null(), "hover answered");
        timed("textDocument/definition", on_id, &mut definition);
        timed("textDocument/completion", position(status_line, 8), &mut completion);
        // VS Code asks for code actions on every cursor move, and for lenses on every edit.
        let range = json!({ "start": { "line": status_line, "character": 0 }, "end": { "line": status_line, "character": 0 } });
        let actions = timed(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": target_uri }, "range": range, "context": { "diagnostics": [] } }),
            &mut code_action,
        );
        assert!(actions.as_array().is_some_and(|a| !a.is_empty()), "code actions answered");
        timed("textDocument/codeLens", json!({ "textDocument": { "uri": target_uri } }), &mut code_lens);
    }

    // The specs view of the whole project: every spec classified, its buttons decided.
    let mut specs_view = Vec::new();
    let mut specs_bytes = 0;
    for _ in 0..50 {
        let r = timed("chant-lsp/specs", json!({}), &mut specs_view);
        let total = r["projects"][0]["counts"]["total"].as_u64().unwrap_or(0);
        assert!(total as usize >= n / 2, "the specs view holds the project: {total}");
        specs_bytes = r.to_string().len();
    }
    // What VS Code asks while Completed and Cancelled are collapsed: their counts, no rows.
    let open_kinds: Vec<&str> = SectionKind::ALL
        .into_iter()
        .filter(|k| !matches!(k, SectionKind::Completed | SectionKind::Cancelled))
        .map(SectionKind::name)
        .collect();
    let mut specs_open = Vec::new();
    let mut open_bytes = 0;
    for _ in 0..50 {
        let r = timed("chant-lsp/specs", json!({ "items": open_kinds }), &mut specs_open);
        assert!(r["projects"][0]["counts"]["completed"].as_u64().unwrap_or(0) > 0, "completed specs counted");
        open_bytes = r.to_string().len();
    }

    // The same hovers while a run floods the server with output.
    let (run_id, run_path) = runnable;
    let run_text = std::fs::read_to_string(&run_path).unwrap();
    let from = s.received.len();
    let run_started = Instant::now();
    let r = s.request(
        "workspace/executeCommand",
        json!({ "command": "chant.run", "arguments": [lsp::uri(&run_path)] }),
    );
    assert_eq!(r["started"], run_id.as_str(), "{r}");
    let mut hover_during = Vec::new();
    let on_id = dep_line.map_or(position(link_line, 4), |l| position(l, 5));
    let is_end = |m: &Value| {
        m["method"] == "$/progress"
            && m["params"]["value"]["kind"] == "end"
            && m["params"]["token"].as_str().is_some_and(|t| t.starts_with("chant-lsp/run/"))
    };
    while hover_during.len() < 200 && !s.received[from..].iter().any(is_end) {
        let t = Instant::now();
        let h = s.request("textDocument/hover", on_id.clone());
        assert!(!h.is_null(), "hover answered during the run");
        hover_during.push(ms(t.elapsed()));
    }
    s.wait_for(from, Duration::from_secs(120), is_end).expect("the run ended");
    let run_ms = ms(run_started.elapsed());
    let streamed: usize = s.received[from..]
        .iter()
        .filter(|m| m["method"] == "window/logMessage")
        .filter_map(|m| m["params"]["message"].as_str())
        .map(|t| t.lines().filter(|l| l.contains("agent step")).count())
        .sum();
    s.drain(Duration::from_millis(300));
    std::fs::write(&run_path, run_text).unwrap();
    for leftover in [format!(".chant/logs/{run_id}.log"), format!(".chant/logs/{run_id}.editor.log")] {
        let _ = std::fs::remove_file(root.join(leftover));
    }
    let rss = peak_rss_kb(s.pid());

    println!("chant-lsp server benchmark: {n} specs ({published} files published at startup), 2 threads");
    println!("  initialize answered                     {init_ms:8.1} ms");
    println!("  all diagnostics published after init.  {load_ms:8.1} ms");
    println!(
        "  keystroke → own diagnostics (- debounce) p50 {:6.2} ms   p95 {:6.2} ms",
        percentile(&mut keystroke, 0.5),
        percentile(&mut keystroke, 0.95)
    );
    println!(
        "  keystroke → dependents (- debounce)      p50 {:6.2} ms   p95 {:6.2} ms   ({dependents} dependents)",
        percentile(&mut dependents_done, 0.5),
        percentile(&mut dependents_done, 0.95)
    );
    for (name, v) in [
        ("baseline (no analysis)", &mut baseline),
        ("hover", &mut hover),
        ("definition", &mut definition),
        ("completion", &mut completion),
        ("code action", &mut code_action),
        ("code lens", &mut code_lens),
    ] {
        println!("  {name:<24} p50 {:6.2} ms   p95 {:6.2} ms", percentile(v, 0.5), percentile(v, 0.95));
    }
    println!(
        "  chant-lsp/specs          p50 {:6.2} ms   p95 {:6.2} ms   ({:.1} MB of JSON)",
        percentile(&mut specs_view, 0.5),
        percentile(&mut specs_view, 0.95),
        specs_bytes as f64 / 1e6
    );
    println!(
        "  chant-lsp/specs, Completed and Cancelled collapsed   p50 {:6.2} ms   p95 {:6.2} ms   ({:.1} MB of JSON)",
        percentile(&mut specs_open, 0.5),
        percentile(&mut specs_open, 0.95),
        open_bytes as f64 / 1e6
    );
    println!(
        "  hover during a run's output flood        p50 {:6.2} ms   p95 {:6.2} ms   ({} samples)",
        percentile(&mut hover_during, 0.5),
        percentile(&mut hover_during, 0.95),
        hover_during.len()
    );
    println!(
        "  run output streamed to the client        {streamed} lines in {run_ms:.0} ms ({:.0} lines/s)",
        streamed as f64 / (run_ms / 1000.0)
    );
    println!("  server peak RSS                         {:8.1} MB", rss as f64 / 1024.0);
    s.stop();
}

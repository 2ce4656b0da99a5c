//! Hostile shapes (issue 12): a long dependency cycle, a fan-in cycle, a wide
//! `depends_on` list, a long chain, deep nesting and aliases. Each shape is checked at
//! n and 4n, and the work it costs is counted, never timed: steps of the cycle search
//! (full check and an edit), bytes handed to serde_yaml, bytes `check` prints. Work
//! that grows linearly grows about 4×; quadratic work would grow 16×.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::Duration;

use chant_lsp::analysis::config::{self, ConfigText};
use chant_lsp::analysis::frontmatter;
use chant_lsp::analysis::layout;
use chant_lsp::analysis::spec::Context;
use chant_lsp::analysis::workspace;
use chant_lsp::cli::check::{self, CheckArgs, Format};
use chant_lsp::io::load::Options;
use serde_json::{json, Value};
use support::lsp::{vscode_caps, Server};
use support::project::Project;
use support::{check_codes, write_fixture, Fixture};

const CONFIG: &str =
    "//- .chant/config.md\n---\ndefaults:\n  prompt: standard\n---\n//- .chant/prompts/standard.md\nP\n";

fn id(i: usize) -> String {
    format!("2026-01-01-{i:05}-abc")
}

/// A spec file of the fixture with these dependencies.
fn spec(i: usize, deps: &[String], status: &str) -> String {
    let mut out = format!("//- .chant/specs/{}.md\n---\nstatus: {status}\n", id(i));
    if !deps.is_empty() {
        out.push_str("depends_on:\n");
        for d in deps {
            out.push_str(&format!("- {d}\n"));
        }
    }
    out.push_str(&format!("---\n# Spec {i}\n\n## Acceptance Criteria\n\n- [ ] it works\n"));
    out
}

/// Spec i depends on spec i + 1, and the last on the first.
fn long_cycle(n: usize) -> String {
    let specs: String = (0..n).map(|i| spec(i, &[id((i + 1) % n)], "pending")).collect();
    format!("{CONFIG}{specs}")
}

/// Spec 0 depends on specs 1..=n, each of them on spec n + 1, which depends on spec 0.
fn fan_in(n: usize) -> String {
    let mut out = CONFIG.to_string();
    out.push_str(&spec(0, &(1..=n).map(id).collect::<Vec<_>>(), "pending"));
    for i in 1..=n {
        out.push_str(&spec(i, &[id(n + 1)], "pending"));
    }
    out.push_str(&spec(n + 1, &[id(0)], "pending"));
    out
}

/// Spec 0 lists specs 1..=n, each twice (a duplicate-dependency finding each).
fn wide_list(n: usize) -> String {
    let mut out = CONFIG.to_string();
    let deps: Vec<String> = (1..=n).flat_map(|i| [id(i), id(i)]).collect();
    out.push_str(&spec(0, &deps, "pending"));
    for i in 1..=n {
        out.push_str(&spec(i, &[], "completed"));
    }
    out
}

/// Spec i depends on spec i + 1; no cycle.
fn long_chain(n: usize) -> String {
    let specs: String =
        (0..n).map(|i| spec(i, &if i + 1 < n { vec![id(i + 1)] } else { vec![] }, "pending")).collect();
    format!("{CONFIG}{specs}")
}

/// Fails when the work at 4n is more than 5 times the work at n (linear: 4×, n log n
/// at these sizes: under 5×, quadratic: 16×).
fn assert_linear(what: &str, at_n: usize, at_4n: usize) {
    assert!(at_n > 0, "{what}: no work counted");
    assert!(at_4n <= 5 * at_n, "{what}: {at_n} at n but {at_4n} at 4n: grows faster than linearly");
}

/// The cycle search's steps for a full check, and for an edit of spec `edit` (its
/// status changes, so its findings are recomputed).
fn cycle_work(fixture: &str, edit: usize) -> (usize, usize) {
    let f = Fixture::parse(fixture);
    let (mut ws, facts) = f.workspace(false);
    let full = ws.cycle_work();
    let path = format!(".chant/specs/{}.md", id(edit));
    let text = f.files[&path].replacen("status: pending", "status: in_progress", 1);
    let (config, _) =
        config::load(None, Some(ConfigText { path: ".chant/config.md", text: &f.files[".chant/config.md"] }));
    let prompts = workspace::prompt_names(f.files.keys().map(String::as_str));
    let ctx = Context { config: &config, prompts: &prompts, facts: &facts };
    let src = workspace::classify(&path).unwrap();
    let (summary, local) = workspace::analyze_source(&ctx, &src, Ok(text.as_bytes()));
    ws.update(summary, local);
    (full, ws.cycle_work() - full)
}

/// What `chant-lsp check` prints for the fixture, in JSON and for people.
fn printed(fixture: &str) -> (String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    write_fixture(&root, fixture);
    let run = |format| {
        let args = CheckArgs {
            paths: vec![root.clone()],
            format,
            color: false,
            options: Options {
                include_archived: false,
                home: Some(tmp.path().join("home")),
                check_only: true,
            },
            selection: Default::default(),
            fix: chant_lsp::cli::fix::FixMode::Off,
            git: false,
        };
        check::run(&args).unwrap().output
    };
    (run(Format::Json), run(Format::Human))
}

/// Every measure of a shape at n and 4n.
fn linear(name: &str, shape: fn(usize) -> String, n: usize, edit: usize) {
    let (small, large) = (shape(n), shape(4 * n));
    let (full_n, edit_n) = cycle_work(&small, edit);
    let (full_4n, edit_4n) = cycle_work(&large, edit);
    assert_linear(&format!("{name}: cycle search, full check"), full_n, full_4n);
    assert_linear(&format!("{name}: cycle search, one edit"), edit_n.max(1), edit_4n);
    let ((json_n, human_n), (json_4n, human_4n)) = (printed(&small), printed(&large));
    assert_linear(&format!("{name}: JSON printed"), json_n.len(), json_4n.len());
    assert_linear(&format!("{name}: human output printed"), human_n.len(), human_4n.len());
}

#[test]
fn a_long_cycle_costs_linear_work_and_names_a_bounded_witness() {
    linear("long cycle", long_cycle, 250, 100);
    let (json, human) = printed(&long_cycle(1000));
    let v: Value = serde_json::from_str(&json).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.iter().filter(|d| d["code"] == "dependency-cycle").count(), 1000);
    // A finding names its own edge and nine specs after it, ten before it returns,
    // and counts the rest; its related locations are the edges between named specs.
    let mid = format!("{}.md", id(500));
    let d = diags.iter().find(|d| d["file"].as_str().unwrap().ends_with(&mid)).unwrap();
    let msg = d["message"].as_str().unwrap();
    let names = format!("{} → {} → ", id(500), id(501));
    assert!(
        msg.contains(&names) && msg.contains(&format!("{} → (and 980 more specs) → {}", id(509), id(490))),
        "{msg}"
    );
    assert_eq!(msg.matches(" → ").count(), 21, "{msg}");
    assert_eq!(d["related"].as_array().unwrap().len(), 18, "{d}");
    assert!(human.contains("(and 980 more specs)"));
}

#[test]
fn a_fan_in_cycle_costs_linear_work() {
    linear("fan-in", fan_in, 250, 0);
    // Every edge is on the cycle, each named with a witness of three specs.
    let out = check_codes(&fan_in(3), &["dependency-cycle"]);
    assert_eq!(out.matches("dependency-cycle").count(), 3 + 3 + 1, "{out}");
    let hub = format!("{} → {} → {} → {}", id(0), id(2), id(4), id(0));
    assert!(out.contains(&hub), "{out}");
}

#[test]
fn a_wide_dependency_list_costs_linear_work() {
    linear("wide list", wide_list, 500, 0);
    let (json, _) = printed(&wide_list(2000));
    let v: Value = serde_json::from_str(&json).unwrap();
    let dups = v["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "duplicate-dependency");
    assert_eq!(dups.count(), 2000);
}

#[test]
fn a_long_chain_costs_linear_work() {
    linear("long chain", long_chain, 250, 100);
}

/// A spec whose `depends_on` is `depth` opening brackets.
fn deep_spec(key: &str, depth: usize) -> String {
    format!("---\nstatus: completed\n{key}: {}\nlabels: [a]\n---\n# Deep\n", "[".repeat(depth))
}

fn parse_frontmatter(text: &str) -> frontmatter::Parsed {
    let yaml = chant_lsp::analysis::split::split(text).yaml.unwrap();
    frontmatter::parse(text, yaml.clone(), &layout::scan(text, yaml))
}

#[test]
fn deep_nesting_never_reaches_serde_yaml() {
    // Bytes handed to serde_yaml do not grow with the depth: the value never gets there.
    let at_n = parse_frontmatter(&deep_spec("depends_on", 25_000)).serde_bytes;
    let at_4n = parse_frontmatter(&deep_spec("depends_on", 100_000)).serde_bytes;
    assert!(at_n > 0 && at_n < 100, "{at_n}");
    assert_eq!(at_n, at_4n);
    // Under a key chant reads: chant cannot read the spec.
    let fixture = format!("{CONFIG}//- .chant/specs/{}.md\n{}", id(1), deep_spec("depends_on", 100_000));
    let out = check_codes(&fixture, &["wrong-shape", "unread-value", "yaml-syntax"]);
    assert_eq!(out.matches("error wrong-shape").count(), 1, "{out}");
    assert!(out.contains("`depends_on` nests deeper than 64 levels"), "{out}");
    // Under a key chant ignores: a warning, and the rest is read (`labels`, `status`).
    let closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!("---\nstatus: completed\nnotes: {closed}\nlabels: [a]\n---\n# Deep\n");
    let p = parse_frontmatter(&text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.unread.len(), 1);
    assert_eq!(p.fm.labels, Some(vec!["a".to_string()]));
    assert_eq!(p.fm.status, frontmatter::Status::Completed);
    let fixture = format!("{CONFIG}//- .chant/specs/{}.md\n{text}", id(1));
    let out = check_codes(&fixture, &["wrong-shape", "unread-value", "yaml-syntax"]);
    assert!(
        out.contains("warning unread-value `notes`: chant-lsp did not read the value of `notes`"),
        "{out}"
    );
    // What serde_yaml reports on the rest lands where it is in the file.
    let text = format!("---\nnotes: {closed}\nstatus: nope\n---\n# Deep\n");
    let p = parse_frontmatter(&text);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(&text[p.errors[0].range.clone()], "nope");
    // Never closed: chant cannot read the spec, whatever the key.
    let fixture = format!("{CONFIG}//- .chant/specs/{}.md\n{}", id(1), deep_spec("notes", 1000));
    let out = check_codes(&fixture, &["wrong-shape", "unread-value", "yaml-syntax"]);
    assert!(out.contains("error yaml-syntax `[`"), "{out}");
    // Block nesting too: `- - - …` and indentation.
    let dashes = format!("---\nnotes: {}x\nstatus: completed\n---\n# D\n", "- ".repeat(10_000));
    let p = parse_frontmatter(&dashes);
    assert!(p.errors.is_empty() && p.unread.len() == 1, "{:?} {:?}", p.errors, p.unread);
}

#[test]
fn aliases_under_typed_keys_are_not_expanded_past_the_budget() {
    let long = "x".repeat(64 * 1024);
    let aliases = vec!["*s"; 2000].join(", ");
    let text = format!("---\nnote: &s {long}\nlabels: [{aliases}]\nstatus: completed\n---\n# A\n");
    let p = parse_frontmatter(&text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.unread.iter().map(|u| u.key.as_str()).collect::<Vec<_>>(), vec!["labels"]);
    assert_eq!(p.fm.status, frontmatter::Status::Completed);
    assert!(p.serde_bytes < 2 * text.len(), "{}", p.serde_bytes);
    // A few aliases are read as chant reads them.
    let text = "---\nnote: &s api\nlabels: [*s, *s]\n---\n# A\n";
    let p = parse_frontmatter(text);
    assert!(p.unread.is_empty() && p.errors.is_empty());
    assert_eq!(p.fm.labels, Some(vec!["api".to_string(), "api".to_string()]));
}

#[test]
fn recover_parses_the_failing_value_once() {
    let long = "x".repeat(100_000);
    let text = format!("---\nstatus: completed\nlabels: {long}\nprompt: p\n---\n# A\n");
    let p = parse_frontmatter(&text);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(p.fm.prompt.as_deref(), Some("p"));
    // The whole block once; the other entries alone and together: not the value again.
    assert!(p.serde_bytes < long.len() + 200, "{}", p.serde_bytes);
}

#[test]
fn a_config_nested_too_deep_is_reported_not_parsed() {
    let deep = "[".repeat(100_000);
    let fixture =
        format!("//- .chant/config.md\n---\ndefaults:\n  prompt: standard\nparallel: {deep}\n---\n");
    let out = check_codes(&fixture, &["config-unreadable", "unread-value"]);
    assert!(out.contains("error config-unreadable `[`"), "{out}");
    let fixture = format!(
        "//- .chant/config.md\n---\ndefaults:\n  prompt: standard\nnotes: {deep}{}\n---\n",
        "]".repeat(100_000)
    );
    let out = check_codes(&fixture, &["config-unreadable", "unread-value"]);
    assert!(out.contains("warning unread-value `notes`"), "{out}");
}

#[test]
fn the_server_serves_a_cycle_of_4000_specs() {
    let p = Project::new(&long_cycle(4000), false);
    let (mut s, _) = p.start(vscode_caps(), Value::Null);
    let mid = p.spec_uri(&id(2000));
    let d = s.wait_diagnostics(&mid, Duration::from_secs(120), |d| !Server::codes(d).is_empty());
    let msg = d["diagnostics"][0]["message"].as_str().unwrap();
    assert!(msg.contains("(and 3980 more specs)"), "{msg}");
    let symbols = s.request("workspace/symbol", json!({ "query": "Spec 3999" }));
    assert!(symbols.is_array(), "{symbols}");
    assert_eq!(s.stop(), Some(0));
}

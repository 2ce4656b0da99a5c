//! Whatever a user types or a disk holds, analysis and every editor feature answer
//! without panicking, and every range they return lies inside the text, on character
//! boundaries. The demo project's specs are mutated deterministically (seeded, so a
//! failure reproduces) with the characters and fragments that matter to chant's
//! reading: fences, colons, brackets, quotes, list dashes, tabs, CR, BOMs, multi-byte
//! text, spec IDs and paths.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use chant_lsp::analysis::diagnostic::FixAction;
use chant_lsp::analysis::ide::actions::{self, RunState};
use chant_lsp::analysis::ide::{completion, hints, hover, lenses, locate, navigation, symbols};
use chant_lsp::analysis::spec::{self, Context};
use chant_lsp::analysis::workspace;
use support::rng::Rng;
use support::Fixture;

const FRAGMENTS: &[&str] = &[
    "---",
    "---\n",
    "\n---\n",
    ":",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "- ",
    "\n- ",
    "\t",
    "\r\n",
    "\r",
    "\n",
    "#",
    "# ",
    "\n# T\n",
    "## Acceptance Criteria\n",
    "- [ ] ",
    "- [x] ",
    "```",
    "\n```\n",
    "~~~",
    "[[",
    "]]",
    "\u{feff}",
    "é",
    "日本語",
    "🦀",
    "\u{200b}",
    "2026-11-02-001-k3v",
    "2026-11-07-001-c1a",
    "2026-11-04-001-d1r.1",
    "2026-13-45-zzz-!!",
    "depends_on: ",
    "members: ",
    "target_files: ",
    "informed_by: ",
    "context: ",
    "status: ",
    "type: ",
    "approval:\n  status: ",
    "docs/",
    "../",
    "/etc/passwd",
    "src/*.rs",
    "**/",
    "derived_x=",
    "`",
    "&a ",
    "*a",
    "!!str ",
    "|\n  ",
    ">-\n  ",
    "~",
    "null",
    "0x1F",
    "1e9",
    "\\",
    "%",
    "@",
    "?",
    "\0",
    "\u{7f}",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let boundaries: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
        let at = boundaries[rng.below(boundaries.len())];
        match rng.below(5) {
            // Insert a fragment.
            0 | 1 => s.insert_str(at, FRAGMENTS[rng.below(FRAGMENTS.len())]),
            // Delete a run of characters.
            2 => {
                let end = boundaries.iter().copied().filter(|&e| e >= at).nth(rng.below(12)).unwrap_or(at);
                s.replace_range(at..end, "");
            }
            // Duplicate a line.
            3 => {
                let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = s[at..].find('\n').map_or(s.len(), |i| at + i + 1);
                let line = s[start..end].to_string();
                s.insert_str(start, &line);
            }
            // Truncate.
            _ => s.truncate(at),
        }
    }
    s
}

/// The demo project as a fixture (every text file under examples/demo).
fn demo() -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, text);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

fn in_text(text: &str, r: &Range<usize>, what: &str, case: &str) {
    assert!(
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end),
        "{what}: range {r:?} does not fit the text ({} bytes)\n{case}",
        text.len()
    );
}

/// Every feature at once on one mutated project; `case` says how to reproduce.
fn exercise(files: &BTreeMap<String, String>, path: &str, case: &str) {
    let fixture = Fixture { files: files.clone(), kinds: Default::default() };
    let (ws, facts) = fixture.workspace(true);
    let checked = ws.checked(&facts);
    for r in &checked.reports {
        let Some(text) = files.get(&r.path) else { continue };
        for d in &r.diagnostics {
            in_text(text, &d.range, &format!("{} {}", r.path, d.code.as_str()), case);
            for rel in &d.related {
                if let Some(t) = files.get(&rel.path) {
                    in_text(t, &rel.range, "related location", case);
                }
            }
            for fix in &d.fixes {
                if let FixAction::Edits(edits) = &fix.action {
                    let mut fixed = text.clone();
                    let mut sorted = edits.clone();
                    sorted.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
                    for (range, with) in &sorted {
                        in_text(&fixed, range, &format!("fix `{}`", fix.title), case);
                        fixed.replace_range(range.clone(), with);
                    }
                }
            }
        }
    }

    let text = &files[path];
    let src = workspace::classify(path).unwrap();
    let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
    let (f, _) = spec::analyze(&ctx, &src.id, &src.rel, src.place, text);
    let project = &ws.project;
    for s in symbols::outline(&f) {
        in_text(text, &s.range, "outline", case);
        in_text(text, &s.selection, "outline selection", case);
    }
    for fold in symbols::folding(&f) {
        in_text(text, &fold.range, "fold", case);
    }
    for l in navigation::document_links(project, &facts, &f) {
        in_text(text, &l.range, "document link", case);
    }
    for h in hints::inlay_hints(project, &f, 0..text.len()) {
        assert!(h.at <= text.len() && text.is_char_boundary(h.at), "inlay hint at {}\n{case}", h.at);
    }
    for run in [RunState::default(), RunState { running_here: true, ..RunState::default() }] {
        for l in lenses::lenses(&ws, &f, &run) {
            in_text(text, &l.range, "lens", case);
        }
    }
    if let Some(i) = ws.index_of(path) {
        let _ = actions::spec_actions(&ws, i, &RunState::default());
    }
    // Every character boundary for short files, a sample for longer ones.
    let step = (text.len() / 300).max(1);
    for offset in (0..=text.len()).step_by(step).filter(|&o| text.is_char_boundary(o)) {
        if let Some((_, r)) = locate::target_at(&f, offset) {
            in_text(text, &r, "target", case);
        }
        if let Some(h) = hover::hover(project, &facts, &f, offset) {
            in_text(text, &h.range, "hover", case);
        }
        for c in completion::complete(project, &facts, &f, offset).items {
            in_text(text, &c.replace, "completion", case);
        }
        for l in navigation::definition(project, &facts, &f, offset) {
            if let (Some(r), Some(t)) = (&l.range, files.get(&l.path)) {
                in_text(t, r, "definition", case);
            }
        }
        for l in navigation::references(project, &f, offset, true) {
            if let (Some(r), Some(t)) = (&l.range, files.get(&l.path)) {
                in_text(t, r, "reference", case);
            }
        }
    }
}

#[test]
fn mutated_specs_never_break_analysis_or_features() {
    let base = demo();
    let specs: Vec<String> = base.keys().filter(|p| workspace::classify(p).is_some()).cloned().collect();
    assert!(specs.len() >= 10, "the demo has its specs: {specs:?}");
    // CHANT_FUZZ_ROUNDS=n runs longer (the default keeps `cargo test` quick).
    let rounds: usize = std::env::var("CHANT_FUZZ_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let seed: u64 = std::env::var("CHANT_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed);
    for (k, path) in specs.iter().enumerate() {
        let mut rng = Rng(seed ^ ((k as u64 + 1) << 32) | 1);
        let mut text = base[path].clone();
        for round in 0..rounds {
            // Mutations accumulate, as edits do; now and then start again from the file.
            text = if rng.below(4) == 0 { mutate(&mut rng, &base[path]) } else { mutate(&mut rng, &text) };
            let mut files = base.clone();
            files.insert(path.clone(), text.clone());
            // Now and then the config is broken too.
            let config = ".chant/config.md";
            if rng.below(6) == 0 {
                let broken = mutate(&mut rng, &base[config]);
                files.insert(config.to_string(), broken);
            }
            let case = format!(
                "CHANT_FUZZ_SEED={seed} spec {path} round {round}; the text:\n{}\nthe config:\n{}",
                text.escape_debug(),
                files[config].escape_debug()
            );
            exercise(&files, path, &case);
        }
    }
}

#[test]
fn hostile_files_are_analysed() {
    let base = demo();
    let path = ".chant/specs/2026-11-05-001-u4x.md";
    let long_line = format!("---\nstatus: pending\ntarget_files: [{}]\n---\n# T\n", "a/".repeat(5_000));
    let deep_flow = format!("---\ndepends_on: {}{}\n---\n# T\n", "[".repeat(1_000), "]".repeat(1_000));
    let many_items: String = format!(
        "---\ndepends_on:\n{}---\n# T\n",
        (0..1_000).map(|i| format!("- 2026-01-01-{i:03}-aaa\n")).collect::<String>()
    );
    let anchors = "---\na: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n---\n# T\n";
    let cases = [
        String::new(),
        "\u{feff}".to_string(),
        "---".to_string(),
        "---\n---".to_string(),
        "\r\r\r---\r\nstatus: pending\r---\r# T".to_string(),
        "\0\0\0".to_string(),
        "---\n\t- : [ } ] {\n---\n".to_string(),
        "# only a title".to_string(),
        long_line,
        deep_flow,
        many_items,
        anchors.to_string(),
        "---\nstatus: pending\n---\n".to_string() + &"- [ ] x\n".repeat(5_000),
        "---\nstatus: pending\n---\n".to_string() + &"```\n".repeat(3_001),
    ];
    for (n, text) in cases.iter().enumerate() {
        let mut files = base.clone();
        files.insert(path.to_string(), text.clone());
        exercise(&files, path, &format!("hostile case {n}"));
    }
}

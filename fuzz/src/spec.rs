//! Target `spec`: the fuzzer's bytes are one spec file, analysed alone in a small fixed
//! project through the entries `check` and the server use (`analyze_source`, then the
//! workspace); then `check --fix`'s rounds, and every editor feature at offsets.

use chant_lsp::analysis::diagnostic::{Diagnostic, FixAction};
use chant_lsp::analysis::fix;
use chant_lsp::analysis::ide::actions::{self, RunState};
use chant_lsp::analysis::ide::symbols::Symbol;
use chant_lsp::analysis::ide::{completion, hints, hover, lenses, locate, navigation, rename, symbols};
use chant_lsp::analysis::spec::{self, Context};
use chant_lsp::analysis::workspace;

use super::{check_reports, in_text, no_internal_error, Files, DEFAULT_CONFIG};

/// The spec's path.
pub const PATH: &str = ".chant/specs/2026-01-01-001-aaa.md";

/// At most this many offsets are asked per feature (every character boundary of a
/// shorter text).
const OFFSETS: usize = 160;

pub fn spec(data: &[u8]) {
    let mut files = Files::new(Some(DEFAULT_CONFIG.as_bytes()));
    files.set(PATH, data);
    let (mut ws, facts) = files.workspace();
    check_reports(&ws.checked(&facts), &files);

    let text = files.text(PATH).unwrap_or_default();
    let src = workspace::classify(PATH).expect("a spec path");

    // `check --fix`, as cli::fix drives it (valid UTF-8 only): every round's fixes fit
    // the text of that round.
    if let Ok(original) = std::str::from_utf8(data) {
        let i = ws.index_of(PATH).expect("the spec is in the project");
        let fixed = fix::fix_text(original, |t: &str| {
            let (summary, local) = {
                let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
                workspace::analyze_source_with(&ctx, &src, Ok(t.as_bytes()), false)
            };
            ws.update(summary, local);
            let diags = ws.diagnostics(i);
            fixes_fit(t, &diags);
            diags
        });
        if !fixed.applied.is_empty() {
            let mut refixed = files.clone();
            refixed.set(PATH, fixed.text.as_bytes());
            let (ws, facts) = refixed.workspace();
            check_reports(&ws.checked(&facts), &refixed);
        }
        // Back to the text the features are asked on.
        let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
        let (summary, local) = workspace::analyze_source(&ctx, &src, Ok(data));
        ws.update(summary, local);
    }

    let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
    let (f, diags) = spec::analyze(&ctx, &src.id, &src.rel, src.place, &text);
    no_internal_error(PATH, &diags);
    let project = &ws.project;

    fn symbol(text: &str, s: &Symbol) {
        in_text(text, &s.range, "outline");
        in_text(text, &s.selection, "outline selection");
        assert!(
            s.range.start <= s.selection.start && s.selection.end <= s.range.end,
            "outline: selection {:?} outside its range {:?}",
            s.selection,
            s.range
        );
        for c in &s.children {
            symbol(text, c);
        }
    }
    for s in symbols::outline(&f) {
        symbol(&text, &s);
    }
    let folds = symbols::folding(&f);
    for fold in &folds {
        in_text(&text, &fold.range, "fold");
    }
    let order = |r: &std::ops::Range<usize>| (r.start, std::cmp::Reverse(r.end));
    assert!(folds.windows(2).all(|w| order(&w[0].range) <= order(&w[1].range)), "folds out of order");
    for l in navigation::document_links(project, &facts, &f) {
        in_text(&text, &l.range, "document link");
    }
    for h in hints::inlay_hints(project, &f, 0..text.len()) {
        assert!(h.at <= text.len() && text.is_char_boundary(h.at), "inlay hint at {}", h.at);
    }
    for run in [RunState::default(), RunState { running_here: true, ..RunState::default() }] {
        for l in lenses::lenses(&ws, &f, &run) {
            in_text(&text, &l.range, "lens");
        }
    }
    if let Some(i) = ws.index_of(PATH) {
        let _ = actions::spec_actions(&ws, i, &RunState::default());
    }
    if let Ok(plan) = rename::rename_spec(project, &src.id, "2026-01-01-009-zzz") {
        for e in plan.edits.iter().filter(|e| e.path == PATH) {
            in_text(&text, &e.range, "rename edit");
            assert_eq!(text[e.range.clone()], e.find, "rename: the edit's range holds what it replaces");
        }
    }

    let boundaries: Vec<usize> = (0..=text.len()).filter(|&o| text.is_char_boundary(o)).collect();
    let step = boundaries.len().div_ceil(OFFSETS).max(1);
    for &offset in boundaries.iter().step_by(step) {
        if let Some((_, r)) = locate::target_at(&f, offset) {
            in_text(&text, &r, "target");
        }
        if let Some(h) = hover::hover(project, &facts, &f, offset) {
            in_text(&text, &h.range, "hover");
        }
        for c in completion::complete(project, &facts, &f, offset).items {
            in_text(&text, &c.replace, "completion");
            assert!(
                c.replace.start <= offset && offset <= c.replace.end,
                "completion `{}`: its range {:?} does not hold the cursor {offset}",
                c.label,
                c.replace
            );
            assert!(
                !text[c.replace.clone()].contains(['\n', '\r']),
                "completion `{}`: its range {:?} spans lines",
                c.label,
                c.replace
            );
        }
        for l in navigation::definition(project, &facts, &f, offset) {
            if let (Some(r), Some(t)) = (&l.range, files.text(&l.path)) {
                in_text(&t, r, "definition");
            }
        }
        for l in navigation::references(project, &f, offset, true) {
            if let (Some(r), Some(t)) = (&l.range, files.text(&l.path)) {
                in_text(&t, r, "reference");
            }
        }
    }
}

/// Every fix's edits lie inside the text it was computed on.
fn fixes_fit(text: &str, diags: &[Diagnostic]) {
    no_internal_error(PATH, diags);
    for d in diags {
        in_text(text, &d.range, d.code.as_str());
        for fix in &d.fixes {
            if let FixAction::Edits(edits) = &fix.action {
                for (r, _) in edits {
                    in_text(text, r, &format!("fix `{}`", fix.title));
                }
            }
        }
    }
}

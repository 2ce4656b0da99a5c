//! Test support: multi-file fixtures and compact rendering of diagnostics.
//!
//! A fixture is one string; `//- <path>` starts a file (path relative to the project
//! root, or `~/…` for the user's home). Runs the same pipeline as `chant-lsp check`
//! with file facts answered from the fixture.

#![allow(dead_code, reason = "each test binary uses a different part of the support module")]

use std::collections::BTreeMap;

use chant_lsp::analysis::config::{self, ConfigText};
use chant_lsp::analysis::facts::{FileKind, MemFacts, ReadProblem};
use chant_lsp::analysis::spec::Context;
use chant_lsp::analysis::text::LineIndex;
use chant_lsp::analysis::workspace::{self, Checked, Workspace};

/// The project most fixtures start from: a config whose default prompt is `standard`,
/// that prompt, and a completed spec `2026-01-01-001-aaa` titled "Add the limiter"
/// (label `api`, target `src/limiter.rs`). A string literal, so that a test's fixture
/// can be a constant: `concat!(base!(), "//- …")`.
#[allow(unused_macros, reason = "each test binary uses a different part of the support module")]
macro_rules! base {
    () => {
        "\
//- .chant/config.md
---
defaults:
  prompt: standard
---
//- .chant/prompts/standard.md
# Standard prompt

Do the work.
//- src/limiter.rs
//- .chant/specs/2026-01-01-001-aaa.md
---
status: completed
labels: [api]
target_files: [src/limiter.rs]
---
# Add the limiter

## Acceptance Criteria

- [x] Implement it
"
    };
}
#[allow(unused_imports, reason = "each test binary uses a different part of the support module")]
pub(crate) use base;

pub struct Fixture {
    pub files: BTreeMap<String, String>,
    /// Paths that are not files with a text: `//-! <path> fifo|outside|denied` (a FIFO, a
    /// symlink leading outside the project, permission denied).
    pub kinds: BTreeMap<String, FileKind>,
}

impl Fixture {
    pub fn parse(text: &str) -> Fixture {
        let mut files = BTreeMap::new();
        let mut kinds = BTreeMap::new();
        let mut current: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix("//-! ") {
                let (path, kind) = rest.trim().split_once(' ').expect("//-! <path> <kind>");
                let kind = match kind {
                    "fifo" => FileKind::Special("a FIFO"),
                    "outside" => FileKind::Outside,
                    "denied" => FileKind::Unreadable(std::io::ErrorKind::PermissionDenied),
                    other => panic!("unknown kind {other}"),
                };
                kinds.insert(path.to_string(), kind);
                if let Some((p, t)) = current.take() {
                    files.insert(p, t);
                }
            } else if let Some(path) = line.strip_prefix("//- ") {
                if let Some((p, t)) = current.take() {
                    files.insert(p, t);
                }
                current = Some((path.trim().to_string(), String::new()));
            } else if let Some((_, t)) = current.as_mut() {
                t.push_str(line);
            }
        }
        if let Some((p, t)) = current {
            files.insert(p, t);
        }
        Fixture { files, kinds }
    }

    /// Runs the whole check on the fixture.
    pub fn workspace(&self, include_archived: bool) -> (Workspace, MemFacts) {
        let project_files: Vec<(&str, &str)> = self
            .files
            .iter()
            .filter(|(p, _)| !p.starts_with("~/"))
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let facts =
            self.kinds.iter().fold(MemFacts::new(project_files.iter().copied()), |f, (p, k)| f.with(p, *k));
        let global = self.files.get("~/.config/chant/config.md");
        let project = self.files.get(".chant/config.md");
        let (config, reports) = config::load(
            global.map(|t| ConfigText { path: "~/.config/chant/config.md", text: t }),
            project.map(|t| ConfigText { path: ".chant/config.md", text: t }),
        );
        let prompts = workspace::prompt_names(self.files.keys().map(String::as_str));
        let ctx = Context { config: &config, prompts: &prompts, facts: &facts };
        let mut specs: Vec<(workspace::SpecSource, Result<&[u8], ReadProblem>)> = self
            .files
            .iter()
            .filter_map(|(p, t)| workspace::classify(p).map(|s| (s, Ok(t.as_bytes()))))
            .collect();
        for (p, k) in &self.kinds {
            if let (Some(s), Some(problem)) = (workspace::classify(p), k.problem()) {
                specs.push((s, Err(problem)));
            }
        }
        specs.sort_by(|a, b| a.0.rel.cmp(&b.0.rel));
        let results =
            specs.into_iter().map(|(s, bytes)| workspace::analyze_source(&ctx, &s, bytes)).collect();
        let ws = Workspace::build(
            &workspace::serial,
            config.clone(),
            reports,
            project.is_none(),
            prompts.clone(),
            results,
            include_archived,
        );
        (ws, facts)
    }

    /// Runs the whole check on the fixture and returns what `check` would print.
    pub fn check(&self, include_archived: bool) -> Checked {
        let (ws, facts) = self.workspace(include_archived);
        ws.checked(&facts)
    }

    /// Every diagnostic as `path:line:col severity code `covered text`: message`,
    /// with related locations indented below.
    pub fn render(&self, checked: &Checked) -> String {
        let mut out = String::new();
        for r in &checked.reports {
            let text = self.files.get(&r.path).map(String::as_str).unwrap_or("");
            let idx = LineIndex::new(text);
            for d in &r.diagnostics {
                let p = idx.position(d.range.start);
                let covered = text.get(d.range.clone()).unwrap_or("");
                out.push_str(&format!(
                    "{}:{}:{} {} {} `{}`: {}\n",
                    r.path,
                    p.line + 1,
                    p.chars + 1,
                    d.severity.as_str(),
                    d.code.as_str(),
                    covered.escape_debug(),
                    d.message
                ));
                for rel in &d.related {
                    let rt = self.files.get(&rel.path).map(String::as_str).unwrap_or("");
                    let rp = LineIndex::new(rt).position(rel.range.start);
                    out.push_str(&format!(
                        "    = {}:{}:{} {}\n",
                        rel.path,
                        rp.line + 1,
                        rp.chars + 1,
                        rel.message
                    ));
                }
            }
        }
        out
    }
}

/// Checks a fixture (archived specs' own findings left out) and renders the result.
pub fn check(fixture: &str) -> String {
    let f = Fixture::parse(fixture);
    let c = f.check(false);
    f.render(&c)
}

/// Only the diagnostics with one of these codes (with their related lines).
pub fn check_codes(fixture: &str, codes: &[&str]) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in check(fixture).lines() {
        if !line.starts_with("    = ") {
            keep = codes.contains(&line.split(' ').nth(2).unwrap_or(""));
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A fixture with one cursor (`$0`) in one of its files.
pub struct Cursor {
    pub fixture: Fixture,
    pub path: String,
    pub offset: usize,
}

impl Cursor {
    pub fn parse(text: &str) -> Cursor {
        let mut fixture = Fixture::parse(text);
        let (path, offset) = fixture
            .files
            .iter()
            .find_map(|(p, t)| t.find("$0").map(|o| (p.clone(), o)))
            .expect("a $0 marker");
        let text = fixture.files[&path].replace("$0", "");
        fixture.files.insert(path.clone(), text);
        Cursor { fixture, path, offset }
    }

    /// Runs `f` with the workspace, the facts and the analysed file under the cursor.
    pub fn with<R>(
        &self,
        f: impl FnOnce(&Workspace, &MemFacts, &chant_lsp::analysis::spec::SpecFile, usize) -> R,
    ) -> R {
        let (ws, facts) = self.fixture.workspace(false);
        let src = workspace::classify(&self.path).expect("cursor in a spec");
        let ctx = Context { config: ws.config(), prompts: &ws.prompts, facts: &facts };
        let text = &self.fixture.files[&self.path];
        let (file, _) = chant_lsp::analysis::spec::analyze(&ctx, &src.id, &src.rel, src.place, text);
        f(&ws, &facts, &file, self.offset)
    }

    /// `path:line:col` of a byte offset in a fixture file.
    pub fn pos(&self, path: &str, offset: usize) -> String {
        let text = self.fixture.files.get(path).map(String::as_str).unwrap_or("");
        let p = LineIndex::new(text).position(offset);
        format!("{path}:{}:{}", p.line + 1, p.chars + 1)
    }
}

pub mod git;
pub mod lsp;
pub mod project;
pub mod requests;
pub mod rng;
pub mod runs;

/// Writes a multi-file fixture into `root`.
pub fn write_fixture(root: &std::path::Path, fixture: &str) {
    for (path, text) in &Fixture::parse(fixture).files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

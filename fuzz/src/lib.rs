//! The bodies of chant-lsp's fuzz targets, shared by the cargo-fuzz binaries
//! (`fuzz_targets/*.rs`, nightly) and by the corpus replay (`tests/fuzz_corpus.rs`,
//! which compiles this file as a module on stable): one body, two drivers.
//!
//! Each body takes the fuzzer's bytes, drives chant-lsp's library through the entries
//! that `check` and the server use, and panics when an invariant fails:
//! - [`spec`]: one spec text analysed alone, every editor feature asked at offsets;
//! - [`project`]: a small project analysed whole, then updated one file at a time, each
//!   state compared with a fresh check;
//! - [`lsp_edits`]: `didChange` range edits applied as the server applies them,
//!   compared with a plain reference.

use std::collections::BTreeMap;
use std::ops::Range;

use chant_lsp::analysis::config::{self, ConfigText};
use chant_lsp::analysis::diagnostic::{Code, Diagnostic, FixAction};
use chant_lsp::analysis::facts::{FileKind, MemFacts, ReadProblem};
use chant_lsp::analysis::spec::Context;
use chant_lsp::analysis::workspace::{self, Checked, Workspace};

mod edits;
mod project;
mod spec;

pub use edits::lsp_edits;
pub use project::project;
pub use spec::spec;

/// Files every fuzzed project has besides its specs: a config naming the `standard`
/// prompt, that prompt, and files the specs may link to.
const FIXED: &[(&str, &str)] = &[
    (".chant/prompts/standard.md", "# Standard prompt\n\nDo the work.\n"),
    ("docs/x.md", "x\n"),
    ("src/lib.rs", "fn main() {}\n"),
];

pub const DEFAULT_CONFIG: &str = "---\ndefaults:\n  prompt: standard\n---\n";

/// A project as the fuzzer wrote it: texts by path (specs may be any bytes, decoded as
/// the loader decodes them) and paths that are not readable files.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub bytes: BTreeMap<String, Vec<u8>>,
    pub kinds: BTreeMap<String, FileKind>,
}

impl Files {
    pub fn new(config: Option<&[u8]>) -> Files {
        let mut files = Files::default();
        for (p, t) in FIXED {
            files.bytes.insert(p.to_string(), t.as_bytes().to_vec());
        }
        if let Some(c) = config {
            files.bytes.insert(".chant/config.md".to_string(), c.to_vec());
        }
        files
    }

    /// Sets `path` to a text (removing any other kind it had).
    pub fn set(&mut self, path: &str, bytes: &[u8]) {
        self.kinds.remove(path);
        self.bytes.insert(path.to_string(), bytes.to_vec());
    }

    /// Makes `path` something that cannot be read.
    pub fn set_kind(&mut self, path: &str, kind: FileKind) {
        self.bytes.remove(path);
        self.kinds.insert(path.to_string(), kind);
    }

    pub fn remove(&mut self, path: &str) {
        self.bytes.remove(path);
        self.kinds.remove(path);
    }

    /// The text of a file as analysis sees it (lossy, as `workspace::decode` reads it).
    pub fn text(&self, path: &str) -> Option<String> {
        self.bytes.get(path).map(|b| workspace::decode(b.clone()).0)
    }

    /// How a spec file reads: its bytes, or why it cannot be read.
    pub fn read(&self, path: &str) -> Result<&[u8], ReadProblem> {
        match (self.bytes.get(path), self.kinds.get(path)) {
            (Some(b), _) => Ok(b.as_slice()),
            (None, Some(k)) => Err(k.problem().unwrap_or(ReadProblem::Missing)),
            (None, None) => Err(ReadProblem::Missing),
        }
    }

    pub fn facts(&self) -> MemFacts {
        let texts: Vec<(String, String)> =
            self.bytes.keys().filter_map(|p| Some((p.clone(), self.text(p)?))).collect();
        let facts = MemFacts::new(texts.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        self.kinds.iter().fold(facts, |f, (p, k)| f.with(p, *k))
    }

    /// A whole check, as `check` and the server's load run it (archived specs' own
    /// findings included, as the server reports them).
    pub fn workspace(&self) -> (Workspace, MemFacts) {
        let facts = self.facts();
        let config_text = self.text(".chant/config.md");
        let (config, reports) = config::load(
            None,
            config_text.as_deref().map(|t| ConfigText { path: ".chant/config.md", text: t }),
        );
        let prompts = workspace::prompt_names(self.bytes.keys().map(String::as_str));
        let ctx = Context { config: &config, prompts: &prompts, facts: &facts };
        let mut sources: Vec<workspace::SpecSource> =
            self.bytes.keys().chain(self.kinds.keys()).filter_map(|p| workspace::classify(p)).collect();
        sources.sort_by(|a, b| a.rel.cmp(&b.rel));
        sources.dedup();
        let results = sources
            .iter()
            .map(|s| {
                let analysed = workspace::analyze_source(&ctx, s, self.read(&s.rel));
                no_internal_error(&s.rel, &analysed.1);
                analysed
            })
            .collect();
        let ws = Workspace::build(
            &workspace::serial,
            config.clone(),
            reports,
            config_text.is_none(),
            prompts.clone(),
            results,
            true,
        );
        (ws, facts)
    }
}

/// A rule that panicked shows as an `internal-error` diagnostic (the panic is caught):
/// for the fuzzer that is a crash.
pub fn no_internal_error(path: &str, diags: &[Diagnostic]) {
    if let Some(d) = diags.iter().find(|d| d.code == Code::InternalError) {
        panic!("{path}: a rule panicked: {}", d.message);
    }
}

/// `r` lies inside `text`, on character boundaries.
pub fn in_text(text: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end),
        "{what}: range {r:?} does not fit the text ({} bytes): {:?}",
        text.len(),
        text
    );
}

/// What `check` prints holds together: reports sorted by path, one per file; each
/// file's diagnostics sorted by position (then code) without duplicates; every range,
/// related range and fix edit inside its file; a fix's edits do not overlap.
pub fn check_reports(checked: &Checked, files: &Files) {
    for pair in checked.reports.windows(2) {
        assert!(pair[0].path < pair[1].path, "reports out of order: {} then {}", pair[0].path, pair[1].path);
    }
    for r in &checked.reports {
        no_internal_error(&r.path, &r.diagnostics);
        assert!(!r.diagnostics.is_empty(), "{}: an empty report", r.path);
        for pair in r.diagnostics.windows(2) {
            let key = |d: &Diagnostic| (d.range.start, d.range.end, d.code, d.message.clone());
            assert!(
                key(&pair[0]) < key(&pair[1]),
                "{}: diagnostics out of order or repeated: {pair:?}",
                r.path
            );
        }
        let text = files.text(&r.path).unwrap_or_default();
        for d in &r.diagnostics {
            in_text(&text, &d.range, &format!("{} {}", r.path, d.code.as_str()));
            for rel in &d.related {
                let t = files.text(&rel.path).unwrap_or_default();
                in_text(&t, &rel.range, &format!("{} {}: related location", r.path, d.code.as_str()));
            }
            for fix in &d.fixes {
                if let FixAction::Edits(edits) = &fix.action {
                    let mut sorted: Vec<&(Range<usize>, String)> = edits.iter().collect();
                    sorted.sort_by_key(|(r, _)| (r.start, r.end));
                    for (range, _) in &sorted {
                        in_text(&text, range, &format!("{}: fix `{}`", r.path, fix.title));
                    }
                    for pair in sorted.windows(2) {
                        assert!(
                            pair[0].0.end <= pair[1].0.start,
                            "{}: fix `{}` has overlapping edits {:?}",
                            r.path,
                            fix.title,
                            (&pair[0].0, &pair[1].0)
                        );
                    }
                }
            }
        }
    }
}

/// Splits fuzzer bytes into parts at every `0xFF` (a byte that never occurs in UTF-8,
/// so texts keep every character they can have).
pub fn parts(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == 0xFF).collect()
}

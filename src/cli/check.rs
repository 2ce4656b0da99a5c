//! `chant-lsp check`: every diagnostic of the projects holding the given PATHs, printed
//! for people (`human.rs`), as JSON (`json.rs`), SARIF (`sarif.rs`) or GitHub Actions
//! workflow commands (`github.rs`); `--fix` and `--diff` apply the automatic fixes first
//! (`fix.rs`).
//!
//! Each project is analysed whole, so that cross-file findings stay right; only the files
//! under the PATHs are reported (all of them without a PATH). The codes reported are
//! chosen by `--select` / `--ignore`, then the project's `chant-lsp.toml`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::fix::{self, FixMode};
use crate::analysis::diagnostic::Severity;
use crate::analysis::facts::caps;
use crate::analysis::selection::{self, Selection, PROJECT_FILE};
use crate::analysis::spec::Place;
use crate::analysis::text::{LineIndex, Position};
use crate::analysis::workspace::FileReport;
use crate::io::load::{self, Options};
use crate::io::read::Project;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone)]
pub struct CheckArgs {
    /// What to report: files or folders inside chant projects (none: the whole project
    /// of the current directory).
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub color: bool,
    pub options: Options,
    /// Read the git repository for git-based findings (off with `--no-git`).
    pub git: bool,
    /// `--select` / `--ignore`, over the project's `chant-lsp.toml`.
    pub selection: Selection,
    pub fix: FixMode,
}

/// The result of a check: what to print on stdout and stderr, and the exit code.
pub struct Outcome {
    pub output: String,
    pub notes: String,
    pub exit_code: i32,
}

/// What is reported of one project.
pub struct ProjectReport {
    pub root: PathBuf,
    /// The root as shown before project-relative paths: `""` for the current directory,
    /// else relative to it (or absolute) with a trailing `/`.
    pub display: String,
    /// Files under the PATHs with diagnostics of the selected codes, sorted by path.
    pub reports: Vec<FileReport>,
    /// Specs under the PATHs.
    pub active_specs: usize,
    pub archived_specs: usize,
}

/// A project and what of it to report.
struct Target {
    root: PathBuf,
    /// Report only files under these (canonical) paths; `None`: everything.
    scope: Option<Vec<PathBuf>>,
}

impl Target {
    fn in_scope(&self, rel: &str) -> bool {
        match &self.scope {
            None => true,
            // The global config lies outside every project: only a whole project shows it.
            Some(_) if Path::new(rel).is_absolute() => false,
            Some(paths) => {
                let abs = self.root.join(rel);
                paths.iter().any(|p| abs.starts_with(p))
            }
        }
    }
}

/// Runs a check. `Err` is a usage or IO problem (exit code 2).
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let mut projects = Vec::new();
    let mut fixes = Vec::new();
    for target in targets(&args.paths)? {
        let selection = args.selection.over(&project_file(&target.root)?);
        let mut project = load::load(&target.root, &args.options)?;
        if args.fix != FixMode::Off {
            let in_scope = |rel: &str| target.in_scope(rel);
            let display = display_root(&target.root);
            fixes.extend(fix::fix_project(&mut project, &display, &in_scope, &selection, args.fix));
        }
        if args.git {
            crate::io::git::attach(&target.root, &mut project.workspace);
        }
        let checked = project.workspace.checked(&project.facts);
        let (mut active_specs, mut archived_specs) = (0, 0);
        for s in project.workspace.project.specs.iter().filter(|s| target.in_scope(&s.path)) {
            if s.place == Place::Archived {
                archived_specs += 1;
            } else {
                active_specs += 1;
            }
        }
        // Freeing a large project takes a while and nothing needs it: a thread does it
        // while the report is printed (or the process exits first).
        std::thread::spawn(move || drop(project));
        let reports = checked
            .reports
            .into_iter()
            .filter(|r| target.in_scope(&r.path))
            .filter_map(|mut r| {
                r.diagnostics.retain(|d| selection.allows(d.code));
                (!r.diagnostics.is_empty()).then_some(r)
            })
            .collect();
        let display = display_root(&target.root);
        projects.push(ProjectReport { root: target.root, display, reports, active_specs, archived_specs });
    }
    if args.fix == FixMode::Diff {
        let (output, notes) = fix::diff_report(&fixes);
        let exit_code = i32::from(fixes.iter().any(|f| f.changes()));
        return Ok(Outcome { output, notes, exit_code });
    }
    let fixed = (args.fix == FixMode::Write).then(|| fix::report(&fixes));
    let mut notes = String::new();
    let mut output = String::new();
    if let Some(fixed) = fixed {
        // People read it before what is left; machine formats keep stdout to themselves.
        if args.format == Format::Human {
            output.push_str(&fixed);
        } else {
            notes.push_str(&fixed);
        }
    }
    output += &match args.format {
        Format::Human => super::human::print(&projects, args.color),
        Format::Json => serde_json::to_string_pretty(&super::json::to_json(&projects))? + "\n",
        Format::Sarif => serde_json::to_string_pretty(&super::sarif::to_sarif(&projects))? + "\n",
        Format::Github => super::github::print(&projects),
    };
    let errors = count(&projects, Severity::Error);
    Ok(Outcome { output, notes, exit_code: i32::from(errors > 0) })
}

/// The projects of the PATHs, each once (sorted by root), with what to report of each.
fn targets(paths: &[PathBuf]) -> anyhow::Result<Vec<Target>> {
    if paths.is_empty() {
        let root = canonical(&load::root_for(Path::new("."))?)?;
        return Ok(vec![Target { root, scope: None }]);
    }
    let mut by_root: BTreeMap<PathBuf, Option<Vec<PathBuf>>> = BTreeMap::new();
    for p in paths {
        let root = canonical(&load::root_for(p)?)?;
        let path = canonical(&std::path::absolute(p)?)?;
        let scope = by_root.entry(root.clone()).or_insert_with(|| Some(Vec::new()));
        if path == root {
            *scope = None;
        } else if let Some(s) = scope {
            s.push(path);
        }
    }
    Ok(by_root.into_iter().map(|(root, scope)| Target { root, scope }).collect())
}

/// `path` without symbolic links in its folders (a link as the last component is kept:
/// it is the name the project uses).
fn canonical(path: &Path) -> anyhow::Result<PathBuf> {
    let resolve =
        |p: &Path| std::fs::canonicalize(p).with_context(|| format!("cannot resolve {}", p.display()));
    if path.is_dir() {
        return resolve(path);
    }
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => Ok(resolve(dir)?.join(name)),
        _ => resolve(path),
    }
}

/// The selection of the project's `chant-lsp.toml` (none when there is no such file).
/// Anything in it that cannot be used is an error: a check must not pass because a code
/// was misspelled.
fn project_file(root: &Path) -> anyhow::Result<Selection> {
    let path = root.join(PROJECT_FILE);
    let text = match Project::new(root).read(Path::new(PROJECT_FILE), caps::SPEC) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(crate::analysis::facts::ReadProblem::Missing) => return Ok(Selection::default()),
        Err(e) => anyhow::bail!("{} {}", path.display(), e.describe()),
    };
    let (selection, problems) = selection::parse_project_file(&text);
    if !problems.is_empty() {
        anyhow::bail!("{} ({})", problems.join("; "), path.display());
    }
    Ok(selection)
}

/// How the project root is shown: relative to the current directory when inside it.
pub(super) fn display_root(root: &Path) -> String {
    let cwd = std::env::current_dir().ok().and_then(|c| std::fs::canonicalize(c).ok());
    match cwd.as_deref().and_then(|c| root.strip_prefix(c).ok()) {
        Some(rel) if rel.as_os_str().is_empty() => String::new(),
        Some(rel) => format!("{}/", escaped(&rel.display().to_string())),
        None => format!("{}/", escaped(&root.display().to_string())),
    }
}

/// A project file's path as shown: after the displayed root, escaped.
pub(super) fn shown(display_root: &str, path: &str) -> String {
    escaped(&joined(display_root, path)).into_owned()
}

/// A project file's path after the displayed root, not escaped.
pub(super) fn joined(display_root: &str, path: &str) -> String {
    if Path::new(path).is_absolute() {
        path.to_string()
    } else {
        format!("{display_root}{path}")
    }
}

/// Characters a terminal acts on instead of showing (ESC, CR, newline and the other
/// controls, and the bidirectional overrides that reorder what is shown).
pub(super) fn acts_on_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from the project (paths, IDs, titles, values in messages) as it may be printed:
/// every character a terminal would act on is written as an escape (`\n`, `\u{1b}`), so
/// a name can neither clear the screen nor forge a `path:line:col:` line for CI.
pub(super) fn escaped(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts_on_terminal(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A file's text for position conversion, read again (the load dropped it): a project
/// file only when it is a regular file inside the project (a file the load did not read
/// is not read here either), or the global config (an absolute path).
pub(super) fn read_text(root: &Path, path: &str) -> String {
    let text = if Path::new(path).is_absolute() {
        load::read_config_text(Path::new(path))
    } else {
        Project::new(root).read_text(Path::new(path), caps::SPEC)
    };
    text.unwrap_or_default()
}

/// One file's text and line index, plus the texts of the other files its diagnostics
/// point to (related locations), each read once.
pub(super) struct FileTexts<'a> {
    root: &'a Path,
    path: &'a str,
    pub idx: LineIndex<'a>,
    others: HashMap<String, String>,
}

impl<'a> FileTexts<'a> {
    pub fn new(root: &'a Path, path: &'a str, text: &'a str) -> Self {
        FileTexts { root, path, idx: LineIndex::new(text), others: HashMap::new() }
    }

    /// The position of `offset` in `path` (this file or another).
    pub fn position(&mut self, path: &str, offset: usize) -> Position {
        self.with_index(path, |idx| idx.position(offset))
    }

    pub fn with_index<R>(&mut self, path: &str, f: impl FnOnce(&LineIndex) -> R) -> R {
        if path == self.path {
            return f(&self.idx);
        }
        let root = self.root;
        let text = self.others.entry(path.to_string()).or_insert_with(|| read_text(root, path));
        f(&LineIndex::new(text))
    }
}

/// Diagnostics of one severity in every project.
pub(super) fn count(projects: &[ProjectReport], sev: Severity) -> usize {
    projects
        .iter()
        .flat_map(|p| &p.reports)
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.severity == sev)
        .count()
}

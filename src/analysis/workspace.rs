//! A whole project's check, without IO: the caller lists the files and hands over
//! their bytes; this module analyses each spec ([`analyze_source`], safe to call from
//! several threads) and then runs the cross-file rules ([`Workspace::build`]), and keeps
//! the result up to date one spec at a time ([`Workspace::update`]). `io::load` drives
//! it from the disk, the language server from disk and open buffers, tests from fixture
//! strings.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use super::config::{Config, ConfigReport};
use super::diagnostic::{Code, Diagnostic};
use super::facts::{caps, FileFacts, ReadProblem};
use super::frontmatter::Status;
use super::git::{self, rules::GitInputs, GitFacts};
use super::hash::FastMap;
use super::project::cycles::Cycles;
use super::project::Project;
use super::spec::{self, Context, Place, Readable, Summary};

/// A spec file of the project: its path, ID and place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecSource {
    /// Project-relative path with `/` separators.
    pub rel: String,
    pub id: String,
    pub place: Place,
}

/// Which project files are specs, as chant decides: every `*.md` under
/// `.chant/specs/` (subfolders included) and, for chant-lsp, under `.chant/archive/`.
/// The ID is the file stem.
pub fn classify(rel: &str) -> Option<SpecSource> {
    let (place, rest) = if let Some(rest) = rel.strip_prefix(".chant/specs/") {
        (if rest.contains('/') { Place::Nested } else { Place::Active }, rest)
    } else if let Some(rest) = rel.strip_prefix(".chant/archive/") {
        (Place::Archived, rest)
    } else {
        return None;
    };
    let name = rest.rsplit('/').next()?;
    let id = name.strip_suffix(".md")?;
    if id.is_empty() {
        return None;
    }
    Some(SpecSource { rel: rel.to_string(), id: id.to_string(), place })
}

/// Decodes bytes as chant reads them; returns the text (lossy when invalid) and the
/// offset of the first invalid byte.
pub fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

/// [`decode`] without copying valid UTF-8.
pub fn decode_borrowed(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, Option<usize>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), None),
        Err(e) => (String::from_utf8_lossy(bytes), Some(e.valid_up_to())),
    }
}

/// Diagnostics of one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// Project-relative path (`/` separators), or an absolute path for files outside
    /// the project (the global config).
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Analyses one spec from its bytes (`Err` = the file could not be read: why). Never
/// panics: a bug in a rule becomes an `internal-error` diagnostic. Bytes past
/// [`caps::SPEC`] are not analysed (`too-large`).
pub fn analyze_source(
    ctx: &Context,
    src: &SpecSource,
    bytes: Result<&[u8], ReadProblem>,
) -> (Summary, Vec<Diagnostic>) {
    analyze_source_with(ctx, src, bytes, true)
}

/// [`analyze_source`]; without `editor`, the summary leaves out what only editor
/// features read ([`spec::SpecFile::summary_with`]).
pub fn analyze_source_with(
    ctx: &Context,
    src: &SpecSource,
    bytes: Result<&[u8], ReadProblem>,
    editor: bool,
) -> (Summary, Vec<Diagnostic>) {
    analyze_bytes(ctx, src, bytes, editor, false)
}

fn analyze_bytes(
    ctx: &Context,
    src: &SpecSource,
    bytes: Result<&[u8], ReadProblem>,
    editor: bool,
    hidden_bom: bool,
) -> (Summary, Vec<Diagnostic>) {
    let bytes = match bytes {
        Ok(b) if b.len() > caps::SPEC => Err(ReadProblem::TooLarge { cap: caps::SPEC }),
        other => other,
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(problem) => {
            return (Summary::unreadable(&src.id, &src.rel, src.place), vec![unread_spec(problem)]);
        }
    };
    let (text, invalid) = decode_borrowed(bytes);
    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (file, diags) = spec::analyze_with(ctx, &src.id, &src.rel, src.place, &text, hidden_bom);
        (file.summary_with(editor), diags)
    }));
    let (mut summary, mut diags) = match analysed {
        Ok(r) => r,
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let d = Diagnostic::new(
                Code::InternalError,
                0..0,
                format!("chant-lsp failed to analyse this file ({why}); this is a bug in chant-lsp, please report it with the file"),
            );
            (Summary::unreadable(&src.id, &src.rel, src.place), vec![d])
        }
    };
    if let Some(at) = invalid {
        summary.readable = Readable::No;
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        diags.insert(
            0,
            Diagnostic::new(
                Code::InvalidUtf8,
                at..end,
                "the file is not valid UTF-8 here: chant cannot read it and treats the spec as missing; re-save it as UTF-8",
            ),
        );
    }
    (summary, diags)
}

/// The diagnostic of a spec file chant-lsp did not read.
fn unread_spec(problem: ReadProblem) -> Diagnostic {
    let (code, msg) = match problem {
        ReadProblem::TooLarge { cap } => (
            Code::TooLarge,
            format!("this spec is larger than {}, chant-lsp's limit: it was not read or checked; keep specs small (split it, move data out of it)", caps::shown(cap)),
        ),
        ReadProblem::Outside => (
            Code::PathOutsideProject,
            "this spec is a symbolic link that leads outside the project: chant-lsp does not read it, and agent worktrees do not have its target; put the spec itself in `.chant/specs/`".to_string(),
        ),
        ReadProblem::NotAFile(what) => (
            Code::Unreadable,
            format!("this spec is {what}, not a regular file: chant blocks or fails reading it, and chant-lsp does not open it; replace it with a file"),
        ),
        ReadProblem::Unreadable(kind) => (
            Code::Unreadable,
            format!("this spec cannot be read ({kind}): chant cannot load it either and treats it as missing; fix its permissions"),
        ),
        ReadProblem::Missing => (
            Code::Unreadable,
            "this spec disappeared while it was being read; check again".to_string(),
        ),
    };
    Diagnostic::new(code, 0..0, msg)
}

/// Analyses a spec whose editor buffer hides a leading byte order mark that the file on
/// disk has (editors strip it; chant reads the bytes): chant's reading of the file, in
/// the buffer's positions ([`crate::analysis::split::split_with`]).
pub fn analyze_hidden_bom(ctx: &Context, src: &SpecSource, buffer: &str) -> (Summary, Vec<Diagnostic>) {
    analyze_bytes(ctx, src, Ok(buffer.as_bytes()), true, true)
}

/// What a finished check reports.
pub struct Checked {
    /// Files with diagnostics, sorted by path; diagnostics sorted by position.
    pub reports: Vec<FileReport>,
    pub active_specs: usize,
    pub archived_specs: usize,
}

/// Runs a per-spec function over spec indexes, possibly on several threads (the
/// caller decides; the analysis itself starts no threads).
pub type Mapper<'a> =
    dyn Fn(&[usize], &(dyn Fn(usize) -> Vec<Diagnostic> + Sync)) -> Vec<Vec<Diagnostic>> + 'a;

/// Maps on the current thread.
pub fn serial(items: &[usize], f: &(dyn Fn(usize) -> Vec<Diagnostic> + Sync)) -> Vec<Vec<Diagnostic>> {
    items.iter().map(|&i| f(i)).collect()
}

/// A checked project that can be updated one spec at a time (the language server keeps
/// one per project root; `check` builds one and prints its reports).
pub struct Workspace {
    pub project: Project,
    pub prompts: BTreeSet<String>,
    pub config_reports: Vec<ConfigReport>,
    pub project_config_missing: bool,
    /// Report findings inside archived specs too.
    pub include_archived: bool,
    /// Local (one-file) diagnostics of each spec, by index.
    local: Vec<Vec<Diagnostic>>,
    /// Cross-file diagnostics of each spec, by index.
    cross: Vec<Vec<Diagnostic>>,
    /// Dependency cycles and their diagnostics.
    cycles: Cycles,
    by_path: FastMap<String, usize>,
    /// How many specs run with the default prompt (see [`default_prompt`]).
    default_prompt_users: usize,
    /// Spec files removed since the caller last asked ([`Workspace::take_removed`]).
    removed: Vec<String>,
    /// What the loader could not read or did not read (unreadable folders, names that
    /// are not UTF-8, a config past its cap…), reported with the config files.
    pub io_reports: Vec<FileReport>,
    /// Git facts and the findings they give, once read.
    git: Option<GitState>,
}

/// The git facts a workspace was given, and its findings from them.
struct GitState {
    facts: Arc<GitFacts>,
    running: HashSet<String>,
    /// Per spec index.
    findings: Vec<Vec<Diagnostic>>,
    /// For the config file.
    project: Vec<Diagnostic>,
}

impl GitState {
    fn spec_findings(&self, s: &Summary) -> Vec<Diagnostic> {
        let running = |id: &str| self.running.contains(id);
        let inputs = GitInputs { facts: &self.facts, running: &running, now: self.facts.read_at };
        git::rules::spec_findings(s, &inputs)
    }
}

fn sort_diagnostics(d: &mut Vec<Diagnostic>) {
    d.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code, &a.message).cmp(&(
            b.range.start,
            b.range.end,
            b.code,
            &b.message,
        ))
    });
    d.dedup();
}

/// Whether `chant work` runs this spec with the default prompt: open, active, and
/// without a `prompt:` of its own.
fn uses_default_prompt(s: &Summary) -> bool {
    s.place != Place::Archived
        && s.prompt.is_none()
        && !matches!(s.chant_status(), Status::Completed | Status::Cancelled)
}

impl Workspace {
    /// Runs the cross-file rules over analysed specs (`results`, one per spec file).
    pub fn build(
        map: &Mapper,
        config: Config,
        config_reports: Vec<ConfigReport>,
        project_config_missing: bool,
        prompts: BTreeSet<String>,
        results: Vec<(Summary, Vec<Diagnostic>)>,
        include_archived: bool,
    ) -> Workspace {
        let (summaries, local): (Vec<Summary>, Vec<Vec<Diagnostic>>) = results.into_iter().unzip();
        let project = Project::new(config, summaries);
        let indexes: Vec<usize> = (0..project.specs.len()).collect();
        let cross = map(&indexes, &|i| project.diagnostics(i));
        let cycles = Cycles::new(&project);
        let default_prompt_users = project.specs.iter().filter(|s| uses_default_prompt(s)).count();
        let by_path = project.specs.iter().enumerate().map(|(i, s)| (s.path.clone(), i)).collect();
        Workspace {
            project,
            prompts,
            config_reports,
            project_config_missing,
            include_archived,
            local,
            cross,
            cycles,
            by_path,
            default_prompt_users,
            removed: Vec::new(),
            git: None,
            io_reports: Vec::new(),
        }
    }

    /// Gives the workspace git facts (`None`: forget them) and the specs with a live
    /// run. Returns the indexes of the specs whose git findings changed; the config
    /// file's findings may have changed too.
    pub fn set_git(&mut self, facts: Option<Arc<GitFacts>>, running: HashSet<String>) -> Vec<usize> {
        let old = self.git.take().map(|g| g.findings).unwrap_or_default();
        if let Some(facts) = facts {
            let mut state = GitState { facts, running, findings: Vec::new(), project: Vec::new() };
            state.findings = self.project.specs.iter().map(|s| state.spec_findings(s)).collect();
            state.project = git::rules::project_findings(&self.project, &state.facts);
            self.git = Some(state);
        }
        let new = self.git.as_ref().map(|g| g.findings.as_slice()).unwrap_or_default();
        (0..self.project.specs.len())
            .filter(|&i| {
                old.get(i).map_or(&[][..], Vec::as_slice) != new.get(i).map_or(&[][..], Vec::as_slice)
            })
            .collect()
    }

    /// The git facts given last, if any.
    pub fn git_facts(&self) -> Option<&Arc<GitFacts>> {
        self.git.as_ref().map(|g| &g.facts)
    }

    pub fn config(&self) -> &Config {
        &self.project.config
    }

    /// The spec index of a project-relative path.
    pub fn index_of(&self, rel: &str) -> Option<usize> {
        self.by_path.get(rel).copied()
    }

    /// Steps the dependency-cycle search has taken so far (specs, edges and witness
    /// steps visited): tests compare it at n and 4n specs.
    pub fn cycle_work(&self) -> usize {
        self.cycles.work()
    }

    /// The project's dependency cycles.
    pub fn cycles(&self) -> &Cycles {
        &self.cycles
    }

    pub fn active_specs(&self) -> usize {
        self.project.specs.iter().filter(|s| s.place != Place::Archived).count()
    }

    pub fn archived_specs(&self) -> usize {
        self.project.specs.len() - self.active_specs()
    }

    /// Every diagnostic of spec `i` (empty for archived specs unless asked for),
    /// sorted by position.
    pub fn diagnostics(&self, i: usize) -> Vec<Diagnostic> {
        if self.project.specs[i].place == Place::Archived && !self.include_archived {
            return Vec::new();
        }
        let mut d = self.local[i].clone();
        d.extend(self.cross[i].iter().cloned());
        d.extend(self.cycles.findings(i).iter().cloned());
        if let Some(g) = &self.git {
            d.extend(g.findings[i].iter().cloned());
        }
        sort_diagnostics(&mut d);
        d
    }

    /// Diagnostics of the config files (those with findings), sorted, and of what the
    /// loader could not read ([`Workspace::io_reports`]).
    pub fn config_diagnostics(&self, facts: &dyn FileFacts) -> Vec<FileReport> {
        let mut reports = self.io_reports.clone();
        for r in &self.config_reports {
            let mut diagnostics = r.diagnostics.clone();
            diagnostics.extend(default_prompt(&self.project, self.default_prompt_users, facts, &r.path));
            reports.push(FileReport { path: r.path.clone(), diagnostics });
        }
        let mut project_config = Vec::new();
        if self.project_config_missing {
            project_config.push(Diagnostic::new(
                Code::ConfigUnreadable,
                0..0,
                "`.chant/config.md` is missing: `chant work` fails without it (`chant init` writes one)",
            ));
        }
        // Project-wide git findings go on the project config.
        project_config.extend(self.git.iter().flat_map(|g| g.project.iter().cloned()));
        reports.push(FileReport { path: ".chant/config.md".to_string(), diagnostics: project_config });
        // One report per file (a file can have findings from several sources).
        let mut merged: Vec<FileReport> = Vec::new();
        for r in reports {
            match merged.iter_mut().find(|m| m.path == r.path) {
                Some(m) => m.diagnostics.extend(r.diagnostics),
                None => merged.push(r),
            }
        }
        merged.retain(|r| !r.diagnostics.is_empty());
        for r in &mut merged {
            sort_diagnostics(&mut r.diagnostics);
        }
        merged
    }

    /// Every file with diagnostics, sorted by path (what `check` prints).
    pub fn reports(&self, facts: &dyn FileFacts) -> Vec<FileReport> {
        let mut reports = self.config_diagnostics(facts);
        for i in 0..self.project.specs.len() {
            let diagnostics = self.diagnostics(i);
            if !diagnostics.is_empty() {
                reports.push(FileReport { path: self.project.specs[i].path.clone(), diagnostics });
            }
        }
        reports.sort_by(|a, b| a.path.cmp(&b.path));
        reports
    }

    /// The whole report, as `check` prints it.
    pub fn checked(&self, facts: &dyn FileFacts) -> Checked {
        Checked {
            reports: self.reports(facts),
            active_specs: self.active_specs(),
            archived_specs: self.archived_specs(),
        }
    }

    /// Replaces (or adds) the analysis of one spec file. Returns the indexes of the
    /// specs whose diagnostics may have changed.
    pub fn update(&mut self, summary: Summary, local: Vec<Diagnostic>) -> Vec<usize> {
        let Some(i) = self.index_of(&summary.path) else {
            return self.rebuild_with(|specs, locals| {
                specs.push(summary);
                locals.push(local);
            });
        };
        self.local[i] = local;
        let old_deps: Vec<String> =
            self.project.specs[i].depends_on.iter().flatten().map(|r| r.id.clone()).collect();
        self.default_prompt_users -= usize::from(uses_default_prompt(&self.project.specs[i]));
        self.default_prompt_users += usize::from(uses_default_prompt(&summary));
        self.project.replace(i, summary);
        let id = self.project.specs[i].id.clone();
        let mut affected: Vec<usize> = vec![i];
        affected.extend(self.project.dependents_of(&id));
        // A spec's member-sibling and driver findings read its own status too.
        affected.extend(old_deps.iter().filter_map(|d| self.project.active_index(d)));
        // Only the cycles through this spec, before and after, can have changed.
        affected.extend(self.cycles.update(&self.project, i));
        affected.sort_unstable();
        affected.dedup();
        for &k in &affected {
            self.cross[k] = self.project.diagnostics(k);
        }
        if let Some(g) = &mut self.git {
            let findings = g.spec_findings(&self.project.specs[i]);
            g.findings[i] = findings;
        }
        affected
    }

    /// Removes a spec file. Returns every index (the project is rebuilt), or nothing
    /// when the path was not a spec.
    pub fn remove(&mut self, rel: &str) -> Vec<usize> {
        let Some(i) = self.index_of(rel) else { return Vec::new() };
        let changed = self.rebuild_with(|specs, locals| {
            specs.remove(i);
            locals.remove(i);
        });
        self.removed.push(rel.to_string());
        changed
    }

    /// The paths of the spec files removed since the last call (a removed file is no
    /// longer among the specs, so nothing else names it to whoever showed its
    /// diagnostics).
    pub fn take_removed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.removed)
    }

    fn rebuild_with(
        &mut self,
        change: impl FnOnce(&mut Vec<Summary>, &mut Vec<Vec<Diagnostic>>),
    ) -> Vec<usize> {
        let placeholder = Project::new(self.project.config.clone(), Vec::new());
        let old = std::mem::replace(&mut self.project, placeholder);
        let config = old.config.clone();
        let mut specs = old.specs;
        let mut locals = std::mem::take(&mut self.local);
        change(&mut specs, &mut locals);
        let removed = std::mem::take(&mut self.removed);
        let io_reports = std::mem::take(&mut self.io_reports);
        let mut rebuilt = Workspace::build(
            &serial,
            config,
            std::mem::take(&mut self.config_reports),
            self.project_config_missing,
            std::mem::take(&mut self.prompts),
            specs.into_iter().zip(locals).collect(),
            self.include_archived,
        );
        rebuilt.removed = removed;
        let git = self.git.take();
        rebuilt.io_reports = io_reports;
        *self = rebuilt;
        if let Some(g) = git {
            self.set_git(Some(g.facts), g.running);
        }
        (0..self.project.specs.len()).collect()
    }
}

/// chant's default prompt (`defaults.prompt`, `bootstrap` when unset) must exist for
/// every open spec that names no prompt of its own. Reported once, on the config file
/// that sets it (or the project config).
fn default_prompt(
    project: &Project,
    users: usize,
    facts: &dyn FileFacts,
    report_path: &str,
) -> Option<Diagnostic> {
    let config = &project.config;
    if !config.readable {
        return None;
    }
    let origin = config.default_prompt_origin.as_ref();
    let here = match origin {
        Some(o) => o.path == report_path,
        None => report_path == ".chant/config.md",
    };
    if !here {
        return None;
    }
    let name = &config.default_prompt;
    if facts.kind(&format!(".chant/prompts/{name}.md")).is_some() {
        return None;
    }
    if users == 0 {
        return None;
    }
    let msg = match origin {
        Some(_) => format!(
            "default prompt `{name}` has no file `.chant/prompts/{name}.md`: `chant work` fails for the {users} open spec(s) without their own `prompt:`"
        ),
        None => format!(
            "no `defaults.prompt` is set, so chant uses `bootstrap`, which release builds do not install: `chant work` fails for the {users} open spec(s) without their own `prompt:`; set `defaults.prompt: standard` (or create .chant/prompts/bootstrap.md)"
        ),
    };
    Some(Diagnostic::new(Code::MissingPrompt, origin.map_or(0..3, |o| o.range.clone()), msg))
}

/// Prompt names from project-relative paths (`.chant/prompts/<name>.md`).
pub fn prompt_names<'a>(paths: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    paths
        .into_iter()
        .filter_map(|p| p.strip_prefix(".chant/prompts/")?.strip_suffix(".md"))
        .filter(|n| !n.contains('/'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_paths() {
        let c = |p: &str| classify(p).map(|s| (s.id, s.place));
        assert_eq!(
            c(".chant/specs/2026-01-01-001-abc.md"),
            Some(("2026-01-01-001-abc".into(), Place::Active))
        );
        assert_eq!(c(".chant/specs/sub/x.md"), Some(("x".into(), Place::Nested)));
        assert_eq!(c(".chant/archive/2026-01-01/x.1.md"), Some(("x.1".into(), Place::Archived)));
        assert_eq!(c(".chant/specs/x.md.tmp"), None);
        assert_eq!(c(".chant/specs/.chant-status-x.json"), None);
        assert_eq!(c("docs/x.md"), None);
    }
}

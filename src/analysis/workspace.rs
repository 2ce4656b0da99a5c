//! A whole project's check, without IO: the caller lists the files and hands over
//! their bytes; this module analyses each spec ([`analyze_source`], safe to call from
//! several threads) and then runs the cross-file rules ([`finish`]). `io::load` drives
//! it from the disk, tests drive it from fixture strings.

use std::collections::BTreeSet;

use super::config::{Config, ConfigReport};
use super::diagnostic::{Code, Diagnostic};
use super::facts::FileFacts;
use super::frontmatter::Status;
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

/// Analyses one spec from its bytes (`Err` = the file could not be read). Never
/// panics: a bug in a rule becomes an `internal-error` diagnostic.
pub fn analyze_source(
    ctx: &Context,
    src: &SpecSource,
    bytes: Result<&[u8], String>,
) -> (Summary, Vec<Diagnostic>) {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::new(Code::InternalError, 0..0, format!("cannot read this file: {e}"));
            return (Summary::unreadable(&src.id, &src.rel, src.place), vec![d]);
        }
    };
    let (text, invalid) = decode_borrowed(bytes);
    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (file, diags) = spec::analyze(ctx, &src.id, &src.rel, src.place, &text);
        (file.summary(), diags)
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

/// What a finished check knows.
pub struct Checked {
    pub project: Project,
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

/// Runs the cross-file rules over analysed specs (in `results`, one per source, any
/// order) and collects every report. Archived specs' own findings are kept only with
/// `include_archived`.
pub fn finish(
    map: &Mapper,
    config: Config,
    config_reports: Vec<ConfigReport>,
    project_config_missing: bool,
    facts: &dyn FileFacts,
    results: Vec<(Summary, Vec<Diagnostic>)>,
    include_archived: bool,
) -> Checked {
    let (summaries, mut locals): (Vec<Summary>, Vec<Vec<Diagnostic>>) = results.into_iter().unzip();
    let active_specs = summaries.iter().filter(|s| s.place != Place::Archived).count();
    let archived_specs = summaries.len() - active_specs;
    let project = Project::new(config, summaries);
    let indexes: Vec<usize> = (0..project.specs.len()).collect();
    for (local, more) in locals.iter_mut().zip(map(&indexes, &|i| project.diagnostics(i))) {
        local.extend(more);
    }
    for (i, d) in project.cycle_diagnostics() {
        locals[i].push(d);
    }
    let mut reports: Vec<FileReport> = Vec::new();
    for mut r in config_reports {
        if let Some(d) = default_prompt(&project, facts, &r.path) {
            r.diagnostics.push(d);
        }
        if !r.diagnostics.is_empty() {
            reports.push(FileReport { path: r.path, diagnostics: r.diagnostics });
        }
    }
    if project_config_missing {
        reports.push(FileReport {
            path: ".chant/config.md".to_string(),
            diagnostics: vec![Diagnostic::new(
                Code::ConfigUnreadable,
                0..0,
                "`.chant/config.md` is missing: `chant work` fails without it (`chant init` writes one)",
            )],
        });
    }
    for (i, diags) in locals.into_iter().enumerate() {
        let s = &project.specs[i];
        if diags.is_empty() || (s.place == Place::Archived && !include_archived) {
            continue;
        }
        reports.push(FileReport { path: s.path.clone(), diagnostics: diags });
    }
    for r in &mut reports {
        r.diagnostics.sort_by(|a, b| {
            (a.range.start, a.range.end, a.code, &a.message).cmp(&(
                b.range.start,
                b.range.end,
                b.code,
                &b.message,
            ))
        });
        r.diagnostics.dedup();
    }
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    Checked { project, reports, active_specs, archived_specs }
}

/// chant's default prompt (`defaults.prompt`, `bootstrap` when unset) must exist for
/// every open spec that names no prompt of its own. Reported once, on the config file
/// that sets it (or the project config).
fn default_prompt(project: &Project, facts: &dyn FileFacts, report_path: &str) -> Option<Diagnostic> {
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
    let users = project
        .specs
        .iter()
        .filter(|s| {
            s.place != Place::Archived
                && s.prompt.is_none()
                && !matches!(s.chant_status(), Status::Completed | Status::Cancelled)
        })
        .count();
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

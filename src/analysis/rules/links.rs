//! File links in frontmatter, resolved from the project root as chant resolves them.
//!
//! Severities, and why:
//! * `absolute-path`, `path-outside-project`: error. Agents run in a worktree of the
//!   repository; nothing outside it exists there.
//! * a missing `informed_by` / `context` / `origin` / `tracks` file: warning. chant
//!   drops unreadable context silently and drift has nothing to compare; the spec
//!   still runs.
//! * a missing `target_files` entry: nothing before completion (the agent creates it),
//!   a warning once completed (renamed or deleted since).
//! * a missing `output_schema`: lint O1 error once completed, a warning before (the
//!   run cannot add its Output Format section).
//! * `conflicting_files` is informational in chant: only malformed entries are reported.

use crate::analysis::diagnostic::{Code, Diagnostic, Fix, FixAction, Severity};
use crate::analysis::facts::{caps, normalize_link, FileKind, GlobMatches, LinkPath, ReadProblem};
use crate::analysis::frontmatter::Status;
use crate::analysis::output::{self, OutputProblem};
use crate::analysis::spec::{Context, SpecFile};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    InformedBy,
    Origin,
    Tracks,
    TargetFiles,
    Context,
    OutputSchema,
    ConflictingFiles,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::InformedBy => "informed_by",
            Field::Origin => "origin",
            Field::Tracks => "tracks",
            Field::TargetFiles => "target_files",
            Field::Context => "context",
            Field::OutputSchema => "output_schema",
            Field::ConflictingFiles => "conflicting_files",
        }
    }

    fn globs(self) -> bool {
        matches!(self, Field::InformedBy | Field::Origin | Field::Tracks)
    }
}

const FIELDS: [Field; 7] = [
    Field::InformedBy,
    Field::Origin,
    Field::Tracks,
    Field::TargetFiles,
    Field::Context,
    Field::OutputSchema,
    Field::ConflictingFiles,
];

pub fn check(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    let completed = f.fm().status == Status::Completed;
    for field in FIELDS {
        for (raw, range) in f.items(field.key()) {
            entry(ctx, f, field, completed, &raw, range, out);
        }
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn entry(
    ctx: &Context,
    f: &SpecFile,
    field: Field,
    completed: bool,
    raw: &str,
    range: std::ops::Range<usize>,
    out: &mut Vec<Diagnostic>,
) {
    let key = field.key();
    if field == Field::Context && raw.starts_with("derived_") && raw.contains('=') {
        return; // enterprise derivation writes `derived_<name>=<value>` here
    }
    if raw.contains('`') || raw.contains("://") {
        let what = if raw.contains("://") {
            "a URL: chant reads local files only"
        } else {
            "backticks are part of the name to chant"
        };
        out.push(Diagnostic::new(
            Code::NotAPath,
            range,
            format!("`{key}` entry is not a path ({what}); keep plain project-relative paths here and put prose in the body"),
        ));
        return;
    }
    let path = match normalize_link(raw) {
        LinkPath::Relative(p) => p,
        LinkPath::Absolute => {
            out.push(Diagnostic::new(
                Code::AbsolutePath,
                range,
                format!("`{raw}` is absolute: chant resolves `{key}` from the project root and agents run in a worktree where this path does not exist; write it relative to the project root"),
            ));
            return;
        }
        LinkPath::Outside => {
            out.push(Diagnostic::new(
                Code::PathOutsideProject,
                range,
                format!("`{raw}` leaves the project: agent worktrees contain only this repository; link a file inside it"),
            ));
            return;
        }
        LinkPath::Empty => {
            out.push(Diagnostic::new(Code::NotAPath, range, format!("empty `{key}` entry; remove it")));
            return;
        }
    };
    if is_glob(&path) && field.globs() {
        if glob::Pattern::new(&path).is_err() {
            out.push(Diagnostic::new(Code::NotAPath, range, format!("`{raw}` is not a valid glob pattern")));
        } else {
            glob_entry(&ctx.facts.glob(&path, 1), key, raw, range, out);
        }
        return;
    }
    let kind = ctx.facts.kind(&path);
    match kind {
        Some(FileKind::Outside) => {
            out.push(Diagnostic::new(
                Code::PathOutsideProject,
                range,
                format!("`{raw}` leads outside the project through a symbolic link: chant-lsp does not read it, and agent worktrees may not have its target; link a file inside the project"),
            ));
            return;
        }
        Some(FileKind::Unreadable(e)) if field != Field::ConflictingFiles => {
            out.push(Diagnostic::new(
                Code::Unreadable,
                range,
                format!("`{raw}` cannot be read ({e}): chant cannot read it either, and whether it exists is not known; fix the permissions"),
            ));
            return;
        }
        Some(FileKind::Special(what)) if field != Field::ConflictingFiles => {
            out.push(Diagnostic::new(
                Code::NotAFile,
                range,
                format!("`{raw}` is {what}, not a regular file: reading it blocks or never ends (chant-lsp does not open it); link a regular file"),
            ));
            return;
        }
        _ => {}
    }
    if kind.is_none() && is_glob(&path) {
        out.push(Diagnostic::new(
            Code::GlobNotSupported,
            range,
            format!("chant reads `{key}` entries literally (no globs), so it looks for a file named `{raw}`; list the files one by one"),
        ));
        return;
    }
    if kind.is_none() && raw.trim().contains(char::is_whitespace) && raw.split_whitespace().count() > 2 {
        out.push(Diagnostic::new(
            Code::NotAPath,
            range,
            format!("`{key}` entry looks like prose, not a path; put descriptions in the body"),
        ));
        return;
    }
    match (field, kind) {
        (Field::ConflictingFiles, _) => {}
        (Field::TargetFiles, None) if completed => {
            out.push(Diagnostic::new(
                Code::MissingTargetFile,
                range,
                format!("`{raw}` does not exist, but this spec is completed: was the file renamed or deleted? Update `target_files`"),
            ));
        }
        // Before completion the agent is expected to create the file.
        (Field::TargetFiles, None) => {}
        (Field::TargetFiles, Some(_)) | (Field::Tracks, Some(_)) => {}
        (Field::OutputSchema, None) => {
            let d = if completed {
                Diagnostic::new(
                    Code::OutputSchemaMissing,
                    range,
                    format!(
                        "output schema `{raw}` not found: `chant lint` fails for this completed spec (O1)"
                    ),
                )
            } else {
                Diagnostic::new(
                    Code::MissingFile,
                    range,
                    format!("output schema `{raw}` does not exist: the run cannot describe the expected output and its result cannot be validated"),
                )
            };
            out.push(d);
        }
        (_, None) => {
            let why = match field {
                Field::Context => "chant silently leaves it out of the agent's prompt",
                Field::InformedBy => "the research has no input and `chant drift` cannot check it",
                Field::Origin => "`chant drift` cannot check it",
                _ => "`chant drift` cannot check it",
            };
            let mut d = Diagnostic::new(
                Code::MissingFile,
                range,
                format!("`{raw}` does not exist: {why}; create it or fix the path"),
            );
            if matches!(field, Field::InformedBy | Field::Context | Field::Origin) {
                d = d.fix(Fix {
                    title: format!("Create `{path}`"),
                    action: FixAction::CreateFile(path.clone()),
                    automatic: false,
                });
            }
            out.push(d);
        }
        (Field::Context | Field::OutputSchema, Some(FileKind::Dir)) => {
            out.push(Diagnostic::new(
                Code::NotAFile,
                range,
                format!("`{raw}` is a directory: chant reads `{key}` entries as files and skips this one; list the files inside it"),
            ));
        }
        (Field::OutputSchema, Some(FileKind::File)) if completed => {
            output_checks(ctx, f, &path, range, out);
        }
        _ => {}
    }
}

/// A glob entry: what its walk skipped (outside the project, unreadable, not a file),
/// where it stopped, or that it matches nothing.
fn glob_entry(
    m: &GlobMatches,
    key: &str,
    raw: &str,
    range: std::ops::Range<usize>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some((first, kind)) = m.skipped.first() {
        let more = match m.skipped.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        let (code, what) = match kind {
            FileKind::Outside => (
                Code::PathOutsideProject,
                "a symbolic link that leads outside the project: chant-lsp does not follow it".to_string(),
            ),
            FileKind::Special(what) => {
                (Code::NotAFile, format!("{what}, not a regular file: reading it blocks or never ends"))
            }
            FileKind::Unreadable(e) => {
                (Code::Unreadable, format!("unreadable ({e}): what it holds is not known"))
            }
            FileKind::File | FileKind::Dir => (Code::Unreadable, "skipped".to_string()),
        };
        out.push(Diagnostic::new(code, range.clone(), format!("`{raw}` reaches `{first}`{more}, {what}")));
    }
    if !m.paths.is_empty() {
        return;
    }
    if m.bounded {
        out.push(Diagnostic::new(
            Code::WalkLimit,
            range,
            format!(
                "`{raw}` matched nothing in the first {} entries or {} folder levels, where chant-lsp stops: narrow the pattern",
                caps::WALK_ENTRIES,
                caps::WALK_DEPTH
            ),
        ));
    } else if m.skipped.is_empty() {
        out.push(Diagnostic::new(
            Code::NoGlobMatch,
            range,
            format!(
                "`{raw}` matches no file: `chant drift` has nothing to compare for `{key}`; fix the pattern"
            ),
        ));
    }
}

/// A file of the output check (the schema, the agent log) that was not read.
fn not_read(what: &str, path: &str, problem: ReadProblem, range: std::ops::Range<usize>) -> Diagnostic {
    let code = match problem {
        ReadProblem::TooLarge { .. } => Code::TooLarge,
        ReadProblem::Outside => Code::PathOutsideProject,
        ReadProblem::Missing | ReadProblem::NotAFile(_) | ReadProblem::Unreadable(_) => Code::Unreadable,
    };
    Diagnostic::new(
        code,
        range,
        format!(
            "{what} `{path}` {}: chant-lsp did not read it, so the agent output is not checked against this schema",
            problem.describe()
        ),
    )
}

/// Lint O2/O3 for a completed spec whose schema exists.
fn output_checks(
    ctx: &Context,
    f: &SpecFile,
    schema_path: &str,
    range: std::ops::Range<usize>,
    out: &mut Vec<Diagnostic>,
) {
    let log_path = format!(".chant/logs/{}.log", f.id);
    // chant checks the schema only when the log exists.
    let log = match ctx.facts.read(&log_path, caps::LOG) {
        Ok(log) => log,
        Err(ReadProblem::Missing) => return,
        Err(problem) => {
            out.push(not_read("the agent log", &log_path, problem, range));
            return;
        }
    };
    let schema = match ctx.facts.read(schema_path, caps::SCHEMA) {
        Ok(schema) => schema,
        Err(problem) => {
            out.push(not_read("the output schema", schema_path, problem, range));
            return;
        }
    };
    match output::check(&schema, &log) {
        None => {}
        Some(OutputProblem::BadSchema(why)) => out.push(
            Diagnostic::new(
                Code::OutputSchemaInvalid,
                range,
                format!("chant cannot validate the output: {why} (O3)"),
            )
            .related(schema_path, 0..0, "the schema"),
        ),
        Some(OutputProblem::NoJson) => out.push(
            Diagnostic::new(
                Code::OutputInvalid,
                range,
                format!("no JSON found in the agent output for `{}`: `chant lint` fails (O2)", f.id),
            )
            .related(&log_path, 0..0, "the agent log"),
        ),
        Some(OutputProblem::Invalid(errors)) => out.push(
            Diagnostic::new(
                Code::OutputInvalid,
                range,
                format!("the agent output does not match this schema: {} (O2)", errors.join("; ")),
            )
            .related(&log_path, 0..0, "the agent log")
            .severity(Severity::Error),
        ),
    }
}

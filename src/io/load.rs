//! Loading a whole project from disk: config, prompt names, every spec under
//! `.chant/specs/` and `.chant/archive/`, analysed in parallel. Texts are dropped
//! once analysed; only [`Summary`]s and diagnostics are kept.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, Result};

use crate::analysis::config::{self, ConfigText};
use crate::analysis::diagnostic::{Code, Diagnostic};
use crate::analysis::facts::{caps, ReadProblem};
use crate::analysis::spec::Context;
use crate::analysis::workspace::{self, FileReport, SpecSource, Workspace};
use crate::io::facts::DiskFacts;
use crate::io::read::{self, Known, Project};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Report what is wrong inside archived specs too (by default they are history:
    /// only references *into* the archive from active specs are checked).
    pub include_archived: bool,
    /// The home directory for the global config (`$HOME` unless tests isolate it).
    pub home: Option<PathBuf>,
    /// Only `check` reads the result: leave out of each summary what only editor
    /// features read (file links, body mentions, labels).
    pub check_only: bool,
}

pub struct Loaded {
    pub root: PathBuf,
    pub workspace: Workspace,
    pub facts: DiskFacts,
}

/// How a spec file found by the walk is read.
enum Access {
    /// Its path (the real one, for a symlink that stays inside the project).
    Read(PathBuf, Known),
    /// Not read: why.
    Skip(ReadProblem),
}

/// What the walk of the spec folders found: the spec files, and what it could not read.
#[derive(Default)]
struct Walked {
    specs: Vec<(SpecSource, Access)>,
    reports: Vec<FileReport>,
}

fn report(path: &str, code: Code, message: String) -> FileReport {
    FileReport { path: path.to_string(), diagnostics: vec![Diagnostic::new(code, 0..0, message)] }
}

/// A file name as text: bytes that are not UTF-8 written as `\xNN`.
fn escaped_name(name: &std::ffi::OsStr) -> String {
    let mut out = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Collects the spec files under the folder whose project-relative path is `rel`.
/// Symlinked folders are not followed; symlinked spec files are resolved (and skipped
/// when they lead outside the project); what cannot be read is reported.
fn walk(project: &Project, root: &Path, rel: &str, depth: usize, out: &mut Walked) {
    let entries = match std::fs::read_dir(root.join(rel)) {
        Ok(entries) => entries,
        Err(e) => {
            let msg = format!(
                "this folder cannot be read ({e}): the specs in it are not checked; fix its permissions"
            );
            out.reports.push(report(rel, Code::Unreadable, msg));
            return;
        }
    };
    for e in entries {
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                let msg = format!(
                    "this folder cannot be read to its end ({err}): some specs in it are not checked"
                );
                out.reports.push(report(rel, Code::Unreadable, msg));
                return;
            }
        };
        let os_name = e.file_name();
        let ft = e.file_type();
        let is_dir = ft.as_ref().is_ok_and(|t| t.is_dir());
        let Some(name) = os_name.to_str() else {
            if is_dir || os_name.as_encoded_bytes().ends_with(b".md") {
                let path = format!("{rel}/{}", escaped_name(&os_name));
                let msg = "this name is not valid UTF-8: chant-lsp cannot check what it holds (and chant cannot name it); rename it".to_string();
                out.reports.push(report(&path, Code::Unreadable, msg));
            }
            continue;
        };
        let path = format!("{rel}/{name}");
        let ft = match ft {
            Ok(ft) => ft,
            Err(err) => {
                out.reports.push(report(
                    &path,
                    Code::Unreadable,
                    format!("this entry cannot be read ({err})"),
                ));
                continue;
            }
        };
        if ft.is_dir() {
            if depth >= caps::WALK_DEPTH {
                let msg = format!("this folder is nested more than {} levels deep below `.chant/`: chant-lsp does not look inside; move its specs up", caps::WALK_DEPTH);
                out.reports.push(report(&path, Code::Unreadable, msg));
                continue;
            }
            walk(project, root, &path, depth + 1, out);
            continue;
        }
        if !name.ends_with(".md") {
            // A folder symlink is not followed; one that leads out of the project may
            // hold specs chant reads there, so it is named.
            if ft.is_symlink() && project.resolve(Path::new(&path)) == Err(ReadProblem::Outside) {
                let into_folder = std::fs::metadata(root.join(&path)).is_ok_and(|m| m.is_dir());
                if into_folder {
                    let msg = "this folder is a symbolic link that leads outside the project: chant-lsp does not read the specs there".to_string();
                    out.reports.push(report(&path, Code::PathOutsideProject, msg));
                }
            }
            continue;
        }
        let Some(src) = workspace::classify(&path) else { continue };
        let access = if ft.is_file() {
            Access::Read(root.join(&path), Known::Regular)
        } else if ft.is_symlink() {
            match project.resolve(Path::new(&path)) {
                Ok(real) => Access::Read(real, Known::Nothing),
                Err(ReadProblem::Missing) => {
                    Access::Skip(ReadProblem::Unreadable(std::io::ErrorKind::NotFound))
                }
                Err(p) => Access::Skip(p),
            }
        } else {
            Access::Skip(ReadProblem::NotAFile(read::special(&ft).unwrap_or("not a regular file")))
        };
        out.specs.push((src, access));
    }
}

/// Walks one of the spec trees (`.chant/specs`, `.chant/archive`). `Err`: it exists but
/// cannot be read.
fn walk_tree(project: &Project, root: &Path, rel: &str) -> Result<Walked, String> {
    let mut out = Walked::default();
    match project.resolve(Path::new(rel)) {
        Ok(_) => {}
        Err(ReadProblem::Missing) => return Ok(out),
        Err(ReadProblem::Outside) => {
            let msg = format!("`{rel}` is a symbolic link that leads outside the project: chant-lsp does not read the specs there");
            out.reports.push(report(rel, Code::PathOutsideProject, msg));
            return Ok(out);
        }
        Err(p) => return Err(format!("{rel} {}", p.describe())),
    }
    if let Err(e) = std::fs::read_dir(root.join(rel)) {
        return Err(format!("cannot read {rel}: {e}"));
    }
    walk(project, root, rel, 0, &mut out);
    Ok(out)
}

/// Stems of `.chant/prompts/*.md`, and a report when the folder cannot be listed.
fn prompts(project: &Project, root: &Path) -> (BTreeSet<String>, Option<FileReport>) {
    let rel = ".chant/prompts";
    let problem = project.resolve(Path::new(rel)).err();
    let listed = match problem {
        None => std::fs::read_dir(root.join(rel)).map_err(|e| read::problem(&e)),
        Some(p) => Err(p),
    };
    let entries = match listed {
        Ok(entries) => entries,
        Err(ReadProblem::Missing) => return (BTreeSet::new(), None),
        Err(p) => {
            let code = if p == ReadProblem::Outside { Code::PathOutsideProject } else { Code::Unreadable };
            let msg = format!("`{rel}` {}: chant-lsp does not know the prompts", p.describe());
            return (BTreeSet::new(), Some(report(rel, code, msg)));
        }
    };
    let names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .map(|n| format!("{rel}/{n}"))
        .collect();
    (workspace::prompt_names(names.iter().map(String::as_str)), None)
}

/// A config file as read: its text, nothing there, or not read (too large, outside the
/// project: reported, and the config counts as unreadable).
enum ConfigRead {
    Text(String),
    Missing,
    Skipped(FileReport),
}

/// Reads a config file. `Err`: it exists but cannot be read (`check` exits with 2).
fn read_config(read: Result<Vec<u8>, ReadProblem>, shown: &str) -> Result<ConfigRead> {
    match read {
        Ok(bytes) => Ok(ConfigRead::Text(workspace::decode(bytes).0)),
        Err(ReadProblem::Missing) => Ok(ConfigRead::Missing),
        Err(p @ ReadProblem::TooLarge { cap }) => Ok(ConfigRead::Skipped(report(
            shown,
            Code::TooLarge,
            format!("this config {}: chant-lsp did not read it and checks with defaults; keep it under {}", p.describe(), caps::shown(cap)),
        ))),
        Err(ReadProblem::Outside) => Ok(ConfigRead::Skipped(report(
            shown,
            Code::PathOutsideProject,
            "this config is a symbolic link that leads outside the project: chant-lsp does not read it and checks with defaults".to_string(),
        ))),
        Err(p) => anyhow::bail!("cannot read {shown}: it {}", p.describe()),
    }
}

/// Loads and checks the project at `root`. `Err` when it cannot be checked at all: no
/// `.chant` folder, `.chant/specs` or a config file that exists but cannot be read.
pub fn load(root: &Path, opts: &Options) -> Result<Loaded> {
    let chant = root.join(".chant");
    if !chant.is_dir() {
        anyhow::bail!("{} has no .chant directory", root.display());
    }
    let project = Project::new(root);
    let mut io_reports = Vec::new();
    let project_read =
        read_config(project.read(Path::new(".chant/config.md"), caps::SPEC), ".chant/config.md")?;
    let global_path = opts.home.as_ref().map(|h| h.join(".config/chant/config.md"));
    let global_display = global_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let global_read = match &global_path {
        Some(p) => read_config(read::read(p, Known::Nothing, caps::SPEC), &global_display)?,
        None => ConfigRead::Missing,
    };
    let mut text = |r: ConfigRead| match r {
        ConfigRead::Text(t) => Some(t),
        ConfigRead::Missing => None,
        ConfigRead::Skipped(report) => {
            io_reports.push(report);
            None
        }
    };
    let project_missing = matches!(project_read, ConfigRead::Missing);
    let project_text = text(project_read);
    let global_text = text(global_read);
    let (config, config_reports) = config::load(
        global_text.as_deref().map(|text| ConfigText { path: &global_display, text }),
        project_text.as_deref().map(|text| ConfigText { path: ".chant/config.md", text }),
    );
    let (prompts, prompts_report) = prompts(&project, root);
    io_reports.extend(prompts_report);
    let facts = DiskFacts::new(root);

    // The two trees are listed side by side (100k entries take ~0.1 s to list).
    let (found, archived) = std::thread::scope(|scope| {
        let archive = scope.spawn(|| walk_tree(&project, root, ".chant/archive"));
        let found = walk_tree(&project, root, ".chant/specs");
        (found, archive.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let mut found = found.map_err(anyhow::Error::msg)?;
    match archived {
        Ok(a) => {
            found.specs.extend(a.specs);
            found.reports.extend(a.reports);
        }
        Err(why) => {
            let msg = format!("{why}: archived specs are not known");
            io_reports.push(report(".chant/archive", Code::Unreadable, msg));
        }
    }
    io_reports.extend(found.reports);
    let mut found = found.specs;
    found.sort_unstable_by(|a, b| a.0.rel.cmp(&b.0.rel));

    let ctx = Context { config: &config, prompts: &prompts, facts: &facts };
    let results = parallel_map(&found, |(src, access)| {
        BUFFER.with_borrow_mut(|buf| {
            let bytes = match access {
                Access::Read(path, known) => {
                    read::read_into(path, *known, caps::SPEC, buf).map(|()| buf.as_slice())
                }
                Access::Skip(p) => Err(*p),
            };
            workspace::analyze_source_with(&ctx, src, bytes, !opts.check_only)
        })
    });
    let mut workspace = Workspace::build(
        &|items: &[usize], f: &(dyn Fn(usize) -> Vec<Diagnostic> + Sync)| parallel_map(items, |&i| f(i)),
        config,
        config_reports,
        project_missing,
        prompts,
        results,
        opts.include_archived,
    );
    io_reports.sort_by(|a, b| a.path.cmp(&b.path));
    workspace.io_reports = io_reports;
    Ok(Loaded { root: root.to_path_buf(), workspace, facts })
}

thread_local! {
    /// One read buffer per worker thread, reused for every spec.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads a spec file (a regular file, not a symlink) into `buf` the way the load does:
/// at most [`caps::SPEC`] bytes, into a reused buffer (for benchmarks).
pub fn read_into(path: &Path, buf: &mut Vec<u8>) -> std::result::Result<(), ReadProblem> {
    read::read_into(path, Known::Regular, caps::SPEC, buf)
}

/// The text of a project file as chant decodes it, read only when it is a regular file
/// inside the project at `root`, at most [`caps::SPEC`] bytes; `None` when it cannot be
/// read.
pub fn read_text(root: &Path, path: &Path) -> Option<String> {
    Project::new(root).read_text(path, caps::SPEC)
}

/// The global config's text (`~/.config/chant/config.md`: the user's own file, outside
/// any project), read only when it is a regular file, at most [`caps::SPEC`] bytes.
pub fn read_config_text(path: &Path) -> Option<String> {
    read::read(path, Known::Nothing, caps::SPEC).ok().map(|b| workspace::decode(b).0)
}

/// Maps `items` on all cores, keeping the order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(items.len().max(1));
    if threads <= 1 || items.len() < 64 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let chunk = 64;
    // Each worker keeps its chunks whole; putting the chunks in order moves each
    // result once (results can be large: a spec's summary is a few hundred bytes).
    let parts: Vec<Vec<(usize, Vec<R>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let start = next.fetch_add(chunk, Ordering::Relaxed);
                        if start >= items.len() {
                            break;
                        }
                        out.push((start, items[start..].iter().take(chunk).map(&f).collect()));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut chunks: Vec<(usize, Vec<R>)> = parts.into_iter().flatten().collect();
    chunks.sort_unstable_by_key(|(start, _)| *start);
    let mut all = Vec::with_capacity(items.len());
    for (_, rs) in chunks {
        all.extend(rs);
    }
    all
}

/// The project root for a path given on the command line.
pub fn root_for(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    if !abs.exists() {
        anyhow::bail!("{} does not exist", path.display());
    }
    crate::io::root::find_root(&abs).with_context(|| {
        format!("no chant project found: neither {} nor any parent directory contains a .chant directory (run `chant init` in the project root)", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::parallel_map;

    #[test]
    fn parallel_map_keeps_the_order() {
        for n in [0, 1, 63, 64, 65, 1000, 4097] {
            let items: Vec<usize> = (0..n).collect();
            let out = parallel_map(&items, |&i| format!("{i}"));
            assert_eq!(out, items.iter().map(|i| i.to_string()).collect::<Vec<_>>(), "n = {n}");
        }
    }
}

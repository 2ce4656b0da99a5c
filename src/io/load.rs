//! Loading a whole project from disk: config, prompt names, every spec under
//! `.chant/specs/` and `.chant/archive/`, analysed in parallel. Texts are dropped
//! once analysed; only [`Summary`]s and diagnostics are kept.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, Result};

use crate::analysis::config::{self, ConfigText};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::spec::Context;
use crate::analysis::workspace::{self, SpecSource, Workspace};
use crate::io::facts::DiskFacts;

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

/// Collects the spec files under `dir`, whose project-relative path is `rel`.
fn walk(root: &Path, rel: &str, out: &mut Vec<SpecSource>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(ft) = e.file_type() else { continue };
        let path = format!("{rel}/{name}");
        if ft.is_dir() {
            walk(root, &path, out);
        } else if name.ends_with(".md") {
            out.extend(workspace::classify(&path));
        }
    }
}

/// Stems of `.chant/prompts/*.md`.
pub fn prompt_names(root: &Path) -> BTreeSet<String> {
    let names: Vec<String> = std::fs::read_dir(root.join(".chant/prompts"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .map(|n| format!(".chant/prompts/{n}"))
                .collect()
        })
        .unwrap_or_default();
    workspace::prompt_names(names.iter().map(String::as_str))
}

/// Loads and checks the project at `root`.
pub fn load(root: &Path, opts: &Options) -> Result<Loaded> {
    let chant = root.join(".chant");
    if !chant.is_dir() {
        anyhow::bail!("{} has no .chant directory", root.display());
    }
    let project_text = read_text(&chant.join("config.md"));
    let global_path = opts.home.as_ref().map(|h| h.join(".config/chant/config.md"));
    let global_text = global_path.as_deref().and_then(read_text);
    let global_display = global_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let (config, config_reports) = config::load(
        global_text.as_deref().map(|text| ConfigText { path: &global_display, text }),
        project_text.as_deref().map(|text| ConfigText { path: ".chant/config.md", text }),
    );
    let prompts = prompt_names(root);
    let facts = DiskFacts::new(root);

    // The two trees are listed side by side (100k entries take ~0.1 s to list).
    let (mut found, archived) = std::thread::scope(|scope| {
        let archive = scope.spawn(|| {
            let mut out = Vec::new();
            walk(root, ".chant/archive", &mut out);
            out
        });
        let mut out = Vec::new();
        walk(root, ".chant/specs", &mut out);
        (out, archive.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    found.extend(archived);
    found.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));

    let ctx = Context { config: &config, prompts: &prompts, facts: &facts };
    let results = parallel_map(&found, |src| {
        BUFFER.with_borrow_mut(|buf| {
            let bytes =
                read_into(&root.join(&src.rel), buf).map(|()| buf.as_slice()).map_err(|e| e.to_string());
            workspace::analyze_source_with(&ctx, src, bytes, !opts.check_only)
        })
    });
    let workspace = Workspace::build(
        &|items: &[usize], f: &(dyn Fn(usize) -> Vec<Diagnostic> + Sync)| parallel_map(items, |&i| f(i)),
        config,
        config_reports,
        project_text.is_none(),
        prompts,
        results,
        opts.include_archived,
    );
    Ok(Loaded { root: root.to_path_buf(), workspace, facts })
}

thread_local! {
    /// One read buffer per worker thread, reused for every spec.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads a whole file into `buf` (cleared first). Specs are small: one `read` of a
/// buffer larger than the file returns it all, so this costs open + read + read + close
/// without a fresh allocation.
pub fn read_into(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    /// A file seen only through `read`: `File::read_to_end` first asks for the size and
    /// the position (`statx` + `lseek`), two system calls per spec that a reused buffer
    /// does not need.
    struct Plain(std::fs::File);
    impl Read for Plain {
        fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(b)
        }
    }
    buf.clear();
    if buf.capacity() < 64 * 1024 {
        buf.reserve(64 * 1024);
    }
    Plain(std::fs::File::open(path)?).read_to_end(buf)?;
    Ok(())
}

/// A file's text as chant decodes it (`None` when it cannot be read).
pub fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|b| workspace::decode(b).0)
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

//! The one way chant-lsp opens a git repository. libgit2 opens the files of a
//! repository with a blocking `open()` and reads each to its end, so one FIFO or device
//! where it reads (`.git/index`, a ref, a loose object, a config include) blocks the
//! read forever, and with it `check` or a server thread. Before libgit2 gets a
//! repository, [`discover`] checks every entry of its git folders (and of the common
//! folder of a linked worktree), the files its configs name (`include.path`,
//! `core.excludesFile`, `core.attributesFile`) and the working tree's top-level
//! `.gitignore`, `.gitattributes` and `.gitmodules`: each must be a regular file, a
//! folder or a symlink to one. The walk is bounded ([`MAX_ENTRIES`], [`MAX_DEPTH`]) and
//! enters a folder reached through a symlink once.
//!
//! What this cannot see: a file swapped for a FIFO after the check, and `.gitignore`
//! files below the top level, which only a scan of the whole working tree would find;
//! the status scan therefore runs with a time limit ([`super::git::GitReader`]), and a
//! blame or a diff checks the files on its file's path ([`path_files`]).

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use git2::Repository;

/// Entries of the git folders checked at most; a larger one is not read.
pub const MAX_ENTRIES: usize = 500_000;
/// Folder depth checked at most inside a git folder.
pub const MAX_DEPTH: usize = 24;
/// The largest config file read for the files it names (git's own are a few KB).
const MAX_CONFIG: u64 = 1 << 20;
/// libgit2 follows `include.path` this deep.
const MAX_INCLUDES: usize = 10;

/// Finds the repository holding `root` as libgit2 does and opens it, once nothing it
/// may read there can block. The error of a failed check has code `GenericError`; its
/// message names the entry and says why.
pub fn discover(root: &Path) -> Result<Repository, git2::Error> {
    let git_dir = Repository::discover_path(root, std::iter::empty::<&std::ffi::OsStr>())?;
    check_git_dir(&git_dir).map_err(|why| git2::Error::from_str(&why))?;
    let repo = Repository::discover(root)?;
    if let Some(workdir) = repo.workdir() {
        for name in [".gitignore", ".gitattributes", ".gitmodules"] {
            check_file(&workdir.join(name), &format!("`{name}`"))
                .map_err(|why| git2::Error::from_str(&why))?;
        }
    }
    Ok(repo)
}

/// Checks what libgit2 reads in the working tree `workdir` for the path `rel` in it
/// (a blame or a diff of that file): the `.gitattributes` and `.gitignore` in each
/// folder on the way (below the top level, which [`discover`] checked) and the file.
pub fn path_files(workdir: &Path, rel: &str) -> Result<(), String> {
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let mut dir = String::new();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        dir.push_str(part);
        dir.push('/');
        for name in [".gitattributes", ".gitignore"] {
            let rel = format!("{dir}{name}");
            check_file(&workdir.join(&rel), &format!("`{rel}`"))?;
        }
    }
    check_file(&workdir.join(rel), &format!("`{rel}`"))
}

/// Why libgit2 must not read the repository at `git_dir`, if it must not.
pub fn check_git_dir(git_dir: &Path) -> Result<(), String> {
    // Messages name entries from the folder holding the common git folder (`.git/…`).
    let common = common_dir(git_dir)?;
    let base = common.parent().unwrap_or(&common).to_path_buf();
    let mut walk = Walk { base, entries: 0, seen: HashSet::new() };
    walk.dir(&common, 0)?;
    if !git_dir.starts_with(&common) {
        walk.dir(git_dir, 0)?;
    }
    let mut configs = vec![(common.join("config"), 0)];
    configs.push((git_dir.join("config.worktree"), 0));
    while let Some((config, depth)) = configs.pop() {
        for (key, value) in named_files(&config, &walk.base)? {
            let Some(path) = resolve(&value, config.parent().unwrap_or(&common)) else { continue };
            let shown = format!("`{value}` (`{key}` in {})", walk.show(&config));
            check_file(&path, &shown)?;
            // An included config is read for what it names only inside the repository's
            // folder: a file outside is checked for its type, never read.
            let inside = || {
                let base = std::fs::canonicalize(&walk.base).ok();
                std::fs::canonicalize(&path).ok().zip(base).is_some_and(|(p, b)| p.starts_with(b))
            };
            if key == "include.path" && depth < MAX_INCLUDES && inside() {
                configs.push((path, depth + 1));
            }
        }
    }
    Ok(())
}

/// The common git folder: `git_dir` itself, or what its `commondir` file names (a linked
/// worktree's git folder).
fn common_dir(git_dir: &Path) -> Result<PathBuf, String> {
    let file = git_dir.join("commondir");
    match std::fs::symlink_metadata(&file) {
        Err(_) => return Ok(git_dir.to_path_buf()),
        Ok(m) if !m.is_file() => return Err(format!("`{}` is not a regular file", file.display())),
        Ok(_) => {}
    }
    let text = super::read::read(&file, super::read::Known::Regular, 4096)
        .map_err(|e| format!("`{}` {}", file.display(), e.describe()))?;
    let named = String::from_utf8_lossy(&text).trim().to_string();
    Ok(match Path::new(&named).is_absolute() {
        true => PathBuf::from(named),
        false => git_dir.join(named),
    })
}

struct Walk {
    base: PathBuf,
    entries: usize,
    /// Folders entered through a symlink, by device and inode.
    seen: HashSet<(u64, u64)>,
}

impl Walk {
    fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.base).unwrap_or(path).display().to_string()
    }

    fn dir(&mut self, dir: &Path, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "`{}` nests folders deeper than {MAX_DEPTH} levels, chant-lsp's limit",
                self.show(dir)
            ));
        }
        // A folder that cannot be listed cannot be read by libgit2 either: it fails, it
        // does not block.
        let Ok(list) = std::fs::read_dir(dir) else { return Ok(()) };
        for entry in list.flatten() {
            self.entries += 1;
            if self.entries > MAX_ENTRIES {
                return Err(format!(
                    "the git folder holds more than {MAX_ENTRIES} entries, chant-lsp's limit"
                ));
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                // git-lfs keeps its object store here; libgit2 never reads it.
                if depth == 0 && entry.file_name() == "lfs" {
                    continue;
                }
                self.dir(&path, depth + 1)?;
            } else if kind.is_symlink() {
                // A dangling link fails at once in libgit2.
                let Ok(m) = std::fs::metadata(&path) else { continue };
                if m.is_dir() {
                    if self.seen.insert((m.dev(), m.ino())) {
                        self.dir(&path, depth + 1)?;
                    }
                } else if !m.is_file() {
                    return Err(blocked(&format!("`{}`", self.show(&path)), &m.file_type()));
                }
            } else if !kind.is_file() {
                return Err(blocked(&format!("`{}`", self.show(&path)), &kind));
            }
        }
        Ok(())
    }
}

fn blocked(shown: &str, kind: &std::fs::FileType) -> String {
    let what = super::read::special(kind).unwrap_or("not a regular file");
    format!("{shown} is {what}, not a regular file (libgit2 would wait on it or read it forever)")
}

/// `path` (named `shown` in a message) must be a regular file, a folder or missing (a symlink is followed).
fn check_file(path: &Path, shown: &str) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => Err(blocked(shown, &m.file_type())),
        _ => Ok(()),
    }
}

/// The files a config names for libgit2 to read: `(key, value)` of `include.path`,
/// `includeIf.*.path`, `core.excludesFile` and `core.attributesFile`. A config that is
/// not a regular file, or larger than [`MAX_CONFIG`], is an error; a missing one has none.
fn named_files(config: &Path, base: &Path) -> Result<Vec<(String, String)>, String> {
    let shown = format!("`{}`", config.strip_prefix(base).unwrap_or(config).display());
    let m = match std::fs::metadata(config) {
        Err(_) => return Ok(Vec::new()),
        Ok(m) => m,
    };
    if !m.is_file() {
        return Err(blocked(&shown, &m.file_type()));
    }
    let text = super::read::read(config, super::read::Known::Nothing, MAX_CONFIG as usize)
        .map_err(|e| format!("{shown} {}", e.describe()))?;
    let text = String::from_utf8_lossy(&text);
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('[') {
            // `[include]`, `[core]`, `[includeIf "gitdir:…"]`; a key may follow on the line.
            let end = rest.find(']').unwrap_or(rest.len());
            let header = &rest[..end];
            section =
                header.split(|c: char| c.is_whitespace() || c == '"').next().unwrap_or("").to_lowercase();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let key = format!("{section}.{}", key.trim().to_lowercase());
        let wanted = matches!(
            key.as_str(),
            "include.path" | "includeif.path" | "core.excludesfile" | "core.attributesfile"
        );
        if wanted {
            let value = value.split(['#', ';']).next().unwrap_or("").trim().trim_matches('"').to_string();
            if !value.is_empty() {
                let key = if key == "includeif.path" { "include.path".to_string() } else { key };
                out.push((key, value));
            }
        }
    }
    Ok(out)
}

/// A config value naming a file: `~/…` from `$HOME`, a relative path from `dir`.
fn resolve(value: &str, dir: &Path) -> Option<PathBuf> {
    if let Some(rest) = value.strip_prefix("~/") {
        return std::env::var_os("HOME").map(|h| PathBuf::from(h).join(rest));
    }
    let p = Path::new(value);
    Some(match p.is_absolute() {
        true => p.to_path_buf(),
        false => dir.join(p),
    })
}

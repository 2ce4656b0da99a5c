//! "Which spec wrote this line": the commit that last changed one line of a project
//! file, read with libgit2's blame restricted to that line. The line is counted in the
//! file as saved in the working tree: uncommitted changes above it are mapped back to
//! HEAD's lines first (a diff of HEAD's copy against the saved file), and a line that
//! is itself uncommitted is said to be so. Slow on long histories: callers run it off
//! the request path or with a bounded wait.

use std::path::Path;

use git2::{BlameOptions, DiffOptions, Patch};

/// The largest file blamed.
const MAX_BYTES: usize = 8 << 20;

/// What blame says of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOrigin {
    /// Last changed by this commit.
    Commit { id: String, subject: String, author: String, time: i64, line: u32 },
    /// The line has uncommitted changes (or the file is not committed at all).
    Uncommitted,
}

/// Blames line `line` (0-based) of project file `rel` in the project at `root`.
pub fn blame_line(root: &Path, rel: &str, line: u32) -> Result<LineOrigin, String> {
    let repo = super::git_guard::discover(root).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => "the project is not in a git repository".to_string(),
        _ => format!("the git repository could not be opened: {}", e.message()),
    })?;
    let workdir = repo.workdir().ok_or("the repository is bare (no working tree)")?.to_path_buf();
    let prefix = super::git::project_prefix(&workdir, root);
    let in_repo = format!("{prefix}{rel}");
    super::git_guard::path_files(&workdir, &in_repo)?;
    let project = super::read::Project::new(root);
    let saved = project
        .read(Path::new(rel), MAX_BYTES)
        .map_err(|e| format!("{rel} cannot be blamed: it {}", e.describe()))?;
    let lines = saved.split(|&b| b == b'\n').count() - usize::from(saved.ends_with(b"\n"));
    if line as usize >= lines {
        return Err(format!("line {} is past the end of {rel} ({lines} lines)", line + 1));
    }
    let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|e| match e.code() {
        git2::ErrorCode::UnbornBranch => "the repository has no commit yet".to_string(),
        _ => format!("HEAD could not be read: {}", e.message()),
    })?;
    let tree = head.tree().map_err(|e| format!("HEAD's tree could not be read: {}", e.message()))?;
    let Ok(entry) = tree.get_path(Path::new(&in_repo)) else {
        return Ok(LineOrigin::Uncommitted);
    };
    let blob = repo
        .find_blob(entry.id())
        .map_err(|e| format!("{rel} could not be read from HEAD: {}", e.message()))?;
    if blob.is_binary() || saved.contains(&0) {
        return Err(format!("{rel} is a binary file"));
    }
    let Some(head_line) = head_line_of(&blob, &saved, line)? else {
        return Ok(LineOrigin::Uncommitted);
    };
    let mut opts = BlameOptions::new();
    opts.min_line(head_line as usize + 1).max_line(head_line as usize + 1);
    let blame = repo
        .blame_file(Path::new(&in_repo), Some(&mut opts))
        .map_err(|e| format!("blame of {rel} failed: {}", e.message()))?;
    let hunk = blame
        .get_line(head_line as usize + 1)
        .ok_or_else(|| format!("line {} of {rel} has no blame", line + 1))?;
    let id = hunk.final_commit_id();
    if id.is_zero() {
        return Ok(LineOrigin::Uncommitted);
    }
    let commit =
        repo.find_commit(id).map_err(|e| format!("commit {id} could not be read: {}", e.message()))?;
    let at =
        (head_line as i64 + 1 + hunk.orig_start_line() as i64 - hunk.final_start_line() as i64).max(1) as u32;
    let subject = String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned();
    let author = String::from_utf8_lossy(commit.author().name_bytes()).into_owned();
    let time = commit.committer().when().seconds();
    Ok(LineOrigin::Commit { id: id.to_string(), subject, author, time, line: at })
}

/// Where `line` of the saved file stood in HEAD's copy (`None`: the line itself has
/// uncommitted changes), through the hunks of a diff without context.
fn head_line_of(blob: &git2::Blob<'_>, saved: &[u8], line: u32) -> Result<Option<u32>, String> {
    if blob.content() == saved {
        return Ok(Some(line));
    }
    let mut opts = DiffOptions::new();
    opts.context_lines(0);
    let patch = Patch::from_blob_and_buffer(blob, None, saved, None, Some(&mut opts))
        .map_err(|e| format!("the diff against HEAD failed: {}", e.message()))?;
    let mut shift: i64 = 0;
    for i in 0..patch.num_hunks() {
        let Ok((hunk, _)) = patch.hunk(i) else { continue };
        let (old_lines, new_start, new_lines) =
            (hunk.old_lines() as i64, hunk.new_start() as i64, hunk.new_lines() as i64);
        // 1-based; a hunk adding nothing has `new_start` at the line before it.
        let first = if new_lines == 0 { new_start + 1 } else { new_start };
        let line1 = line as i64 + 1;
        if new_lines > 0 && line1 >= first && line1 < first + new_lines {
            return Ok(None);
        }
        if line1 < first {
            break;
        }
        shift += new_lines - old_lines;
    }
    let at = line as i64 - shift;
    Ok((at >= 0).then_some(at as u32))
}

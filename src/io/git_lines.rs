//! What became of the lines completed specs cite (`src/a.rs:145-150`): each cited
//! block is read as it was in HEAD's history when the spec completed and compared with
//! the file in the working tree now; when it changed, the same text is looked for
//! elsewhere in the file (a quick fix can then update the numbers).

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository, Sort};

use crate::analysis::git::{LineFate, LineQuery};

/// The largest file compared.
const MAX_BYTES: u64 = 4 << 20;
/// Queries answered at most per read.
const MAX_QUERIES: usize = 2_000;

/// The file in the working tree now (a regular file inside the project, capped).
fn read_now(project: &super::read::Project, rel: &str) -> Option<String> {
    let bytes = project.read(Path::new(rel), MAX_BYTES as usize).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn block(lines: &[&str], first: u32, last: u32) -> Option<Vec<String>> {
    let (a, b) = (first as usize - 1, last as usize);
    (b <= lines.len()).then(|| lines[a..b].iter().map(|l| l.trim_end().to_string()).collect())
}

/// Answers `queries` (project-relative paths; `prefix`: the project's folder in the
/// working tree `workdir`, with a trailing `/` or empty).
pub fn fates(
    repo: &Repository,
    head: Oid,
    workdir: &Path,
    prefix: &str,
    queries: &[LineQuery],
) -> HashMap<LineQuery, LineFate> {
    let mut out = HashMap::new();
    if queries.is_empty() {
        return out;
    }
    let mut queries: Vec<&LineQuery> = queries.iter().take(MAX_QUERIES).collect();
    // Newest first, so one walk of the history finds each query's commit in turn.
    queries.sort_by_key(|q| std::cmp::Reverse(q.at));
    let Ok(mut walk) = repo.revwalk() else { return out };
    let _ = walk.set_sorting(Sort::TIME);
    if walk.push(head).is_err() {
        return out;
    }
    let mut walk = walk.flatten().filter_map(|oid| repo.find_commit(oid).ok()).peekable();
    let mut current: HashMap<String, Option<String>> = HashMap::new();
    let project = super::read::Project::new(&workdir.join(prefix));
    let mut old: HashMap<(Oid, String), Option<String>> = HashMap::new();
    for q in queries {
        // The newest commit at or before the query's time.
        while walk.peek().is_some_and(|c| c.committer().when().seconds() > q.at) {
            walk.next();
        }
        let Some(base) = walk.peek() else { break };
        let base_id = base.id();
        let then = old
            .entry((base_id, q.path.clone()))
            .or_insert_with(|| {
                let tree = base.tree().ok()?;
                let entry = tree.get_path(Path::new(&format!("{prefix}{}", q.path))).ok()?;
                let blob = repo.find_blob(entry.id()).ok()?;
                (blob.size() as u64 <= MAX_BYTES)
                    .then(|| String::from_utf8_lossy(blob.content()).into_owned())
            })
            .clone();
        let now = current.entry(q.path.clone()).or_insert_with(|| read_now(&project, &q.path));
        let (Some(then), Some(now)) = (then, now.as_deref()) else { continue };
        let then_lines: Vec<&str> = then.lines().collect();
        let now_lines: Vec<&str> = now.lines().collect();
        let Some(cited) = block(&then_lines, q.first, q.last) else { continue };
        if block(&now_lines, q.first, q.last).as_ref() == Some(&cited) {
            continue;
        }
        let n = cited.len();
        let mut at = (0..now_lines.len().saturating_sub(n - 1)).filter(|&i| {
            now_lines[i..i + n].iter().map(|l| l.trim_end()).eq(cited.iter().map(String::as_str))
        });
        let moved_to = match (at.next(), at.next()) {
            (Some(i), None) => Some((i as u32 + 1, (i + n) as u32)),
            _ => None,
        };
        out.insert(q.clone(), LineFate { moved_to });
    }
    out
}

//! `workspace/executeCommand`: the commands of `analysis::ide::commands`, their
//! arguments typed by `from_proto::invocation`. Runs start through `runs.rs`; the
//! others are answered here.

use std::path::Path;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::analysis::ide::actions::Verb;
use crate::analysis::ide::commands::Command;
use crate::io::git_diff;
use crate::lsp::from_proto::{self, Invocation};
use crate::lsp::runs::{invalid, Refusal};
use crate::lsp::server::Backend;

pub async fn handle(b: &Backend, p: lsp::ExecuteCommandParams) -> jsonrpc::Result<Option<Value>> {
    match from_proto::invocation(&p)? {
        Invocation::Explain { reason } => {
            b.inner.client.show_message(lsp::MessageType::INFO, reason).await;
            Ok(None)
        }
        Invocation::CreateFile { uri } => create_file(b, &uri).await.map(Some),
        Invocation::ShowChanges { uri, path } => show_changes(b, &uri, path).await.map(Some),
        Invocation::SpecOfLine { uri, line } => spec_of_line(b, &uri, line).await.map(Some),
        Invocation::OnSpec { command, uri, flags } => match command {
            Command::Stop => {
                let t = b.target(&uri)?;
                let stopping = b
                    .runs()
                    .active
                    .get_mut(&(t.root.clone(), t.id.clone()))
                    .map(|a| a.handle.stop())
                    .is_some();
                if stopping {
                    Ok(Some(json!({ "stopping": t.id })))
                } else {
                    Ok(Some(b.refuse(format!("no run of {} is going on in this editor", t.id)).await))
                }
            }
            Command::ShowLog => {
                let t = b.target(&uri)?;
                b.show_log(&t.root, &t.id).await.map(Some)
            }
            Command::RemoveBom => remove_bom(b, &uri).map(Some),
            Command::OpenSpec => {
                let t = b.target(&uri)?;
                let shown = b.show(&t.root.join(&t.rel)).await;
                Ok(Some(json!({ "spec": t.id, "shown": shown })))
            }
            other => {
                let Some(verb) = Verb::of(other) else {
                    return Err(invalid(format!("{} takes no spec", other.name())));
                };
                match b.start_run(&uri, verb, flags) {
                    Ok(v) => Ok(Some(v)),
                    Err(Refusal::Bad(e)) => Err(e),
                    Err(Refusal::Refused(why)) => Ok(Some(b.refuse(why).await)),
                }
            }
        },
    }
}

/// Rewrites a spec file without its byte order mark (editors hide it from the buffer,
/// so no text edit can remove it).
fn remove_bom(b: &Backend, uri: &Uri) -> jsonrpc::Result<Value> {
    let t = b.target(uri)?;
    let path = t.root.join(&t.rel);
    let bytes = crate::io::read::Project::new(&t.root)
        .read(&path, crate::analysis::facts::caps::SPEC)
        .map_err(|e| invalid(format!("cannot read {}: it {}", path.display(), e.describe())))?;
    let Some(rest) = bytes.strip_prefix("\u{feff}".as_bytes()) else {
        return Ok(json!({ "changed": false }));
    };
    std::fs::write(&path, rest).map_err(|e| invalid(format!("cannot write {}: {e}", path.display())))?;
    b.queue_event(path);
    Ok(json!({ "changed": true }))
}

/// Creates a missing linked file (for clients that cannot create files from a quick
/// fix) and opens it.
async fn create_file(b: &Backend, uri: &Uri) -> jsonrpc::Result<Value> {
    let (_, path) = b.project_file(uri)?;
    let created = create_new(&path).map_err(|e| invalid(format!("cannot create {}: {e}", path.display())))?;
    b.queue_event(path.clone());
    b.show(&path).await;
    Ok(json!({ "created": created }))
}

/// Shows the diff of a spec's commits, or of what changed in one of its drift entries:
/// read from git outside the state lock, written read-only into a private temporary
/// folder and opened with `window/showDocument` (the result also names the file).
async fn show_changes(b: &Backend, uri: &Uri, path: Option<String>) -> jsonrpc::Result<Value> {
    let t = b.target(uri)?;
    let shown = match changes(b, uri, path.clone(), git_diff::spec_changes).await? {
        Ok(s) => s,
        Err(why) => return Ok(b.refuse(why).await),
    };
    let name = match &path {
        None => format!("{}-changes.diff", t.id),
        Some(p) => format!("{}-drift-{:016x}.diff", t.id, crate::analysis::git::text_hash(p.as_bytes())),
    };
    let file =
        write_private(&name, &shown.text).map_err(|e| invalid(format!("cannot write the diff: {e}")))?;
    b.show(&file).await;
    Ok(json!({ "commits": shown.commits, "file": file.display().to_string(), "bytes": shown.text.len() }))
}

/// Writes `text` as a read-only file in this user's private folder under the system's
/// temporary folder (created with mode 0700; refused when it is not a folder of ours).
fn write_private(name: &str, text: &str) -> std::io::Result<std::path::PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
    let uid = nix::unistd::getuid().as_raw();
    let dir = std::env::temp_dir().join(format!("chant-lsp-{uid}"));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(&dir)?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(format!("{} is not a private folder of this user", dir.display())));
    }
    let file = dir.join(name.replace(['/', '\\'], "_"));
    match std::fs::remove_file(&file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o444).open(&file)?;
    std::io::Write::write_all(&mut f, text.as_bytes())?;
    Ok(file)
}

/// Creates an empty file (and its folders) unless it exists; true when it created it.
fn create_new(path: &Path) -> std::io::Result<bool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Which spec wrote a line: blames it (on a blocking thread, as long as it takes), says
/// what it found, and offers to open the spec.
async fn spec_of_line(b: &Backend, uri: &Uri, line: u32) -> jsonrpc::Result<Value> {
    use crate::lsp::sources::{self, LineOrigin};
    let Some(s) = sources::source(b, uri) else {
        return Ok(b.refuse("this file is not a project file chant-lsp looks at (a spec, or under .chant/, or outside any chant project, or sourceFiles.enabled is off)".to_string()).await);
    };
    let origin = match sources::blame(b, &s, line, None).await {
        Some(Ok(o)) => o,
        Some(Err(why)) => return Ok(b.refuse(why).await),
        None => return Ok(b.refuse(format!("{} cannot be blamed now", s.rel)).await),
    };
    let (text, spec) = sources::origin_text(b, &s, line, &origin);
    let plain = text.replace('`', "");
    let open = "Open spec";
    let chosen = match &spec {
        Some(_) => {
            let actions =
                vec![lsp::MessageActionItem { title: open.to_string(), properties: Default::default() }];
            b.inner
                .client
                .show_message_request(lsp::MessageType::INFO, plain, Some(actions))
                .await
                .ok()
                .flatten()
        }
        None => {
            b.inner.client.show_message(lsp::MessageType::INFO, plain).await;
            None
        }
    };
    if let (Some(path), Some(_)) = (&spec, chosen.filter(|c| c.title == open)) {
        b.show(path).await;
    }
    let commit = match &origin {
        LineOrigin::Commit { id, subject, line, .. } => json!({ "id": id, "subject": subject, "line": line }),
        LineOrigin::Uncommitted => Value::Null,
    };
    let spec_id = spec.as_ref().and_then(|p| p.file_stem()).map(|s| s.to_string_lossy().into_owned());
    Ok(json!({ "commit": commit, "spec": spec_id, "markdown": text }))
}

/// How "Show changes" is read: [`git_diff::spec_changes`] or [`git_diff::spec_file_pairs`].
pub type ChangesReader<T> = fn(
    &Path,
    &crate::analysis::git::GitFacts,
    &str,
    Option<&crate::analysis::spec::GitRefs>,
    git_diff::Wanted,
) -> Result<T, String>;

/// Reads what "Show changes" covers for the spec at `uri` with `read` (the unified
/// diff, or the files side by side), from the git facts already read and outside the
/// state lock. `Err(why)` inside: what to tell the person.
pub async fn changes<T: Send + 'static>(
    b: &Backend,
    uri: &Uri,
    path: Option<String>,
    read: ChangesReader<T>,
) -> jsonrpc::Result<Result<T, String>> {
    let t = b.target(uri)?;
    let found = {
        let st = b.state();
        st.roots.iter().find(|r| r.path == t.root).map(|r| {
            let refs = r.ws.index_of(&t.rel).and_then(|i| r.ws.project.specs[i].git.clone());
            (r.ws.git_facts().cloned(), refs)
        })
    };
    let Some((Some(facts), refs)) = found else {
        return Ok(Err(format!("the git facts of {} are not read yet", t.id)));
    };
    let (root, id) = (t.root.clone(), t.id.clone());
    tokio::task::spawn_blocking(move || {
        let wanted = match &path {
            Some(p) => git_diff::Wanted::Drift(p),
            None => git_diff::Wanted::Commits,
        };
        read(&root, &facts, &id, refs.as_deref(), wanted)
    })
    .await
    .map_err(|e| invalid(format!("reading the diff failed: {e}")))
}

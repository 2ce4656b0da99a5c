//! `workspace/executeCommand`: the commands of `analysis::ide::commands`, their
//! arguments typed by `from_proto::invocation`. Runs start through `runs.rs`; the
//! others are answered here.

use std::path::Path;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::analysis::ide::actions::Verb;
use crate::analysis::ide::commands::Command;
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
    if b.state().caps.show_document {
        let params = lsp::ShowDocumentParams {
            uri: Uri::from_file_path(&path).ok_or_else(|| invalid("bad path"))?,
            external: Some(false),
            take_focus: Some(true),
            selection: None,
        };
        let _ = b.inner.client.show_document(params).await;
    }
    Ok(json!({ "created": created }))
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

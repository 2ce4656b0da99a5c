//! Publishing diagnostics: one task sends `textDocument/publishDiagnostics` in the order
//! the changes were applied. Each batch ([`Outgoing`]) is converted to the protocol
//! here, outside the state lock: files that are not open are read from the disk to turn
//! byte offsets into the client's positions.

use std::collections::HashMap;
use std::path::Path;

use ropey::Rope;
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::Client;

use super::capabilities::{ClientCaps, Encoding};
use super::changes::Outgoing;
use super::to_proto::{self, DiagnosticContext};
use crate::analysis::facts::caps;
use crate::io::read::Project;

/// One `textDocument/publishDiagnostics`.
pub struct Publish {
    pub uri: Uri,
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

pub enum Out {
    Diagnostics {
        batch: Vec<Outgoing>,
        enc: Encoding,
        caps: ClientCaps,
    },
    /// Answered once everything queued before it has been sent.
    Flush(oneshot::Sender<()>),
}

/// Starts the publisher task.
pub fn start(client: Client) -> mpsc::UnboundedSender<Out> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
    tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Out::Diagnostics { batch, enc, caps } => {
                    let converted = tokio::task::spawn_blocking(move || convert(batch, enc, &caps))
                        .await
                        .unwrap_or_default();
                    for p in converted {
                        client.publish_diagnostics(p.uri, p.diagnostics, p.version).await;
                    }
                }
                Out::Flush(done) => {
                    let _ = done.send(());
                }
            }
        }
    });
    tx
}

/// The text of a project file that is not open, as a rope (empty when it cannot be read:
/// not a regular file inside the project, or past `caps::SPEC`). An absolute path outside
/// the project is the global config, the user's own file.
pub fn disk_rope(project: &Project, path: &Path) -> Rope {
    let text = if path.starts_with(project.root()) {
        project.read_text(path, caps::SPEC)
    } else {
        crate::io::load::read_config_text(path)
    };
    Rope::from_str(&text.unwrap_or_default())
}

/// Converts batches of analysis diagnostics to protocol publishes.
pub fn convert(batch: Vec<Outgoing>, enc: Encoding, caps: &ClientCaps) -> Vec<Publish> {
    let mut out = Vec::new();
    for o in batch {
        let root = o.root.clone();
        let project = Project::new(&root);
        let abs = |rel: &str| if Path::new(rel).is_absolute() { rel.into() } else { root.join(rel) };
        let mut ropes: HashMap<String, (Uri, Rope)> = o.open;
        let mut file = |rel: &str| -> Option<(Uri, Rope)> {
            if let Some(hit) = ropes.get(rel) {
                return Some(hit.clone());
            }
            let path = abs(rel);
            let entry = (Uri::from_file_path(&path)?, disk_rope(&project, &path));
            ropes.insert(rel.to_string(), entry.clone());
            Some(entry)
        };
        let uri_of = |rel: &str| Uri::from_file_path(abs(rel));
        for f in o.files {
            if f.diagnostics.is_empty() {
                out.push(Publish { uri: f.uri, diagnostics: Vec::new(), version: f.version });
                continue;
            }
            let rope = file(&f.rel).map(|(_, r)| r).unwrap_or_default();
            let mut cx = DiagnosticContext { enc, caps, uri_of: &uri_of, file: &mut file };
            let diagnostics = to_proto::diagnostics(&mut cx, &rope, &f.diagnostics);
            out.push(Publish { uri: f.uri, diagnostics, version: f.version });
        }
    }
    out
}

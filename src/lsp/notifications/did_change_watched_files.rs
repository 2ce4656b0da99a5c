//! `workspace/didChangeWatchedFiles`: changed paths are gathered and handled together
//! once they pause (`Backend::queue_event`).

use tower_lsp_server::ls_types as lsp;

use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::DidChangeWatchedFilesParams) {
    for change in params.changes {
        if let Some(p) = from_proto::path(&change.uri) {
            b.queue_event(p);
        }
    }
}

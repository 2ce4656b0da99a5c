//! `textDocument/didChange`: the edit is applied at once (document order is sacred);
//! the spec is re-checked when typing pauses.

use tower_lsp_server::ls_types as lsp;

use crate::lsp::changes::Change;
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::DidChangeTextDocumentParams) {
    let Some(path) = from_proto::path(&params.text_document.uri) else { return };
    b.change(Change::Edited { path, changes: params.content_changes, version: params.text_document.version });
}

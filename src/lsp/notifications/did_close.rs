//! `textDocument/didClose`: the spec goes back to what the disk says (read before the
//! state lock is taken; a deleted file is dropped).

use tower_lsp_server::ls_types as lsp;

use crate::lsp::changes::Change;
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::DidCloseTextDocumentParams) {
    let Some(path) = from_proto::path(&params.text_document.uri) else { return };
    let disk = std::fs::read(&path).ok();
    b.change(Change::Closed { path, disk });
}

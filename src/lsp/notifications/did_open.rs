//! `textDocument/didOpen`: the buffer becomes the spec's text. Whether the file on disk
//! starts with a BOM that the editor hides, and the project of a file no loaded project
//! holds, are read before the state lock is taken.

use std::path::Path;

use tower_lsp_server::ls_types as lsp;

use crate::lsp::changes::Change;
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let Some(path) = from_proto::path(&doc.uri) else { return };
    let disk_bom = starts_with_bom(&path);
    let loaded = b.state().root_of(&path).is_some();
    let root = if loaded { None } else { crate::io::root::find_root(&path) };
    b.change(Change::Opened { path, uri: doc.uri, text: doc.text, version: doc.version, disk_bom, root });
}

/// Whether the file starts with a UTF-8 byte order mark (a regular file only: a FIFO at
/// that path is never opened).
fn starts_with_bom(path: &Path) -> bool {
    crate::io::read::head(path, crate::io::read::Known::Nothing, 3)
        .is_ok_and(|(head, _)| head == [0xEF, 0xBB, 0xBF])
}

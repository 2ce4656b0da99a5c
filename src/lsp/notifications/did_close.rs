//! `textDocument/didClose`: the spec goes back to what the disk says (read between two
//! short holds of the state lock, with no `.await`, so document order holds; a deleted
//! file is dropped). Only specs of loaded projects are read.

use tower_lsp_server::ls_types as lsp;

use crate::lsp::changes::{Change, Texts};
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::DidCloseTextDocumentParams) {
    let Some(path) = from_proto::path(&params.text_document.uri) else { return };
    let read = {
        let mut st = b.state();
        st.spec_at(&path).map(|_| st.disk_read())
    };
    let disk = match read {
        Some(read) => Texts::new(read, [(path.clone(), std::fs::read(&path).ok())]),
        None => Texts::default(),
    };
    b.change(Change::Closed { path, disk });
}

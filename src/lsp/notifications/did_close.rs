//! `textDocument/didClose`: the spec goes back to what the disk says (read between two
//! short holds of the state lock, with no `.await`, so document order holds; a deleted
//! file is dropped). Only specs of loaded projects are read, and only as regular files
//! inside their project, at most `caps::SPEC` bytes.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::facts::caps;
use crate::lsp::changes::{Change, Texts};
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::DidCloseTextDocumentParams) {
    let Some(path) = from_proto::path(&params.text_document.uri) else { return };
    let read = {
        let mut st = b.state();
        match (st.spec_at(&path), st.project_of(&path)) {
            (Some(_), Some(project)) => Some((st.disk_read(), project)),
            _ => None,
        }
    };
    let disk = match read {
        Some((read, project)) => Texts::new(read, [(path.clone(), project.read(&path, caps::SPEC))]),
        None => Texts::default(),
    };
    b.change(Change::Closed { path, disk });
}

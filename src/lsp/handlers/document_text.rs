//! `chant-lsp/documentText`: the server's copy of an open document (for tests and for
//! debugging sync problems).

use tower_lsp_server::ls_types as lsp;

use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::TextDocumentIdentifier) -> Option<String> {
    let path = from_proto::path(&params.uri)?;
    b.state().docs.get_mut(&path).map(|d| d.text().as_str().to_string())
}

//! `textDocument/definition`: the spec an ID names, the file a path names, a glob's
//! matches.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::navigation;
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, p: lsp::GotoDefinitionParams) -> Option<lsp::GotoDefinitionResponse> {
    let tdp = p.text_document_position_params;
    let doc = super::document(b, &tdp.text_document.uri)?;
    let (root, found) = {
        let st = b.state();
        let offset = from_proto::offset(&doc.rope, tdp.position, st.encoding);
        st.with_spec(&doc.path, &doc.text, |r, f| {
            (r.path.clone(), navigation::definition(&r.ws.project, r.facts.as_ref(), f, offset))
        })?
    };
    let mut locs = super::locations(b, &root, found);
    match locs.len() {
        0 => None,
        1 => locs.pop().map(lsp::GotoDefinitionResponse::Scalar),
        _ => Some(lsp::GotoDefinitionResponse::Array(locs)),
    }
}

//! `textDocument/references`: the specs that name a spec ID, or that link to a path;
//! on the first line of any other project file, the specs naming that file.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::navigation;
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, p: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
    let tdp = p.text_document_position;
    let include = p.context.include_declaration;
    let Some(doc) = super::document(b, &tdp.text_document.uri) else {
        return crate::lsp::sources::references(b, &tdp.text_document.uri, tdp.position);
    };
    let (root, found) = {
        let st = b.state();
        let offset = from_proto::offset(&doc.rope, tdp.position, st.encoding);
        st.with_spec(&doc.path, &doc.text, |r, f| {
            (r.path.clone(), navigation::references(&r.ws.project, f, offset, include))
        })?
    };
    Some(super::locations(b, &root, found))
}

//! `textDocument/documentLink`: every linked path and spec of a spec file.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::navigation;
use crate::lsp::server::Backend;
use crate::lsp::to_proto;

pub fn handle(b: &Backend, p: lsp::DocumentLinkParams) -> Option<Vec<lsp::DocumentLink>> {
    let doc = super::document(b, &p.text_document.uri)?;
    let st = b.state();
    let enc = st.encoding;
    let links = st.with_spec(&doc.path, &doc.text, |r, f| {
        navigation::document_links(&r.ws.project, r.facts.as_ref(), f)
    })?;
    let root = st.root_of(&doc.path)?;
    Some(
        links
            .into_iter()
            .filter_map(|l| {
                let target = st.uri(root, &l.target)?;
                Some(to_proto::document_link(l, target, &doc.rope, enc))
            })
            .collect(),
    )
}

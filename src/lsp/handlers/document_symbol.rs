//! `textDocument/documentSymbol`: the outline of a spec (frontmatter keys, sections,
//! criteria).

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::symbols;
use crate::lsp::server::Backend;
use crate::lsp::to_proto;

pub fn handle(b: &Backend, p: lsp::DocumentSymbolParams) -> Option<lsp::DocumentSymbolResponse> {
    let doc = super::document(b, &p.text_document.uri)?;
    let (outline, hierarchical, enc) = {
        let st = b.state();
        (
            st.with_spec(&doc.path, &doc.text, |_, f| symbols::outline(f))?,
            st.caps.hierarchical_symbols,
            st.encoding,
        )
    };
    Some(to_proto::document_symbols(&outline, hierarchical, &p.text_document.uri, &doc.rope, enc))
}

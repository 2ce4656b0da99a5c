//! `textDocument/foldingRange`: the frontmatter, sections and code blocks of a spec.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::symbols;
use crate::lsp::server::Backend;
use crate::lsp::to_proto;

pub fn handle(b: &Backend, p: lsp::FoldingRangeParams) -> Option<Vec<lsp::FoldingRange>> {
    let doc = super::document(b, &p.text_document.uri)?;
    let (folds, enc) = {
        let st = b.state();
        (st.with_spec(&doc.path, &doc.text, |_, f| symbols::folding(f))?, st.encoding)
    };
    Some(to_proto::folding_ranges(folds, &doc.rope, enc))
}

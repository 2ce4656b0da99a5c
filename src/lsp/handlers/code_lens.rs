//! `textDocument/codeLens`: the lenses `analysis::ide::lenses` puts on a spec's title,
//! from the spec and the facts about its runs; on any other project file, the specs
//! that change or read it (`lsp::sources`).

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::lenses;
use crate::lsp::server::Backend;
use crate::lsp::to_proto;

pub fn handle(b: &Backend, p: lsp::CodeLensParams) -> Option<Vec<lsp::CodeLens>> {
    let uri = &p.text_document.uri;
    let Some(doc) = super::document(b, uri) else {
        return crate::lsp::sources::code_lenses(b, uri);
    };
    let st = b.state();
    let enc = st.encoding;
    let found = st.with_spec(&doc.path, &doc.text, |r, f| {
        let run = b.run_state(&st, &r.path, f.id);
        lenses::lenses(&r.ws, f, &run)
    })?;
    Some(found.into_iter().map(|l| to_proto::code_lens(l, uri, &doc.rope, enc)).collect())
}

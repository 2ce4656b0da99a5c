//! `textDocument/completion`: keys, values, spec IDs, paths, prompts and labels.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::completion;
use crate::lsp::server::Backend;
use crate::lsp::{from_proto, to_proto};

pub fn handle(b: &Backend, p: lsp::CompletionParams) -> Option<lsp::CompletionResponse> {
    let tdp = p.text_document_position;
    let doc = super::document(b, &tdp.text_document.uri)?;
    let st = b.state();
    let enc = st.encoding;
    let offset = from_proto::offset(&doc.rope, tdp.position, enc);
    let found = st.with_spec(&doc.path, &doc.text, |r, f| {
        completion::complete(&r.ws.project, r.facts.as_ref(), f, offset)
    })?;
    Some(to_proto::completion(found, &doc.rope, enc))
}

//! `textDocument/inlayHint`: the title and status of each spec named in `depends_on`
//! and `members`, within the asked range.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::hints;
use crate::lsp::server::Backend;
use crate::lsp::{from_proto, to_proto};

pub fn handle(b: &Backend, p: lsp::InlayHintParams) -> Option<Vec<lsp::InlayHint>> {
    let doc = super::document(b, &p.text_document.uri)?;
    let st = b.state();
    let enc = st.encoding;
    let bytes = from_proto::byte_range(&doc.rope, p.range, enc);
    let found = st.with_spec(&doc.path, &doc.text, |r, f| hints::inlay_hints(&r.ws.project, f, bytes))?;
    Some(found.into_iter().map(|h| to_proto::inlay_hint(h, &doc.rope, enc)).collect())
}

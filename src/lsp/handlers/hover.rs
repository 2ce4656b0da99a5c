//! `textDocument/hover`: what is under the cursor (`analysis::ide::hover`), and for a
//! spec, what its runs are doing. A file preview is read after the state lock is
//! released (`hover::fill`).

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::hover;
use crate::lsp::server::Backend;
use crate::lsp::{from_proto, to_proto};

pub fn handle(b: &Backend, p: lsp::HoverParams) -> Option<lsp::Hover> {
    let tdp = p.text_document_position_params;
    let doc = super::document(b, &tdp.text_document.uri)?;
    let (h, facts, note, enc) = {
        let st = b.state();
        let enc = st.encoding;
        let offset = from_proto::offset(&doc.rope, tdp.position, enc);
        let (h, facts, about) = st.with_spec(&doc.path, &doc.text, |r, f| {
            let h = hover::hover_lazy(&r.ws.project, r.facts.as_ref(), f, offset);
            (h, r.facts.clone(), hover::spec_at(f, offset).map(|id| (r.path.clone(), id)))
        })?;
        let note = about.and_then(|(root, id)| hover::run_note(&b.run_state(&st, &root, &id)));
        (h?, facts, note, enc)
    };
    let h = hover::fill(h, facts.as_ref());
    Some(to_proto::hover(h, note, &doc.rope, enc))
}

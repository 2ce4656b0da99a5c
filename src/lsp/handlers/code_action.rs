//! `textDocument/codeAction`: quick fixes carried in the diagnostics' `data`
//! (`fix_data.rs`), and the chant commands on the spec (anywhere in the file) as
//! `analysis::ide::actions` decides them. Commands come as plain actions for the
//! lightbulb menu, or under `source.chant.*` when the client asks for source actions
//! only, never both in one answer.

use tower_lsp_server::ls_types as lsp;

use crate::lsp::fix_data::FixData;
use crate::lsp::server::Backend;
use crate::lsp::{from_proto, to_proto};

pub fn handle(b: &Backend, p: lsp::CodeActionParams) -> Option<lsp::CodeActionResponse> {
    let only = p.context.only.clone();
    // LSP kinds are hierarchical: asking for `source` includes `source.chant.run`.
    let wants = |kind: &lsp::CodeActionKind| match &only {
        None => true,
        Some(list) => list
            .iter()
            .any(|k| kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))),
    };
    let st = b.state();
    let uri = &p.text_document.uri;
    let path = from_proto::path(uri)?;
    let mut out: Vec<lsp::CodeAction> = Vec::new();
    if wants(&lsp::CodeActionKind::QUICKFIX) {
        let doc = st.docs.get(&path);
        for d in &p.context.diagnostics {
            let Some(data) = FixData::read(d) else { continue };
            // The text under the diagnostic now, in the open document.
            let now = doc.map(|doc| {
                let r = from_proto::byte_range(&doc.rope, d.range, st.encoding);
                (doc.version, doc.rope.byte_slice(r).to_string())
            });
            out.extend(data.code_actions(uri, d, now, st.caps.document_changes));
        }
    }
    let root = st.root_of(&path)?;
    let rel = st.roots[root].rel(&path)?;
    let literals = st.caps.code_action_literals;
    let Some(i) = st.roots[root].ws.index_of(&rel) else {
        return Some(to_proto::code_action_response(out, literals));
    };
    for a in b.spec_actions(&st, root, i) {
        // Without `only` (the lightbulb, Ctrl+.) the commands come without a kind:
        // VS Code leaves `source.*` out of that menu. When kinds are asked for (the
        // Source Action… menu), each comes under its `source.chant.*` kind.
        let kind = lsp::CodeActionKind::new(a.verb.kind());
        if !wants(&kind) {
            continue;
        }
        let kind = only.is_some().then_some(kind);
        out.push(to_proto::spec_action(a, uri, kind, st.caps.disabled_code_actions));
    }
    Some(to_proto::code_action_response(out, literals))
}

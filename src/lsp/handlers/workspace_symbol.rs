//! `workspace/symbol`: specs of every project by ID or title.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::{navigation, symbols};
use crate::lsp::server::Backend;
use crate::lsp::to_proto;

const LIMIT: usize = 100;

pub fn handle(b: &Backend, p: lsp::WorkspaceSymbolParams) -> Option<lsp::WorkspaceSymbolResponse> {
    let mut found = Vec::new();
    for r in b.state().roots.iter() {
        for s in symbols::workspace_symbols(&r.ws.project, &p.query, LIMIT) {
            found.push((r.path.clone(), s));
        }
    }
    found.truncate(LIMIT);
    let mut out = Vec::new();
    for (root, s) in found {
        let at = navigation::Location { path: s.path.clone(), range: Some(s.title_range.clone()) };
        let Some(location) = super::locations(b, &root, vec![at]).pop() else { continue };
        out.push(to_proto::workspace_symbol(&s, location));
    }
    Some(lsp::WorkspaceSymbolResponse::Flat(out))
}

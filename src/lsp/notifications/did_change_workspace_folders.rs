//! `workspace/didChangeWorkspaceFolders`: projects below removed folders are forgotten
//! (their diagnostics cleared, their watchers stopped); projects below added folders are
//! found and loaded.

use tower_lsp_server::ls_types as lsp;

use crate::lsp::changes::Change;
use crate::lsp::from_proto;
use crate::lsp::server::Backend;
use crate::lsp::state::discover_roots;

pub fn handle(b: &Backend, params: lsp::DidChangeWorkspaceFoldersParams) {
    let removed: Vec<_> = params.event.removed.iter().filter_map(|f| from_proto::path(&f.uri)).collect();
    if !removed.is_empty() {
        b.change(Change::FoldersRemoved(removed));
    }
    for added in params.event.added {
        let Some(folder) = from_proto::path(&added.uri) else { continue };
        let roots = discover_roots(&folder);
        b.change(Change::FolderAdded { folder, roots });
    }
}

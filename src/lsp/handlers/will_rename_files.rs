//! `workspace/willRenameFiles`: when spec files or linked files move, the links and IDs
//! that name them are rewritten (`analysis::ide::rename::moved_files`).

use std::collections::HashMap;
use std::path::PathBuf;

use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::analysis::ide::rename;
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

pub fn handle(b: &Backend, p: lsp::RenameFilesParams) -> Option<lsp::WorkspaceEdit> {
    let mut plans: Vec<(PathBuf, Vec<rename::Replace>)> = Vec::new();
    let enc;
    {
        let st = b.state();
        enc = st.encoding;
        let mut by_root: HashMap<usize, Vec<(String, String)>> = HashMap::new();
        for f in &p.files {
            let (Ok(old), Ok(new)) = (f.old_uri.parse::<Uri>(), f.new_uri.parse::<Uri>()) else { continue };
            let (Some(old), Some(new)) = (from_proto::path(&old), from_proto::path(&new)) else { continue };
            let Some(root) = st.root_of(&old) else { continue };
            let (Some(o), Some(n)) = (st.roots[root].rel(&old), st.roots[root].rel(&new)) else { continue };
            by_root.entry(root).or_default().push((o, n));
        }
        for (root, moves) in by_root {
            let r = &st.roots[root];
            plans.push((r.path.clone(), rename::moved_files(&r.ws.project, &moves)));
        }
    }
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for (root, edits) in plans {
        let mut rels: Vec<String> = edits.iter().map(|e| e.path.clone()).collect();
        rels.sort();
        rels.dedup();
        let files = super::file_texts(b, &root, &rels);
        for r in &edits {
            let Some(f) = files.get(&r.path) else { continue };
            if let Some(edit) = super::text_edit(f, r, enc) {
                changes.entry(f.uri.clone()).or_default().push(edit);
            }
        }
    }
    if changes.is_empty() {
        return None;
    }
    Some(lsp::WorkspaceEdit { changes: Some(changes), document_changes: None, change_annotations: None })
}

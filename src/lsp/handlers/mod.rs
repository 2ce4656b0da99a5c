//! One file per request the server answers: take the params, ask the state and
//! `analysis::ide`, convert with `to_proto`. Texts of files that are not open are read
//! from the disk here, before or after the state lock, never under it (regular files
//! inside the project only, at most `caps::SPEC` bytes: `io::read`).

pub mod changes;
pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod document_link;
pub mod document_symbol;
pub mod document_text;
pub mod execute_command;
pub mod folding_range;
pub mod goto_definition;
pub mod graph;
pub mod hover;
pub mod initialize;
pub mod inlay_hint;
pub mod references;
pub mod rename;
pub mod shutdown;
pub mod specs;
pub mod will_rename_files;
pub mod workspace_symbol;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::from_proto;
use super::publish::disk_rope;
use super::server::Backend;
use super::to_proto;
use crate::analysis::facts::caps;
use crate::analysis::ide::navigation;

/// The document a request is about: its path, text and rope.
pub struct Document {
    pub path: PathBuf,
    pub text: Arc<String>,
    pub rope: Rope,
}

/// The document at `uri`: the open buffer, else the spec file on disk (read without the
/// state lock; `None` for other files).
pub fn document(b: &Backend, uri: &Uri) -> Option<Document> {
    let path = from_proto::path(uri)?;
    let project = {
        let mut st = b.state();
        if let Some(d) = st.docs.get_mut(&path) {
            return Some(Document { text: d.text(), rope: d.rope.clone(), path });
        }
        st.spec_at(&path)?;
        st.project_of(&path)?
    };
    let text = project.read_text(&path, caps::SPEC)?;
    Some(Document { rope: Rope::from_str(&text), text: Arc::new(text), path })
}

/// Locations in the project at `root` as protocol locations: open documents from their
/// buffers, other files read from the disk after the state lock is released.
pub fn locations(b: &Backend, root: &Path, ls: Vec<navigation::Location>) -> Vec<lsp::Location> {
    let enc;
    let mut known: HashMap<String, (Uri, Option<Rope>)> = HashMap::new();
    {
        let st = b.state();
        enc = st.encoding;
        for l in &ls {
            if known.contains_key(&l.path) {
                continue;
            }
            let abs = root.join(&l.path);
            let entry = match st.open_file(&abs) {
                Some((uri, rope)) => (uri, Some(rope)),
                None => match Uri::from_file_path(&abs) {
                    Some(uri) => (uri, None),
                    None => continue,
                },
            };
            known.insert(l.path.clone(), entry);
        }
    }
    let project = crate::io::read::Project::new(root);
    ls.into_iter()
        .filter_map(|l| {
            let (uri, rope) = known.get_mut(&l.path)?;
            let range = match l.range {
                Some(r) => {
                    let rope = rope.get_or_insert_with(|| disk_rope(&project, &root.join(&l.path)));
                    to_proto::range(rope, &r, enc)
                }
                None => lsp::Range::default(),
            };
            Some(lsp::Location { uri: uri.clone(), range })
        })
        .collect()
}

/// A project file's text for building edits.
pub struct FileText {
    pub uri: Uri,
    pub text: Arc<String>,
    pub rope: Rope,
    /// The open document's version (`None`: not open).
    pub version: Option<i32>,
}

/// The texts of project files under `root` (relative paths): open buffers, else read
/// from the disk after the state lock is released. Unreadable files are left out.
pub fn file_texts(b: &Backend, root: &Path, rels: &[String]) -> HashMap<String, FileText> {
    let mut out = HashMap::new();
    let mut from_disk = Vec::new();
    {
        let mut st = b.state();
        for rel in rels {
            let abs = root.join(rel);
            match st.docs.get_mut(&abs) {
                Some(d) => {
                    let f = FileText {
                        uri: d.uri.clone(),
                        text: d.text(),
                        rope: d.rope.clone(),
                        version: Some(d.version),
                    };
                    out.insert(rel.clone(), f);
                }
                None => from_disk.push((rel.clone(), abs)),
            }
        }
    }
    let project = crate::io::read::Project::new(root);
    for (rel, abs) in from_disk {
        let (Some(uri), Some(text)) = (Uri::from_file_path(&abs), project.read_text(&abs, caps::SPEC)) else {
            continue;
        };
        out.insert(rel, FileText { uri, rope: Rope::from_str(&text), text: Arc::new(text), version: None });
    }
    out
}

/// Places a replacement exactly: the first occurrence of its text inside its range.
pub fn text_edit(
    f: &FileText,
    r: &crate::analysis::ide::rename::Replace,
    enc: super::capabilities::Encoding,
) -> Option<lsp::TextEdit> {
    let within = f.text.get(r.range.clone())?;
    let at = r.range.start + within.find(&r.find)?;
    Some(lsp::TextEdit {
        range: to_proto::range(&f.rope, &(at..at + r.find.len()), enc),
        new_text: r.with.clone(),
    })
}

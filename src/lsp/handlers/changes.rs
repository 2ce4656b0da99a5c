//! `chant-lsp/changes`: what "Show changes" covers, file by file (each file's text
//! before and after), for clients with a side-by-side diff view (the VS Code extension).
//! Params: `{ uri, path? }` as `chant.showChanges` takes them; result: `{ title, commits,
//! files: [{ path, uri, before, after, binary }] }`, or `{ refused }` with the reason.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::Uri;

use super::execute_command::changes;
use crate::io::git_diff;
use crate::lsp::server::Backend;

#[derive(Debug, serde::Deserialize)]
pub struct Params {
    pub uri: Uri,
    #[serde(default)]
    pub path: Option<String>,
}

pub async fn handle(b: &Backend, p: Params) -> jsonrpc::Result<Value> {
    let t = b.target(&p.uri)?;
    let (commits, files) = match changes(b, &p.uri, p.path.clone(), git_diff::spec_file_pairs).await? {
        Ok(found) => found,
        Err(why) => return Ok(json!({ "refused": why })),
    };
    let title = match &p.path {
        None => format!("{}: changes of its {commits} commit{}", t.id, if commits == 1 { "" } else { "s" }),
        Some(raw) => format!("{}: what changed in {raw} since it completed", t.id),
    };
    let files: Vec<Value> = files
        .into_iter()
        .map(|f| {
            let uri = f.file.as_deref().and_then(Uri::from_file_path).map(|u| u.as_str().to_string());
            json!({ "path": f.path, "uri": uri, "before": f.before, "after": f.after, "binary": f.binary })
        })
        .collect();
    Ok(json!({ "title": title, "commits": commits, "files": files }))
}

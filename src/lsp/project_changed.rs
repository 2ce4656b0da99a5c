//! `chant-lsp/projectChanged` (server → client, params `{root}`: the project root's
//! `file:` URI): a project's specs, settings or run facts changed, so views of the whole
//! project (the dependency graph) ask for it again. Sent once per batch of changes.

use std::path::PathBuf;

use serde::Serialize;
use tower_lsp_server::ls_types::{notification::Notification, Uri};

use super::server::Backend;

pub enum ProjectChanged {}

#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Params {
    pub root: Uri,
}

impl Notification for ProjectChanged {
    type Params = Params;
    const METHOD: &'static str = "chant-lsp/projectChanged";
}

pub async fn send(b: &Backend, roots: Vec<PathBuf>) {
    for root in roots {
        if let Some(root) = Uri::from_file_path(&root) {
            b.inner.client.send_notification::<ProjectChanged>(Params { root }).await;
        }
    }
}

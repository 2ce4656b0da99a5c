//! `chant-lsp/projectChanged` (server → client): a project's specs, their states or their
//! runs changed, so views of the whole project (the specs view, the dependency graph)
//! should ask again. Coalesced: changes arriving within [`COALESCE`] of the first one go
//! out as one notification per project.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{notification::Notification, Uri};

use super::server::Backend;

/// How long changes are gathered before the notification goes out.
pub const COALESCE: Duration = Duration::from_millis(100);

pub enum ProjectChanged {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectChangedParams {
    /// The project's root folder (the one holding `.chant/`), as a `file:` URI.
    pub root: Uri,
}

impl Notification for ProjectChanged {
    type Params = ProjectChangedParams;
    const METHOD: &'static str = "chant-lsp/projectChanged";
}

/// Projects changed since the last notification went out.
#[derive(Default)]
pub struct Changed {
    roots: BTreeSet<PathBuf>,
    scheduled: bool,
}

impl Backend {
    /// Tells the client, soon and once, that these projects changed.
    pub(super) fn projects_changed(&self, roots: impl IntoIterator<Item = PathBuf>) {
        let schedule = {
            let mut c = self.inner.changed.lock().unwrap_or_else(|e| e.into_inner());
            c.roots.extend(roots);
            !c.roots.is_empty() && !std::mem::replace(&mut c.scheduled, true)
        };
        if !schedule {
            return;
        }
        let b = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(COALESCE).await;
            let roots = {
                let mut c = b.inner.changed.lock().unwrap_or_else(|e| e.into_inner());
                c.scheduled = false;
                std::mem::take(&mut c.roots)
            };
            for root in roots {
                if let Some(root) = Uri::from_file_path(&root) {
                    b.inner.client.send_notification::<ProjectChanged>(ProjectChangedParams { root }).await;
                }
            }
        });
    }
}

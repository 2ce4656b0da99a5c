//! `shutdown`: stop watching, and stop every run started from the editor (agents do not
//! outlive it), waiting a little for them to end.

use std::time::Duration;

use crate::lsp::server::Backend;

/// How long `shutdown` waits for stopped runs: SIGTERM, SIGKILL after the grace period,
/// and a little for the reaping (clients give `shutdown` about 2 s before killing us).
const GRACE_AND_REAP: Duration = Duration::from_millis(1500);

pub async fn handle(b: &Backend) {
    b.inner.watchers.lock().unwrap_or_else(|e| e.into_inner()).clear();
    b.stop_all_runs();
    b.wait_runs_stopped(GRACE_AND_REAP).await;
}

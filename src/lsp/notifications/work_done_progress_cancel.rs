//! `window/workDoneProgress/cancel`: the person stopped a run from the progress UI.

use tower_lsp_server::ls_types as lsp;

use crate::lsp::log::log;
use crate::lsp::server::Backend;

pub async fn handle(b: &Backend, params: lsp::WorkDoneProgressCancelParams) {
    let mut runs = b.runs();
    for run in runs.active.values_mut() {
        if run.token == params.token {
            log!(Info, "stop requested from the progress UI after {:?}", run.started.elapsed());
            run.handle.stop();
        }
    }
}

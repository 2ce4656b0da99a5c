//! `initialize`: what the client can do, its folders and first settings; the answer
//! is what the server advertises (`capabilities.rs`).

use tower_lsp_server::ls_types as lsp;

use crate::lsp::capabilities::{self, ClientCaps, Encoding};
use crate::lsp::from_proto;
use crate::lsp::log::log;
use crate::lsp::server::Backend;
use crate::lsp::settings::Settings;

pub fn handle(b: &Backend, params: lsp::InitializeParams) -> lsp::InitializeResult {
    let encoding = Encoding::of(&params.capabilities);
    {
        let mut st = b.state();
        st.encoding = encoding;
        st.caps = ClientCaps::of(&params.capabilities);
        st.initialization_options = params.initialization_options.clone();
        let mut folders: Vec<_> =
            params.workspace_folders.iter().flatten().filter_map(|f| from_proto::path(&f.uri)).collect();
        #[allow(deprecated, reason = "rootUri is still what single-folder clients send")]
        if folders.is_empty() {
            folders.extend(params.root_uri.as_ref().and_then(from_proto::path));
        }
        st.folders = folders;
        if let Some(opts) = &params.initialization_options {
            let (settings, problems) = Settings::from_json(opts);
            for p in problems {
                log!(Warn, "{p}");
            }
            st.settings = settings;
        }
    }
    log!(Info, "initialize: {:?} positions", encoding);
    capabilities::result(encoding)
}

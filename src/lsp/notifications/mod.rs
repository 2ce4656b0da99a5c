//! One file per notification the server handles: read the params, turn them into a
//! `Change` for the state (reading from the disk first, never under the lock), or start
//! the work they ask for.

pub mod did_change;
pub mod did_change_configuration;
pub mod did_change_watched_files;
pub mod did_change_workspace_folders;
pub mod did_close;
pub mod did_open;
pub mod initialized;
pub mod work_done_progress_cancel;

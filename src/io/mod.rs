//! The outside world: finding a project root, reading its files (only through
//! `read`: regular files, capped, inside the project) and answering file facts for the
//! analysis. Produces plain data for `analysis/`.

pub mod facts;
pub mod git;
pub mod git_blame;
pub mod git_diff;
pub mod git_guard;
pub mod git_lines;
pub mod load;
pub mod read;
pub mod root;
pub mod run;

//! The pure analysis core: reads chant projects exactly as chant does and finds
//! every problem with an exact byte range.
//!
//! No IO, no LSP types, no async runtime, no git, no processes (a test in
//! `tests/tidy.rs` checks). File facts come in through [`facts::FileFacts`].
//!
//! Reading order: [`id`] → [`split`] → [`layout`] → [`frontmatter`] → [`body`] →
//! [`quality`] → [`spec`] (one file, local [`rules`]) → [`project`] (cross-file rules,
//! cycles, readiness). [`config`] and [`diagnostic`] are shared; [`selection`] (which codes
//! are reported) and [`fix`] (`check --fix`) act on diagnostics.

pub mod body;
pub mod config;
pub mod diagnostic;
pub mod facts;
pub mod fix;
pub mod frontmatter;
pub mod git;
pub mod graph;
pub mod hash;
pub mod id;
pub mod ide;
pub mod layout;
pub mod output;
pub mod project;
pub mod quality;
pub mod rules;
pub mod selection;
pub mod simple_yaml;
pub mod spec;
pub mod split;
pub mod text;
pub mod workspace;
pub mod yaml_errors;
pub mod yaml_guard;

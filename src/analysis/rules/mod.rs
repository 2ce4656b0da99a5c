//! The local rules: everything that can be decided from one spec file plus the
//! project's config, prompt names and file facts. Cross-spec rules (dependencies on
//! other specs, cycles) live in [`super::project`].
//!
//! One module per family; each pushes [`Diagnostic`]s with exact ranges.

mod frontmatter;
mod links;
mod lint;
mod reads;

use super::diagnostic::Diagnostic;
use super::spec::{Context, SpecFile};

/// Runs every local rule on `file`.
pub fn local(ctx: &Context, file: &SpecFile, out: &mut Vec<Diagnostic>) {
    frontmatter::check(ctx, file, out);
    links::check(ctx, file, out);
    lint::check(ctx, file, out);
    reads::check(ctx, file, out);
}

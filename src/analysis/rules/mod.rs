//! The local rules: everything that can be decided from one spec file plus the
//! project's config, prompt names and file facts. Cross-spec rules (dependencies on
//! other specs, cycles) live in [`super::project`].
//!
//! One module per family; each pushes [`Diagnostic`]s with exact ranges.

mod frontmatter;
mod line_refs;
mod links;
mod lint;
mod reads;

use super::diagnostic::Diagnostic;
use super::spec::{Context, Readable, SpecFile};

/// Runs every local rule on `file`. chant's own lint rules are left out when chant
/// cannot load the spec: its parse error blocks every other rule for that file
/// (chant-behaviour.md §5.2, rule P1), and a finding chant will not report would say it does.
pub fn local(ctx: &Context, file: &SpecFile, out: &mut Vec<Diagnostic>) {
    frontmatter::check(ctx, file, out);
    links::check(ctx, file, out);
    line_refs::check(ctx, file, out);
    if file.readable != Readable::No {
        lint::check(ctx, file, out);
    }
    reads::check(ctx, file, out);
}

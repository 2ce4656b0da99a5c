//! Editor features as plain data: what is under the cursor, hovers, navigation,
//! completion, outline, hints, lenses, renames and the specs view. Byte ranges in, byte ranges out;
//! `lsp/` turns them into protocol types.

pub mod actions;
pub mod commands;
pub mod completion;
pub mod docs;
pub mod git;
pub mod hints;
pub mod hover;
pub mod lenses;
pub mod locate;
pub mod navigation;
pub mod rename;
pub mod sources;
pub mod specs;
pub mod symbols;

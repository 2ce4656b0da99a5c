//! chant-lsp: a language server and checker for [chant](https://github.com/lex00/chant)
//! spec projects.
//!
//! Modules in reading order:
//! * [`analysis`]: the pure core. Reads specs exactly as chant v0.23.2 does and finds
//!   every problem with a byte range. No IO.
//! * [`io`]: finds the project root, reads files, answers file facts.
//! * [`lsp`]: the language server (stdio), the only module that speaks the protocol.
//! * [`cli`]: the command line, including `check`.

pub mod analysis;
pub mod cli;
pub mod io;
pub mod lsp;

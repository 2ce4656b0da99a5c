//! Fuzz target `lsp_edits`: the body is [`chant_lsp_fuzz::lsp_edits`] (shared with the corpus replay,
//! tests/fuzz_corpus.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chant_lsp_fuzz::lsp_edits(data));

//! Fuzz target `project`: the body is [`chant_lsp_fuzz::project`] (shared with the corpus replay,
//! tests/fuzz_corpus.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chant_lsp_fuzz::project(data));

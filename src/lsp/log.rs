//! Logging to stderr (stdout carries the protocol). The level comes from `RUST_LOG`
//! (`error`, `warn`, `info`, `debug`, `trace`; a `chant_lsp=level` directive counts)
//! or the `logLevel` setting.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
    Trace = 4,
}

pub fn parse(s: &str) -> Option<Level> {
    let s = s.rsplit(',').find_map(|d| match d.split_once('=') {
        Some((target, level)) if target.trim() == "chant_lsp" => Some(level),
        Some(_) => None,
        None => Some(d),
    })?;
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "error" => Level::Error,
        "warn" | "warning" => Level::Warn,
        "info" => Level::Info,
        "debug" => Level::Debug,
        "trace" => Level::Trace,
        _ => return None,
    })
}

pub fn set(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

pub fn init_from_env() {
    if let Some(l) = std::env::var("RUST_LOG").ok().as_deref().and_then(parse) {
        set(l);
    }
}

pub fn enabled(level: Level) -> bool {
    level as u8 <= LEVEL.load(Ordering::Relaxed)
}

pub fn write(level: Level, msg: std::fmt::Arguments) {
    if enabled(level) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "[chant-lsp {:?}] {msg}", level);
    }
}

macro_rules! log {
    ($level:ident, $($arg:tt)*) => {
        $crate::lsp::log::write($crate::lsp::log::Level::$level, format_args!($($arg)*))
    };
}
pub(crate) use log;

//! The command line: argument parsing and the `check` command.

pub mod check;

use std::path::PathBuf;

use check::{CheckArgs, Format};

use crate::io::load::Options;

pub const USAGE: &str = "\
chant-lsp: editor tooling and checks for chant spec projects

Usage:
  chant-lsp
      Serve the Language Server Protocol on stdin/stdout (what editors start).
  chant-lsp check [PATH] [--format human|json] [--include-archived] [--no-git] [--color auto|always|never]
      Print every diagnostic of the chant project containing PATH (default: .).
      --no-git turns off the findings read from the git repository (drift, branches).
      Exit code 1 if any error was found, 0 otherwise, 2 for usage or IO problems.
  chant-lsp --version
  chant-lsp --help
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Lsp,
    Check(CheckArgs),
    Version,
    Help,
}

/// Parses arguments (without the program name). `Err` carries a usage message.
pub fn parse(args: &[String], stdout_is_terminal: bool) -> Result<Command, String> {
    let mut it = args.iter();
    let Some(first) = it.next() else { return Ok(Command::Lsp) };
    match first.as_str() {
        "--version" | "-V" => return Ok(Command::Version),
        "--help" | "-h" | "help" => return Ok(Command::Help),
        "check" => {}
        "lsp" | "--stdio" => return Ok(Command::Lsp),
        other => return Err(format!("unknown command `{other}`")),
    }
    let mut path: Option<PathBuf> = None;
    let mut format = Format::Human;
    let mut color = None;
    let mut no_git = false;
    let mut options =
        Options { home: std::env::var_os("HOME").map(PathBuf::from), check_only: true, ..Options::default() };
    let rest: Vec<&String> = it.collect();
    let mut i = 0;
    while i < rest.len() {
        let arg = rest[i].as_str();
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            rest.get(i).map(|s| s.to_string()).ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--format" | "-f" => {
                format = match value("--format")?.to_ascii_lowercase().as_str() {
                    "human" | "text" => Format::Human,
                    "json" => Format::Json,
                    other => return Err(format!("unknown format `{other}` (use human or json)")),
                }
            }
            "--color" => {
                color = Some(match value("--color")?.as_str() {
                    "always" => true,
                    "never" => false,
                    "auto" => stdout_is_terminal && std::env::var_os("NO_COLOR").is_none(),
                    other => return Err(format!("unknown color mode `{other}` (use auto, always or never)")),
                })
            }
            "--include-archived" => options.include_archived = true,
            "--no-git" => no_git = true,
            "--help" | "-h" => return Ok(Command::Help),
            f if f.starts_with('-') && f != "-" => return Err(format!("unknown option `{f}`")),
            p => {
                if path.is_some() {
                    return Err(format!("unexpected argument `{p}` (check takes one path)"));
                }
                path = Some(PathBuf::from(p));
            }
        }
        i += 1;
    }
    let color = color.unwrap_or(stdout_is_terminal && std::env::var_os("NO_COLOR").is_none());
    Ok(Command::Check(CheckArgs {
        path: path.unwrap_or_else(|| PathBuf::from(".")),
        format,
        color,
        options,
        git: !no_git,
    }))
}

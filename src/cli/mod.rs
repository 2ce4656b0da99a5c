//! The command line: argument parsing (by hand: one subcommand and a few flags do not
//! need a parser crate) and the `check` command.

pub mod check;
pub mod fix;
mod github;
pub mod graph;
mod human;
mod json;
mod sarif;

use std::path::PathBuf;

use check::{CheckArgs, Format};
use fix::FixMode;

use crate::analysis::selection::{self, Selection};
use crate::io::load::Options;

/// The chant release whose behaviour chant-lsp follows.
pub const CHANT_VERSION: &str = "0.23.2";

/// What `--version` prints (and SARIF's tool `fullName`).
pub fn version_line() -> String {
    format!("chant-lsp {} (follows chant v{CHANT_VERSION})", env!("CARGO_PKG_VERSION"))
}

pub const USAGE: &str = "\
chant-lsp: editor tooling and checks for chant spec projects

Usage:
  chant-lsp
      Serve the Language Server Protocol on stdin/stdout (what editors start).
  chant-lsp check [PATH...] [--format human|json|sarif|github] [--select CODE,...]
                  [--ignore CODE,...] [--fix | --diff] [--include-archived] [--no-git]
                  [--color auto|always|never]
      Print the diagnostics of the files under each PATH (a spec file or a folder; the
      chant project holding it is analysed whole). Without PATH: the whole project of
      the current directory. --select reports only these codes, --ignore never these
      (over `select` / `ignore` in the project's chant-lsp.toml). --fix applies the fixes
      that need no choice, then reports what is left; --diff prints them as a unified
      diff and writes nothing. --no-git turns off the findings read from the git
      repository (drift, branches, commits, cited lines).
      Exit code 1 if any error was found (--diff: if anything would be fixed), 0
      otherwise, 2 for usage or IO problems.
  chant-lsp graph [PATH] [--format svg|dot|mermaid|json] [--around ID] [--depth N]
                  [--include-archived] [-o FILE]
      Draw the dependency graph of the project holding PATH (default: the current
      directory): specs coloured by state, depends_on edges, groups, cycles in red,
      unknown and archived dependencies dashed. --around keeps the specs at most
      --depth edges (default 2) from one spec. Pictures stop at 500 nodes: past that,
      use --around (JSON has no limit). Exit code 2 for usage or IO problems.
  chant-lsp --version
  chant-lsp --help
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Lsp,
    Check(CheckArgs),
    Graph(graph::GraphArgs),
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
        "graph" => return graph::parse(&it.collect::<Vec<_>>()).map(Command::Graph),
        "lsp" | "--stdio" => return Ok(Command::Lsp),
        other => return Err(format!("unknown command `{other}`")),
    }
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut format = Format::Human;
    let mut color = None;
    let mut no_git = false;
    let mut fix = FixMode::Off;
    let mut cli = Selection::default();
    let mut options =
        Options { home: std::env::var_os("HOME").map(PathBuf::from), check_only: true, ..Options::default() };
    let rest: Vec<&String> = it.collect();
    let mut i = 0;
    let mut only_paths = false;
    while i < rest.len() {
        let arg = rest[i].as_str();
        if only_paths || arg == "-" || !arg.starts_with('-') {
            paths.push(PathBuf::from(arg));
            i += 1;
            continue;
        }
        let (flag, inline) = split_flag(arg);
        let mut value = |name: &str| flag_value(&rest, &mut i, inline, name);
        match flag {
            "--" => only_paths = true,
            "--format" | "-f" => {
                format = match value("--format")?.to_ascii_lowercase().as_str() {
                    "human" | "text" => Format::Human,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    "github" => Format::Github,
                    other => {
                        return Err(format!("unknown format `{other}` (use human, json, sarif or github)"))
                    }
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
            "--select" | "--ignore" => {
                let list = value(flag)?;
                let (codes, unknown) =
                    selection::codes(list.split(',').map(str::trim).filter(|c| !c.is_empty()));
                if let Some(problem) = unknown.first() {
                    return Err(format!("{flag}: {problem}"));
                }
                let target = if flag == "--select" { &mut cli.select } else { &mut cli.ignore };
                // Given twice, the lists add up.
                let all = target.get_or_insert_with(Vec::new);
                for c in codes {
                    if !all.contains(&c) {
                        all.push(c);
                    }
                }
            }
            "--fix" if fix != FixMode::Diff => fix = FixMode::Write,
            "--fix" => {}
            "--diff" => fix = FixMode::Diff,
            "--include-archived" => options.include_archived = true,
            "--no-git" => no_git = true,
            "--help" | "-h" => return Ok(Command::Help),
            f => return Err(format!("unknown option `{f}`")),
        }
        i += 1;
    }
    let color = color.unwrap_or(stdout_is_terminal && std::env::var_os("NO_COLOR").is_none());
    Ok(Command::Check(CheckArgs { paths, format, color, options, selection: cli, fix, git: !no_git }))
}

/// An option as written: `--name=value` gives the name and its inline value; anything
/// else is the option alone.
fn split_flag(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (f, Some(v)),
        _ => (arg, None),
    }
}

/// An option's value: the inline one, else the next argument (`i` moves past it).
fn flag_value(rest: &[&String], i: &mut usize, inline: Option<&str>, name: &str) -> Result<String, String> {
    if let Some(v) = inline {
        return Ok(v.to_string());
    }
    *i += 1;
    rest.get(*i).map(|s| s.to_string()).ok_or_else(|| format!("{name} needs a value"))
}

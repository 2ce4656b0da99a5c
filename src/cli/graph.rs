//! `chant-lsp graph`: the project's dependency graph as SVG (laid out by layout-rs), DOT,
//! Mermaid or JSON (`analysis::graph`), on stdout or into a file.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::analysis::graph::{self, Format, Options};
use crate::io::load;

#[derive(Debug, Clone)]
pub struct GraphArgs {
    /// A folder or file inside the project (default: the current directory).
    pub path: Option<PathBuf>,
    pub format: Format,
    pub options: Options,
    /// Write here instead of stdout.
    pub output: Option<PathBuf>,
}

/// What to print on stdout and stderr, and the exit code.
pub struct Outcome {
    pub output: String,
    pub notes: String,
    pub exit_code: i32,
}

/// Parses `graph`'s arguments (after the word `graph`).
pub fn parse(rest: &[&String]) -> Result<GraphArgs, String> {
    let mut args = GraphArgs { path: None, format: Format::Svg, options: Options::default(), output: None };
    let mut i = 0;
    while i < rest.len() {
        let arg = rest[i].as_str();
        if !arg.starts_with('-') || arg == "-" {
            if args.path.replace(PathBuf::from(arg)).is_some() {
                return Err("graph takes one PATH".to_string());
            }
            i += 1;
            continue;
        }
        let (flag, inline) = super::split_flag(arg);
        let mut value = |name: &str| super::flag_value(rest, &mut i, inline, name);
        match flag {
            "--format" | "-f" => {
                let v = value("--format")?;
                args.format = Format::parse(&v)
                    .ok_or_else(|| format!("unknown format `{v}` (use svg, dot, mermaid or json)"))?;
            }
            "--around" => args.options.around = Some(value("--around")?),
            "--depth" => {
                let v = value("--depth")?;
                let depth = v.parse().map_err(|_| format!("--depth needs a number, not `{v}`"))?;
                args.options.depth = Some(depth);
            }
            "--include-archived" => args.options.include_archived = true,
            "--output" | "-o" => args.output = Some(PathBuf::from(value("--output")?)),
            f => return Err(format!("unknown option `{f}`")),
        }
        i += 1;
    }
    if args.options.depth.is_some() && args.options.around.is_none() {
        return Err("--depth needs --around ID".to_string());
    }
    Ok(args)
}

/// Draws the graph. `Err` is an IO problem (exit code 2).
pub fn run(args: &GraphArgs) -> anyhow::Result<Outcome> {
    let start = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = load::root_for(&start)?;
    let root = std::fs::canonicalize(&root).with_context(|| format!("cannot resolve {}", root.display()))?;
    let opts = load::Options {
        include_archived: args.options.include_archived,
        home: std::env::var_os("HOME").map(PathBuf::from),
        check_only: true,
    };
    let project = load::load(&root, &opts)?;
    let locks = crate::io::run::lock_holders(&root);
    let built = graph::build(&project.workspace, &args.options, &|id| locks.contains_key(id));
    let g = match built {
        Ok(g) => g,
        Err(why) => {
            return Ok(Outcome { output: String::new(), notes: format!("error: {why}\n"), exit_code: 2 })
        }
    };
    let drawn = match graph::draw(&g, args.format) {
        Ok(d) => d,
        Err(why) => {
            return Ok(Outcome { output: String::new(), notes: format!("error: {why}\n"), exit_code: 2 })
        }
    };
    let mut notes = drawn.message.map(|m| format!("warning: {m}\n")).unwrap_or_default();
    let output = match &args.output {
        None => drawn.text,
        Some(file) => {
            write(file, &drawn.text)?;
            notes.push_str(&format!(
                "wrote {} ({} nodes, {} edges, {})\n",
                file.display(),
                g.nodes.len(),
                g.edges.len(),
                drawn.format.as_str()
            ));
            String::new()
        }
    };
    Ok(Outcome { output, notes, exit_code: 0 })
}

fn write(file: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))
}

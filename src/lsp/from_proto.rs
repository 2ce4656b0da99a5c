//! Protocol values into the server's terms: client positions into byte offsets (lines
//! end at `\n`, `\r\n` or a lone `\r`, as LSP and `analysis::text` define them; ropey
//! counts them the same way, see `to_proto`'s tests), content changes onto a rope, URIs
//! into paths, and `workspace/executeCommand` parameters into a typed [`Invocation`].
//! Out-of-range positions are clamped, never a panic.

use std::path::{Component, PathBuf};

use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, Position, Range as LspRange, Uri};

use super::capabilities::Encoding;
use crate::analysis::ide::actions::RunFlags;
use crate::analysis::ide::commands::Command;

/// The local path of a `file:` URI, with `.` and `..` segments resolved (so a URI such
/// as `file:///p/.chant/specs/../../../x.md` is `/x.md`, outside `/p`, not a spec of it).
pub fn path(uri: &Uri) -> Option<PathBuf> {
    let raw = uri.to_file_path()?;
    let mut out = PathBuf::new();
    for c in raw.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    Some(out)
}

/// Characters of line `line` without its line break.
fn line_end_char(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
        if len > 0 && slice.char(len - 1) == '\r' {
            len -= 1;
        }
    } else if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    start + len
}

/// The byte offset of a client position.
pub fn offset(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_char(line);
    let end = line_end_char(rope, line);
    let ch = match enc {
        Encoding::Utf16 => {
            let base = rope.char_to_utf16_cu(start);
            let target = base + pos.character as usize;
            let max = rope.char_to_utf16_cu(end);
            rope.utf16_cu_to_char(target.min(max))
        }
        Encoding::Utf8 => {
            let base = rope.char_to_byte(start);
            let max = rope.char_to_byte(end);
            rope.byte_to_char((base + pos.character as usize).min(max))
        }
    };
    rope.char_to_byte(ch.min(end))
}

/// The byte range of a client range (a backwards range is read as empty at its start).
pub fn byte_range(rope: &Rope, r: LspRange, enc: Encoding) -> std::ops::Range<usize> {
    let start = offset(rope, r.start, enc);
    start..offset(rope, r.end, enc).max(start)
}

/// Applies one `textDocument/didChange` content change.
pub fn apply_change(rope: &mut Rope, range: Option<LspRange>, text: &str, enc: Encoding) {
    match range {
        None => *rope = Rope::from_str(text),
        Some(r) => {
            let bytes = byte_range(rope, r, enc);
            let start = rope.byte_to_char(bytes.start);
            let end = rope.byte_to_char(bytes.end);
            rope.remove(start..end);
            rope.insert(start, text);
        }
    }
}

/// A `workspace/executeCommand` request, its arguments checked and typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// A command on one spec (run, stop, show log, verify, reset, split, remove BOM).
    OnSpec { command: Command, uri: Uri, flags: RunFlags },
    /// Show why chant would refuse an action now.
    Explain { reason: String },
    /// Create a missing linked file.
    CreateFile { uri: Uri },
    /// Show the diff of a spec's commits, or of what changed in one of its drift
    /// entries (`path`, as written) since it completed.
    ShowChanges { uri: Uri, path: Option<String> },
    /// Which spec wrote line `line` (0-based) of a project file.
    SpecOfLine { uri: Uri, line: u32 },
}

fn invalid(msg: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(msg.into())
}

fn file_uri(arg: Option<&Value>) -> jsonrpc::Result<Uri> {
    let uri: Uri = arg
        .and_then(Value::as_str)
        .and_then(|u| u.parse().ok())
        .ok_or_else(|| invalid("the first argument must be a file URI"))?;
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return Err(invalid("not a file URI"));
    }
    Ok(uri)
}

/// Reads a command request: an unknown command is "method not found", bad arguments
/// "invalid params" (both client bugs).
pub fn invocation(p: &lsp::ExecuteCommandParams) -> jsonrpc::Result<Invocation> {
    let Some(command) = Command::from_name(&p.command) else {
        let mut e = jsonrpc::Error::method_not_found();
        e.message = format!("unknown command `{}`", p.command).into();
        return Err(e);
    };
    let first = p.arguments.first();
    Ok(match command {
        Command::Explain => Invocation::Explain {
            reason: first.and_then(Value::as_str).unwrap_or("chant would refuse this now").to_string(),
        },
        Command::CreateFile => Invocation::CreateFile { uri: file_uri(first)? },
        Command::SpecOfLine => {
            let line = p
                .arguments
                .get(1)
                .and_then(Value::as_u64)
                .and_then(|l| u32::try_from(l).ok())
                .ok_or_else(|| invalid("the second argument must be a line number (0-based)"))?;
            Invocation::SpecOfLine { uri: file_uri(first)?, line }
        }
        Command::ShowChanges => {
            let path = match p.arguments.get(1) {
                None | Some(Value::Null) => None,
                Some(Value::Object(o)) => match o.get("path") {
                    Some(Value::String(s)) => Some(s.clone()),
                    None | Some(Value::Null) => None,
                    Some(_) => return Err(invalid("`path` must be a string")),
                },
                Some(_) => return Err(invalid("the second argument must be `{path}`")),
            };
            Invocation::ShowChanges { uri: file_uri(first)?, path }
        }
        _ => {
            let flags = match p.arguments.get(1) {
                None | Some(Value::Null) => RunFlags::default(),
                Some(v) => serde_json::from_value(v.clone())
                    .map_err(|e| invalid(format!("the second argument must be run flags: {e}")))?,
            };
            Invocation::OnSpec { command, uri: file_uri(first)?, flags }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn offsets() {
        // ASCII, CJK (1 UTF-16 unit, 3 bytes), emoji (2 units, 4 bytes), CRLF and a lone CR.
        let text = "ab\r\n日本🚀x\rlast";
        let rope = Rope::from_str(text);
        let x = text.find('x').expect("x");
        assert_eq!(offset(&rope, Position::new(1, 4), Encoding::Utf16), x);
        assert_eq!(offset(&rope, Position::new(1, 10), Encoding::Utf8), x);
        // Inside the emoji (UTF-16 unit 3): clamped to a character boundary.
        let rocket = text.find('🚀').expect("rocket");
        assert_eq!(offset(&rope, Position::new(1, 3), Encoding::Utf16), rocket);
        // Past the end of a line: its end, not the next line.
        assert_eq!(offset(&rope, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(offset(&rope, Position::new(9, 0), Encoding::Utf8), text.len());
    }

    #[test]
    fn edits() {
        let mut rope = Rope::from_str("héllo\nwörld\n");
        apply_change(
            &mut rope,
            Some(LspRange::new(Position::new(0, 1), Position::new(1, 1))),
            "ey\n🚀",
            Encoding::Utf16,
        );
        assert_eq!(rope.to_string(), "hey\n🚀örld\n");
        apply_change(
            &mut rope,
            Some(LspRange::new(Position::new(1, 0), Position::new(1, 4))),
            "",
            Encoding::Utf8,
        );
        assert_eq!(rope.to_string(), "hey\nörld\n");
    }

    #[test]
    fn invocations() {
        let call = |command: &str, arguments: Vec<Value>| {
            invocation(&lsp::ExecuteCommandParams {
                command: command.to_string(),
                arguments,
                work_done_progress_params: Default::default(),
            })
        };
        let uri = "file:///p/.chant/specs/a.md";
        match call("chant.run", vec![json!(uri), json!({ "skipDeps": true })]) {
            Ok(Invocation::OnSpec { command: Command::Run, flags, .. }) => assert!(flags.skip_deps),
            other => panic!("{other:?}"),
        }
        assert!(call("chant.stop", vec![json!("https://example.invalid/a.md")]).is_err());
        assert!(call("chant.run", vec![json!(uri), json!("yes")]).is_err());
        assert!(call("chant.verify", vec![]).is_err());
        let unknown = call("chant.nope", vec![]).expect_err("unknown");
        assert_eq!(unknown.code, jsonrpc::ErrorCode::MethodNotFound);
        assert_eq!(
            call("chant.explain", vec![json!("why")]).ok(),
            Some(Invocation::Explain { reason: "why".to_string() })
        );
    }
}

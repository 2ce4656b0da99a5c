//! The stdio framing in front of tower-lsp-server.
//!
//! tower-lsp-server's transport decodes stdin with a `FramedRead`, which ends its
//! stream at the first error: a body that is not JSON got an error reply, then the
//! server stopped reading and the process exited with status 0 and nothing on stderr.
//! So the frames are read here instead ([`read_input`]): a body that is not a JSON-RPC
//! message gets its error reply (`-32700` when it is not JSON, `-32600` when it is
//! JSON but no message) and the server reads on; a header that cannot be read ends the
//! server with the reason (the caller prints it and exits non-zero), because nothing
//! after it can be framed. Good frames go on to tower-lsp-server through a pipe.
//!
//! The replies and tower-lsp-server's own output share stdout: its output comes back
//! through a second pipe, is cut into whole frames ([`write_output`]) and leaves
//! through one writer, frame after frame, so no two frames ever interleave.

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

use super::log::log;

/// The longest header accepted (an LSP header is a line or two).
const MAX_HEADER: usize = 8 * 1024;

/// The largest body accepted; a larger `Content-Length` is taken for a broken stream.
const MAX_BODY: usize = 1 << 30;

/// Why the input cannot be read any further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramingError(pub String);

impl std::fmt::Display for FramingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read the LSP input: {}", self.0)
    }
}

impl std::error::Error for FramingError {}

fn error(msg: impl Into<String>) -> FramingError {
    FramingError(msg.into())
}

/// What goes to stdout, in order.
#[derive(Debug)]
pub enum Out {
    /// One whole frame, header included.
    Frame(Vec<u8>),
    /// The server's output has ended: nothing more is written.
    End,
}

/// A frame around a body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one header; `Ok(None)` at the end of the input between frames. A header ends
/// at an empty line (`\r\n`, or `\n` as tower-lsp-server's parser also accepts).
pub async fn read_header<R: AsyncBufRead + Unpin>(input: &mut R) -> Result<Option<usize>, FramingError> {
    let mut header = Vec::new();
    loop {
        if header.len() >= MAX_HEADER {
            return Err(error(format!("a message header longer than {MAX_HEADER} bytes")));
        }
        let mut line = Vec::new();
        let n = (&mut *input)
            .take((MAX_HEADER + 1 - header.len()) as u64)
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| error(format!("stdin: {e}")))?;
        if n == 0 {
            if header.is_empty() {
                return Ok(None);
            }
            return Err(error("stdin ended inside a message header"));
        }
        if !line.ends_with(b"\n") {
            if header.len() + line.len() > MAX_HEADER {
                return Err(error(format!("a message header longer than {MAX_HEADER} bytes")));
            }
            return Err(error("stdin ended inside a message header"));
        }
        if line == b"\r\n" || line == b"\n" {
            if header.is_empty() {
                return Err(error("an empty line where a message header should start"));
            }
            return parse_header(&header).map(Some);
        }
        header.extend_from_slice(&line);
    }
}

/// The `Content-Length` of a header (its lines, without the empty line after them).
pub fn parse_header(header: &[u8]) -> Result<usize, FramingError> {
    let shown = || String::from_utf8_lossy(header).escape_debug().to_string();
    let text = std::str::from_utf8(header)
        .map_err(|_| error(format!("a header that is not UTF-8: \"{}\"", shown())))?;
    let mut length = None;
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            return Err(error(format!("a header line without `:`: \"{}\"", line.escape_debug())));
        };
        let value = value.trim();
        if name.trim().eq_ignore_ascii_case("content-length") {
            let n: usize = value.parse().map_err(|_| {
                error(format!("a Content-Length that is no number: \"{}\"", value.escape_debug()))
            })?;
            if n > MAX_BODY {
                return Err(error(format!("a Content-Length of {n} bytes (at most {MAX_BODY} are read)")));
            }
            length = Some(n);
        } else if name.trim().eq_ignore_ascii_case("content-type") {
            let charset = value.split(';').skip(1).find_map(|p| p.trim().strip_prefix("charset="));
            if let Some(c) = charset.filter(|c| !matches!(c.trim_matches('"'), "utf-8" | "utf8")) {
                return Err(error(format!(
                    "an unsupported charset \"{}\" (LSP messages are UTF-8)",
                    c.escape_debug()
                )));
            }
        }
        // Other headers are ignored, as tower-lsp-server ignores them.
    }
    length.ok_or_else(|| error(format!("a header without Content-Length: \"{}\"", shown())))
}

/// The error reply for a body that is not a JSON-RPC message, or `None` when it is one
/// (what tower-lsp-server's decoder accepts: a request, a notification or a response).
pub fn reply_to_bad_body(body: &[u8]) -> Option<Vec<u8>> {
    if serde_json::from_slice::<jsonrpc::Request>(body).is_ok()
        || serde_json::from_slice::<jsonrpc::Response>(body).is_ok()
    {
        return None;
    }
    let (id, error) = match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => (
            jsonrpc::Id::Null,
            jsonrpc::Error { message: format!("Parse error: {e}").into(), ..jsonrpc::Error::parse_error() },
        ),
        Ok(v) => {
            // Answer under the request's ID when it has a usable one.
            let id = v.get("id").and_then(|id| serde_json::from_value::<jsonrpc::Id>(id.clone()).ok());
            (id.unwrap_or(jsonrpc::Id::Null), jsonrpc::Error::invalid_request())
        }
    };
    let reply = jsonrpc::Response::from_error(id, error);
    Some(frame(&serde_json::to_vec(&reply).unwrap_or_default()))
}

/// Reads frames from `input` until it ends: good ones are passed to the server on
/// `server`, bad bodies answered on `out`. Returns an error when a header cannot be
/// read (the server must end); at the end of the input, `server` is closed.
pub async fn read_input<R, W>(input: R, mut server: W, out: mpsc::Sender<Out>) -> Result<(), FramingError>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut forwarding = true;
    while let Some(len) = read_header(&mut input).await? {
        let mut body = Vec::new();
        (&mut input)
            .take(len as u64)
            .read_to_end(&mut body)
            .await
            .map_err(|e| error(format!("stdin: {e}")))?;
        if body.len() < len {
            return Err(error(format!("stdin ended inside a message body ({} of {len} bytes)", body.len())));
        }
        if let Some(reply) = reply_to_bad_body(&body) {
            log!(Warn, "answered a message that is not JSON-RPC ({len} bytes) with an error");
            if out.send(Out::Frame(reply)).await.is_err() {
                break;
            }
            continue;
        }
        // After `exit` the server reads no more: the rest is dropped.
        if forwarding && server.write_all(&frame(&body)).await.is_err() {
            forwarding = false;
        }
    }
    let _ = server.shutdown().await;
    Ok(())
}

/// Cuts the server's output into frames for the writer; `Out::End` when it ends.
async fn frames_from<R: AsyncRead + Unpin>(from_server: R, out: mpsc::Sender<Out>) {
    let mut reader = BufReader::with_capacity(1 << 16, from_server);
    loop {
        let len = match read_header(&mut reader).await {
            Ok(Some(len)) => len,
            Ok(None) => break,
            Err(e) => {
                log!(Error, "the server's own output: {e}");
                break;
            }
        };
        let mut body = Vec::new();
        if (&mut reader).take(len as u64).read_to_end(&mut body).await.is_err() || body.len() < len {
            break;
        }
        if out.send(Out::Frame(frame(&body))).await.is_err() {
            return;
        }
    }
    let _ = out.send(Out::End).await;
}

/// Writes the server's output (read from `from_server`) and the replies sent on
/// `replies` to `stdout`, whole frames in the order they came, until the server's
/// output ends.
pub async fn write_output<R, W>(
    from_server: R,
    tx: mpsc::Sender<Out>,
    mut rx: mpsc::Receiver<Out>,
    mut stdout: W,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let writer = async {
        let mut buf = Vec::new();
        'outer: while let Some(first) = rx.recv().await {
            // What is already queued goes out in one write.
            let mut next = Some(first);
            while let Some(item) = next.take() {
                match item {
                    Out::Frame(f) => buf.extend_from_slice(&f),
                    Out::End => {
                        let _ = stdout.write_all(&buf).await;
                        break 'outer;
                    }
                }
                if buf.len() < 1 << 20 {
                    next = rx.try_recv().ok();
                }
            }
            if stdout.write_all(&buf).await.is_err() || stdout.flush().await.is_err() {
                log!(Error, "stdout is closed");
                break;
            }
            buf.clear();
        }
        let _ = stdout.flush().await;
        // Nothing reads any more: the server's writes fail instead of waiting.
        rx.close();
    };
    tokio::join!(frames_from(from_server, tx), writer);
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn header(input: &[u8]) -> Result<Option<usize>, FramingError> {
        read_header(&mut BufReader::new(input)).await
    }

    #[tokio::test]
    async fn headers() {
        assert_eq!(header(b"Content-Length: 12\r\n\r\n").await, Ok(Some(12)));
        assert_eq!(
            header(b"content-length:3\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n")
                .await,
            Ok(Some(3))
        );
        assert_eq!(header(b"Content-Length: 5\n\n").await, Ok(Some(5)));
        assert_eq!(header(b"").await, Ok(None));
        for bad in [
            &b"Content-Length: x\r\n\r\n"[..],
            b"Content-Length 5\r\n\r\n",
            b"X-Other: 1\r\n\r\n",
            b"Content-Length: 5\r\nContent-Type: text/plain; charset=latin1\r\n\r\n",
            b"Content-Length: 5\r\n",
            b"\r\n",
            b"Content-Length: 99999999999999\r\n\r\n",
        ] {
            assert!(header(bad).await.is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let long = format!("X: {}\r\n\r\n", "a".repeat(MAX_HEADER));
        assert!(header(long.as_bytes()).await.is_err_and(|e| e.0.contains("longer")));
        let many = format!("{}Content-Length: 2\r\n\r\n", "X: a\r\n".repeat(MAX_HEADER / 4));
        assert!(header(many.as_bytes()).await.is_err_and(|e| e.0.contains("longer")));
    }

    #[test]
    fn bad_bodies_get_their_error() {
        assert!(reply_to_bad_body(br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#).is_none());
        assert!(reply_to_bad_body(br#"{"jsonrpc":"2.0","method":"x","params":[1]}"#).is_none());
        assert!(reply_to_bad_body(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_none());
        let reply = |b: &[u8]| {
            let f = reply_to_bad_body(b).expect("a reply");
            let body = &f[f.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(0) + 4..];
            serde_json::from_slice::<serde_json::Value>(body).unwrap_or_default()
        };
        let r = reply(b"{not json");
        assert_eq!(
            (r["id"].clone(), r["error"]["code"].clone()),
            (serde_json::Value::Null, (-32700).into()),
            "{r}"
        );
        let r = reply(br#"{"jsonrpc":"2.0","id":7,"method":3}"#);
        assert_eq!((r["id"].clone(), r["error"]["code"].clone()), (7.into(), (-32600).into()), "{r}");
        let r = reply(b"[1, 2]");
        assert_eq!(r["error"]["code"], -32600, "{r}");
    }
}

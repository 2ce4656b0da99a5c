//! HTML blocks as CommonMark starts and ends them (the seven kinds of
//! spec section 4.6): which line opens one, and which line closes it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HtmlEnd {
    /// Types 2–5: a line containing this.
    Marker(&'static [u8]),
    /// Type 1: any of `</script>`, `</pre>`, `</style>`, `</textarea>`.
    RawTag,
    /// Types 6 and 7: a blank line (not part of the block).
    BlankLine,
}

const RAW_TAGS: [&[u8]; 4] = [b"script", b"pre", b"style", b"textarea"];
const BLOCK_TAGS: [&str; 62] = [
    "address",
    "article",
    "aside",
    "base",
    "basefont",
    "blockquote",
    "body",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "link",
    "main",
    "menu",
    "menuitem",
    "nav",
    "noframes",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "search",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
];

/// The HTML block starting at `rest` (which begins with `<`), by its end condition.
/// `type7` says whether a lone tag may start one (it cannot interrupt a paragraph).
pub(super) fn html_start(rest: &[u8], type7: bool) -> Option<HtmlEnd> {
    let after = &rest[1..];
    if after.starts_with(b"!--") {
        return Some(HtmlEnd::Marker(b"-->"));
    }
    if after.starts_with(b"?") {
        return Some(HtmlEnd::Marker(b"?>"));
    }
    if after.starts_with(b"![CDATA[") {
        return Some(HtmlEnd::Marker(b"]]>"));
    }
    if after.first() == Some(&b'!') && after.get(1).is_some_and(u8::is_ascii_alphabetic) {
        return Some(HtmlEnd::Marker(b">"));
    }
    let name_at = usize::from(after.first() == Some(&b'/'));
    let name_len = after[name_at..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    let name = &after[name_at..name_at + name_len];
    let next = after.get(name_at + name_len).copied();
    if name_at == 0
        && RAW_TAGS.iter().any(|t| name.eq_ignore_ascii_case(t))
        && matches!(next, None | Some(b' ' | b'\t' | b'>'))
    {
        return Some(HtmlEnd::RawTag);
    }
    let ends_name = match next {
        None | Some(b' ' | b'\t' | b'>') => true,
        Some(b'/') => after.get(name_at + name_len + 1) == Some(&b'>'),
        _ => false,
    };
    if ends_name && BLOCK_TAGS.iter().any(|t| name.eq_ignore_ascii_case(t.as_bytes())) {
        return Some(HtmlEnd::BlankLine);
    }
    if type7 && is_lone_tag(rest) {
        return Some(HtmlEnd::BlankLine);
    }
    None
}

pub(super) fn html_ends(end: HtmlEnd, line: &[u8]) -> bool {
    match end {
        HtmlEnd::Marker(m) => memchr::memmem::find(line, m).is_some(),
        HtmlEnd::RawTag => {
            let lower = line.to_ascii_lowercase();
            RAW_TAGS.iter().any(|t| {
                let close = [b"</", *t, b">"].concat();
                memchr::memmem::find(&lower, &close).is_some()
            })
        }
        HtmlEnd::BlankLine => false,
    }
}

/// A complete open or closing tag followed only by spaces and tabs (HTML block type 7).
fn is_lone_tag(s: &[u8]) -> bool {
    let ws = |s: &[u8], i: usize| s[i..].iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    let name = |s: &[u8], i: usize| {
        if !s.get(i).is_some_and(u8::is_ascii_alphabetic) {
            return 0;
        }
        s[i..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count()
    };
    let mut i = 1;
    let end = if s.get(1) == Some(&b'/') {
        i = 2;
        let n = name(s, i);
        if n == 0 {
            return false;
        }
        i += n;
        i += ws(s, i);
        if s.get(i) != Some(&b'>') {
            return false;
        }
        i + 1
    } else {
        let n = name(s, i);
        if n == 0 {
            return false;
        }
        i += n;
        loop {
            let gap = ws(s, i);
            let at = i + gap;
            match s.get(at) {
                Some(b'>') => break at + 1,
                Some(b'/') if s.get(at + 1) == Some(&b'>') => break at + 2,
                Some(&b) if gap > 0 && (b.is_ascii_alphabetic() || b == b'_' || b == b':') => {
                    i = at
                        + s[at..]
                            .iter()
                            .take_while(|b| {
                                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-')
                            })
                            .count();
                    let eq = i + ws(s, i);
                    if s.get(eq) == Some(&b'=') {
                        let v = eq + 1 + ws(s, eq + 1);
                        match s.get(v) {
                            Some(&q @ (b'"' | b'\'')) => match s[v + 1..].iter().position(|&b| b == q) {
                                Some(close) => i = v + 1 + close + 1,
                                None => return false,
                            },
                            Some(_) => {
                                let len = s[v..].iter().take_while(|b| !b" \t\"'=<>`".contains(b)).count();
                                if len == 0 {
                                    return false;
                                }
                                i = v + len;
                            }
                            None => return false,
                        }
                    }
                }
                _ => return false,
            }
        }
    };
    s[end..].iter().all(|&b| b == b' ' || b == b'\t')
}

//! The pass itself: libyaml's tokenization (see the module above), counting nesting
//! and noting aliases.

use std::ops::Range;

use super::MAX_DEPTH;

/// What one pass over a YAML block found (offsets into the whole text).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Where the nesting goes deeper than [`MAX_DEPTH`], once per time it does.
    pub deep: Vec<usize>,
    /// Where the aliases (`*name`) are.
    pub aliases: Vec<usize>,
    /// The outermost flow collection still open at the end of the block.
    pub unclosed: Option<usize>,
    /// The deepest nesting seen.
    pub max_depth: usize,
    /// Bytes looked at (each once): the pass is linear.
    pub bytes: usize,
}

/// One pass over `text[range]` with libyaml's tokenization.
pub fn scan(text: &str, range: Range<usize>) -> Scan {
    let mut s = Scanner {
        b: text.as_bytes(),
        end: range.end.min(text.len()),
        i: range.start,
        col: 0,
        line: 0,
        flow: 0,
        flow_opened: Vec::new(),
        indent: -1,
        indents: Vec::new(),
        allowed: true,
        key: None,
        over: false,
        out: Scan::default(),
    };
    s.run();
    s.out.unclosed = s.flow_opened.first().copied();
    s.out.bytes = range.len();
    s.out
}

struct Scanner<'a> {
    b: &'a [u8],
    end: usize,
    i: usize,
    /// Column in characters, as libyaml counts it.
    col: usize,
    line: usize,
    flow: usize,
    /// Where the open flow collections started, outermost first (kept only up to
    /// [`MAX_DEPTH`] + 1 deep: only the first is reported).
    flow_opened: Vec<usize>,
    /// The current block indentation (-1 outside any block collection) and the ones
    /// it rolled over.
    indent: isize,
    indents: Vec<isize>,
    /// libyaml's `simple_key_allowed`.
    allowed: bool,
    /// Where a simple key could start (column, line).
    key: Option<(usize, usize)>,
    over: bool,
    out: Scan,
}

impl Scanner<'_> {
    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().filter(|_| self.i + k < self.end).unwrap_or(0)
    }

    fn eof(&self) -> bool {
        self.i >= self.end
    }

    /// The length of the line break at `i + k`, if one is there (`\r\n`, `\r`, `\n`,
    /// and Unicode NEL, LS, PS as libyaml reads them).
    fn brk(&self, k: usize) -> Option<usize> {
        match (self.at(k), self.at(k + 1), self.at(k + 2)) {
            (b'\r', b'\n', _) => Some(2),
            (b'\r' | b'\n', _, _) => Some(1),
            (0xC2, 0x85, _) => Some(2),
            (0xE2, 0x80, 0xA8 | 0xA9) => Some(3),
            _ => None,
        }
    }

    fn blank(&self, k: usize) -> bool {
        matches!(self.at(k), b' ' | b'\t')
    }

    /// Blank, a line break or the end.
    fn blankz(&self, k: usize) -> bool {
        self.i + k >= self.end || self.blank(k) || self.brk(k).is_some()
    }

    /// Moves past one character (not a line break).
    fn bump(&mut self) {
        self.i += 1;
        while self.i < self.end && (self.b[self.i] & 0xC0) == 0x80 {
            self.i += 1;
        }
        self.col += 1;
    }

    /// Moves past a line break if one is here.
    fn newline(&mut self) -> bool {
        match self.brk(0) {
            Some(n) => {
                self.i += n;
                self.col = 0;
                self.line += 1;
                true
            }
            None => false,
        }
    }

    fn depth(&self) -> usize {
        self.indents.len() + self.flow
    }

    fn note_depth(&mut self, at: usize) {
        self.out.max_depth = self.out.max_depth.max(self.depth());
        if self.depth() > MAX_DEPTH {
            if !self.over {
                self.out.deep.push(at);
                self.over = true;
            }
        } else {
            self.over = false;
        }
    }

    fn roll(&mut self, col: usize) {
        if self.flow == 0 && self.indent < col as isize {
            self.indents.push(self.indent);
            self.indent = col as isize;
            self.note_depth(self.i);
        }
    }

    fn unroll(&mut self, col: isize) {
        if self.flow == 0 {
            while self.indent > col {
                self.indent = self.indents.pop().unwrap_or(-1);
            }
            self.note_depth(self.i);
        }
    }

    /// A token that may start a simple key starts here.
    fn save_key(&mut self) {
        if self.allowed {
            self.key = Some((self.col, self.line));
        }
    }

    fn run(&mut self) {
        loop {
            self.skip_to_token();
            if self.eof() {
                return;
            }
            self.unroll(self.col as isize);
            let (c, next_blankz) = (self.at(0), self.blankz(1));
            if self.col == 0 && c == b'%' {
                // A directive: to the end of the line.
                while !self.eof() && self.brk(0).is_none() {
                    self.bump();
                }
                continue;
            }
            if self.col == 0
                && ((c == b'-' && self.at(1) == b'-' && self.at(2) == b'-')
                    || (c == b'.' && self.at(1) == b'.' && self.at(2) == b'.'))
                && self.blankz(3)
            {
                self.unroll(-1);
                self.key = None;
                self.allowed = false;
                for _ in 0..3 {
                    self.bump();
                }
                continue;
            }
            match c {
                b'[' | b'{' => {
                    self.save_key();
                    if self.flow_opened.len() <= MAX_DEPTH {
                        self.flow_opened.push(self.i);
                    }
                    self.flow += 1;
                    self.note_depth(self.i);
                    self.allowed = true;
                    self.bump();
                }
                b']' | b'}' => {
                    if self.flow > 0 {
                        self.flow -= 1;
                        if self.flow < self.flow_opened.len() {
                            self.flow_opened.truncate(self.flow);
                        }
                        self.note_depth(self.i);
                    }
                    self.allowed = false;
                    self.bump();
                }
                b',' => {
                    self.allowed = true;
                    self.bump();
                }
                b'-' if next_blankz => {
                    self.roll(self.col);
                    self.allowed = true;
                    self.key = None;
                    self.bump();
                }
                b'?' if self.flow > 0 || next_blankz => {
                    self.roll(self.col);
                    self.allowed = self.flow == 0;
                    self.key = None;
                    self.bump();
                }
                b':' if self.flow > 0 || next_blankz => {
                    let col = match self.key {
                        Some((col, line)) if line == self.line => col,
                        _ => self.col,
                    };
                    self.roll(col);
                    self.key = None;
                    self.allowed = self.flow == 0;
                    self.bump();
                }
                b'*' | b'&' => {
                    if c == b'*' {
                        self.out.aliases.push(self.i);
                    }
                    self.save_key();
                    self.allowed = false;
                    self.bump();
                    while self.at(0).is_ascii_alphanumeric() || matches!(self.at(0), b'_' | b'-') {
                        self.bump();
                    }
                }
                b'!' => {
                    self.save_key();
                    self.allowed = false;
                    self.tag();
                }
                b'|' | b'>' if self.flow == 0 => {
                    self.key = None;
                    self.allowed = true;
                    self.block_scalar();
                }
                b'\'' | b'"' => {
                    self.save_key();
                    self.allowed = false;
                    self.quoted(c);
                }
                _ if self.plain_starts() => {
                    self.save_key();
                    self.allowed = false;
                    self.plain();
                }
                // libyaml stops with an error here: nothing after it costs anything.
                _ => return,
            }
        }
    }

    /// Spaces, comments and line breaks before the next token.
    fn skip_to_token(&mut self) {
        loop {
            while self.at(0) == b' ' || (self.at(0) == b'\t' && (self.flow > 0 || !self.allowed)) {
                self.bump();
            }
            if self.at(0) == b'#' {
                while !self.eof() && self.brk(0).is_none() {
                    self.bump();
                }
            }
            if !self.newline() {
                return;
            }
            if self.flow == 0 {
                self.allowed = true;
            }
        }
    }

    fn plain_starts(&self) -> bool {
        let c = self.at(0);
        let indicator = matches!(
            c,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        );
        !(self.blankz(0) || indicator)
            || (c == b'-' && !self.blank(1))
            || (self.flow == 0 && matches!(c, b'?' | b':') && !self.blankz(1))
    }

    /// libyaml's plain scalar, including its continuation lines.
    fn plain(&mut self) {
        let indent = self.indent + 1;
        let mut broke = false;
        loop {
            if self.col == 0
                && ((self.at(0) == b'-' && self.at(1) == b'-' && self.at(2) == b'-')
                    || (self.at(0) == b'.' && self.at(1) == b'.' && self.at(2) == b'.'))
                && self.blankz(3)
            {
                break;
            }
            if self.at(0) == b'#' {
                break;
            }
            while !self.blankz(0) {
                let c = self.at(0);
                if self.flow > 0 && c == b':' && matches!(self.at(1), b',' | b'?' | b'[' | b']' | b'{' | b'}')
                {
                    // libyaml stops with an error; ending the scalar here scans on safely.
                    break;
                }
                if (c == b':' && self.blankz(1))
                    || (self.flow > 0 && matches!(c, b',' | b'[' | b']' | b'{' | b'}'))
                {
                    break;
                }
                self.bump();
            }
            if !(self.blank(0) || self.brk(0).is_some()) {
                break;
            }
            while self.blank(0) || self.brk(0).is_some() {
                if !self.newline() {
                    self.bump();
                } else {
                    broke = true;
                }
            }
            if self.flow == 0 && (self.col as isize) < indent {
                break;
            }
        }
        if broke {
            self.allowed = true;
        }
    }

    /// A single- or double-quoted scalar, over as many lines as it takes.
    fn quoted(&mut self, q: u8) {
        self.bump();
        while !self.eof() {
            let c = self.at(0);
            if self.col == 0
                && ((c == b'-' && self.at(1) == b'-' && self.at(2) == b'-')
                    || (c == b'.' && self.at(1) == b'.' && self.at(2) == b'.'))
                && self.blankz(3)
            {
                return; // libyaml: an error
            }
            if q == b'\'' && c == b'\'' {
                if self.at(1) == b'\'' {
                    self.bump();
                    self.bump();
                    continue;
                }
                self.bump();
                return;
            }
            if q == b'"' && c == b'"' {
                self.bump();
                return;
            }
            if q == b'"' && c == b'\\' {
                self.bump();
                if !self.newline() && !self.eof() {
                    self.bump();
                }
                continue;
            }
            if !self.newline() {
                self.bump();
            }
        }
    }

    /// A tag: `!<uri>`, or `!`, `!!suffix`, `!handle!suffix` up to a blank.
    fn tag(&mut self) {
        if self.at(1) == b'<' {
            while !self.eof() && self.at(0) != b'>' && !self.blankz(0) {
                self.bump();
            }
            if self.at(0) == b'>' {
                self.bump();
            }
            return;
        }
        while !(self.blankz(0) || (self.flow > 0 && matches!(self.at(0), b',' | b'[' | b']' | b'{' | b'}'))) {
            self.bump();
        }
    }

    /// A literal or folded block scalar: its header, then every line indented at
    /// least as far as its content (blank lines included).
    fn block_scalar(&mut self) {
        self.bump();
        let mut increment = 0usize;
        for _ in 0..2 {
            match self.at(0) {
                b'+' | b'-' => self.bump(),
                d @ b'1'..=b'9' => {
                    increment = usize::from(d - b'0');
                    self.bump();
                }
                _ => {}
            }
        }
        while self.blank(0) {
            self.bump();
        }
        if self.at(0) == b'#' {
            while !self.eof() && self.brk(0).is_none() {
                self.bump();
            }
        }
        if !self.newline() {
            return; // libyaml: an error, unless the block ends here
        }
        let mut indent = if increment > 0 {
            if self.indent >= 0 {
                self.indent as usize + increment
            } else {
                increment
            }
        } else {
            0
        };
        self.block_breaks(&mut indent);
        while self.col == indent && !self.eof() {
            while !self.eof() && self.brk(0).is_none() {
                self.bump();
            }
            self.newline();
            self.block_breaks(&mut indent);
        }
    }

    /// libyaml's `scan_block_scalar_breaks`: indentation and empty lines; fixes the
    /// content indentation when it is still 0.
    fn block_breaks(&mut self, indent: &mut usize) {
        let mut max = 0;
        loop {
            while (*indent == 0 || self.col < *indent) && self.at(0) == b' ' {
                self.bump();
            }
            max = max.max(self.col);
            if !self.newline() {
                break;
            }
        }
        if *indent == 0 {
            *indent = max.max((self.indent + 1).max(1) as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(yaml: &str) -> Vec<usize> {
        scan(yaml, 0..yaml.len()).deep
    }

    #[test]
    fn nesting_in_flow_and_block_is_counted() {
        let flow = format!("a: {}\n", "[".repeat(MAX_DEPTH));
        assert_eq!(deep(&flow), vec![3 + MAX_DEPTH - 1]);
        let flow =
            format!("a: {}{}\nb: {}\n", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1), "{".repeat(3));
        assert!(deep(&flow).is_empty());
        // `- - - x`: every dash opens a sequence.
        let dashes = format!("a:\n  {}x\n", "- ".repeat(MAX_DEPTH + 1));
        assert_eq!(deep(&dashes).len(), 1);
        let mut block = String::new();
        for level in 0..=MAX_DEPTH {
            block.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
        }
        assert_eq!(deep(&block).len(), 1);
    }

    #[test]
    fn brackets_inside_scalars_and_comments_are_not_nesting() {
        let many = "[".repeat(MAX_DEPTH * 2);
        for yaml in [
            format!("a: '{many}'\n"),
            format!("a: \"{many}\\\"\"\n"),
            format!("a: x {many}\n"),
            format!("a: x\n  {many}\n"),
            format!("a: x #{many}\n"),
            format!("# {many}\na: 1\n"),
            format!("a: |\n  {many}\n  more\nb: 1\n"),
            format!("a: >2\n   {many}\nb: 1\n"),
            format!("a: [x, '{many}', \"]\"]\n"),
        ] {
            assert!(deep(&yaml).is_empty(), "{yaml:?}");
        }
    }

    #[test]
    fn what_libyaml_reads_as_structure_is_counted() {
        let many = "[".repeat(MAX_DEPTH * 2);
        for yaml in [
            // A quote inside a plain scalar is text; the next line starts a new token.
            format!("a: it's\nb: {many}\n"),
            // A line break libyaml knows ends the plain scalar.
            format!("a: x\u{2028}{many}\n"),
            // The block scalar ends at the first line indented less than its content.
            format!("a: |\n    text\n  {many}\n"),
            // `#` without a blank before it is text; a quoted scalar ends at its quote.
            format!("a: x#y\nb: 'it''s'\nc: {many}\n"),
            // Inside a flow collection a comma ends a plain scalar.
            format!("a: [x'y, {many}\n"),
        ] {
            assert_eq!(deep(&yaml).len(), 1, "{yaml:?}");
        }
    }

    #[test]
    fn unclosed_and_aliases() {
        let s = scan("a: [x, [y]\nb: *ref\n", 0..20);
        assert_eq!(s.unclosed, Some(3));
        assert_eq!(s.aliases, vec![14]);
        assert_eq!(scan("a: [x]\n", 0..7).unclosed, None);
    }

    /// The scan never finds less nesting than serde_yaml builds, on generated YAML.
    #[test]
    fn never_below_the_depth_serde_yaml_builds() {
        fn depth(v: &serde_yaml::Value) -> usize {
            match v {
                serde_yaml::Value::Sequence(s) => 1 + s.iter().map(depth).max().unwrap_or(0),
                serde_yaml::Value::Mapping(m) => {
                    1 + m.iter().map(|(k, v)| depth(k).max(depth(v))).max().unwrap_or(0)
                }
                serde_yaml::Value::Tagged(t) => depth(&t.value),
                _ => 0,
            }
        }
        let pieces = [
            "[", "]", "{", "}", ", ", ": ", "- ", "? ", "a", "'", "\"", "#", " ", "\n", "\n  ", "\n    ",
            "|", ">", "&x ", "*x", "!t ", "\\", "k: ", "\u{2028}",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut parsed = 0;
        for _ in 0..30_000 {
            let mut yaml = String::new();
            for _ in 0..next(30) {
                yaml.push_str(pieces[next(pieces.len())]);
            }
            if let Ok(v) = serde_yaml::from_str::<serde_yaml::Value>(&yaml) {
                parsed += 1;
                // Flow pairs (`[a: b]`) add a mapping without a bracket: at most one per
                // bracket.
                let s = scan(&yaml, 0..yaml.len()).max_depth;
                assert!(2 * s + 1 >= depth(&v), "{yaml:?}: scanned {s}, serde built {}", depth(&v));
            }
        }
        assert!(parsed > 1000, "{parsed}");
    }
}

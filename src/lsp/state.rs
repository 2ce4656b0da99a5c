//! The server's state: open documents (ropes with versions), one checked workspace per
//! chant project root, the settings, and what was last published for each file. All of
//! it sits behind one mutex that is never held across an `.await`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::convert::{self, Encoding};
use super::settings::Settings;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::spec::{self, Context, Place, SpecFile, Summary};
use crate::analysis::workspace::{self, Workspace};
use crate::io::facts::DiskFacts;

/// An open document.
pub struct Doc {
    /// The URI exactly as the client sent it (published diagnostics must use it).
    pub uri: Uri,
    pub rope: Rope,
    pub version: i32,
    /// Bumped on every change; a debounced re-check runs only if it did not move.
    pub generation: u64,
    /// `rope.to_string()`, kept until the next change.
    text: Option<Arc<String>>,
}

impl Doc {
    pub fn new(uri: Uri, text: &str, version: i32) -> Doc {
        Doc {
            uri,
            rope: Rope::from_str(text),
            version,
            generation: 0,
            text: Some(Arc::new(text.to_string())),
        }
    }

    pub fn text(&mut self) -> Arc<String> {
        if self.text.is_none() {
            self.text = Some(Arc::new(self.rope.to_string()));
        }
        self.text.clone().unwrap_or_default()
    }

    pub fn apply(&mut self, changes: Vec<lsp::TextDocumentContentChangeEvent>, version: i32, enc: Encoding) {
        for c in changes {
            convert::apply_change(&mut self.rope, c.range, &c.text, enc);
        }
        self.version = version;
        self.generation += 1;
        self.text = None;
    }
}

/// One chant project.
pub struct Root {
    pub path: PathBuf,
    pub facts: Arc<DiskFacts>,
    pub ws: Workspace,
    /// What was last published per project-relative (or absolute, for the global
    /// config) path, after settings were applied.
    pub published: HashMap<String, Vec<Diagnostic>>,
}

impl Root {
    pub fn context(&self) -> Context<'_> {
        Context { config: self.ws.config(), prompts: &self.ws.prompts, facts: self.facts.as_ref() }
    }

    /// The project-relative path of a file under this root.
    pub fn rel(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.path).ok()?;
        Some(rel.to_str()?.replace('\\', "/"))
    }

    pub fn abs(&self, rel: &str) -> PathBuf {
        if Path::new(rel).is_absolute() {
            PathBuf::from(rel)
        } else {
            self.path.join(rel)
        }
    }

    /// Analyses `text` as the spec at `rel` (`None` if `rel` is not a spec path).
    /// `hidden_bom`: `text` is an editor buffer without the byte order mark the file on
    /// disk starts with.
    pub fn analyze(&self, rel: &str, text: &str, hidden_bom: bool) -> Option<(Summary, Vec<Diagnostic>)> {
        let src = workspace::classify(rel)?;
        Some(if hidden_bom {
            workspace::analyze_hidden_bom(&self.context(), &src, text)
        } else {
            workspace::analyze_source(&self.context(), &src, Ok(text.as_bytes()))
        })
    }
}

/// Whether the file on disk starts with a UTF-8 byte order mark.
pub fn disk_has_bom(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 3];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == [0xEF, 0xBB, 0xBF]
}

/// What the client can do.
#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    pub work_done_progress: bool,
    pub configuration: bool,
    pub dynamic_watch: bool,
    pub related_information: bool,
    pub resource_rename: bool,
    /// `CreateFile` operations in workspace edits.
    pub resource_create: bool,
    pub document_changes: bool,
    pub hierarchical_symbols: bool,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    pub disabled_code_actions: bool,
    /// `CodeAction` literals in code action answers (else bare commands).
    pub code_action_literals: bool,
    pub show_document: bool,
}

pub struct State {
    pub encoding: Encoding,
    pub caps: ClientCaps,
    pub settings: Settings,
    pub initialization_options: Option<serde_json::Value>,
    pub folders: Vec<PathBuf>,
    pub roots: Vec<Root>,
    /// Roots being loaded (not yet in `roots`).
    pub loading: HashSet<PathBuf>,
    pub docs: HashMap<PathBuf, Doc>,
    pub home: Option<PathBuf>,
}

/// One `textDocument/publishDiagnostics`.
pub struct Publish {
    pub uri: Uri,
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

impl State {
    pub fn new() -> State {
        State {
            encoding: Encoding::Utf16,
            caps: ClientCaps::default(),
            settings: Settings::default(),
            initialization_options: None,
            folders: Vec::new(),
            roots: Vec::new(),
            loading: HashSet::new(),
            docs: HashMap::new(),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }

    /// Forgets the projects below removed workspace folders (unless another folder still
    /// holds them, or an open document lies in them) and clears what was published for
    /// them.
    pub fn unload_folders(&mut self, removed: &[PathBuf]) -> Vec<Publish> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.roots.len() {
            let path = self.roots[i].path.clone();
            let drop = removed.iter().any(|f| path.starts_with(f))
                && !self.folders.iter().any(|f| path.starts_with(f))
                && !self.docs.keys().any(|d| d.starts_with(&path));
            if !drop {
                i += 1;
                continue;
            }
            let root = self.roots.remove(i);
            for rel in root.published.keys() {
                if let Some(uri) = Uri::from_file_path(root.abs(rel)) {
                    out.push(Publish { uri, diagnostics: Vec::new(), version: None });
                }
            }
        }
        out
    }

    /// The loaded root containing `path` (the deepest one).
    pub fn root_of(&self, path: &Path) -> Option<usize> {
        self.roots
            .iter()
            .enumerate()
            .filter(|(_, r)| path.starts_with(&r.path))
            .max_by_key(|(_, r)| r.path.as_os_str().len())
            .map(|(i, _)| i)
    }

    /// The text of a project file: the open buffer if there is one, else the disk.
    pub fn file_text(&mut self, root: usize, rel: &str) -> Option<Arc<String>> {
        let abs = self.roots[root].abs(rel);
        if let Some(doc) = self.docs.get_mut(&abs) {
            return Some(doc.text());
        }
        let bytes = std::fs::read(&abs).ok()?;
        Some(Arc::new(workspace::decode(bytes).0))
    }

    /// Re-analyses one spec from its current text (buffer or disk) and returns the
    /// specs whose diagnostics may have changed; a spec gone from disk (and not open)
    /// is removed.
    pub fn refresh_spec(&mut self, root: usize, rel: &str) -> Vec<usize> {
        let Some(text) = self.file_text(root, rel) else {
            return self.roots[root].ws.remove(rel);
        };
        // Editors hide a leading BOM from the buffer; chant reads the file's bytes.
        let abs = self.roots[root].abs(rel);
        let hidden_bom = self.docs.contains_key(&abs) && !text.starts_with('\u{feff}') && disk_has_bom(&abs);
        let r = &mut self.roots[root];
        match r.analyze(rel, &text, hidden_bom) {
            Some((summary, local)) => r.ws.update(summary, local),
            None => Vec::new(),
        }
    }

    /// The URI and version to publish a file under.
    fn uri_for(&self, abs: &Path) -> Option<(Uri, Option<i32>)> {
        match self.docs.get(abs) {
            Some(d) => Some((d.uri.clone(), Some(d.version))),
            None => Some((Uri::from_file_path(abs)?, None)),
        }
    }

    fn rope_for(&mut self, root: usize, rel: &str, cache: &mut HashMap<String, Rope>) -> Rope {
        if let Some(r) = cache.get(rel) {
            return r.clone();
        }
        let abs = self.roots[root].abs(rel);
        let rope = match self.docs.get(&abs) {
            Some(d) => d.rope.clone(),
            None => Rope::from_str(&std::fs::read(&abs).map(|b| workspace::decode(b).0).unwrap_or_default()),
        };
        cache.insert(rel.to_string(), rope.clone());
        rope
    }

    /// Converts analysis diagnostics of `rel` to protocol diagnostics.
    fn convert(
        &mut self,
        root: usize,
        rel: &str,
        diags: &[Diagnostic],
        cache: &mut HashMap<String, Rope>,
    ) -> Vec<lsp::Diagnostic> {
        let enc = self.encoding;
        let rope = self.rope_for(root, rel, cache);
        let mut out = Vec::with_capacity(diags.len());
        for d in diags {
            let related = if self.caps.related_information && !d.related.is_empty() {
                let mut infos = Vec::new();
                for r in &d.related {
                    let rrope = self.rope_for(root, &r.path, cache);
                    let abs = self.roots[root].abs(&r.path);
                    let Some((uri, _)) = self.uri_for(&abs) else { continue };
                    infos.push(lsp::DiagnosticRelatedInformation {
                        location: lsp::Location { uri, range: convert::range(&rrope, &r.range, enc) },
                        message: r.message.clone(),
                    });
                }
                Some(infos)
            } else {
                None
            };
            out.push(lsp::Diagnostic {
                range: convert::range(&rope, &d.range, enc),
                severity: Some(match d.severity {
                    Severity::Error => lsp::DiagnosticSeverity::ERROR,
                    Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                    Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
                    Severity::Hint => lsp::DiagnosticSeverity::HINT,
                }),
                code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
                code_description: None,
                source: Some("chant".to_string()),
                message: d.message.clone(),
                related_information: related,
                tags: None,
                data: self.fix_data(root, &rope, d),
            });
        }
        out
    }

    /// The quick fixes of `d` as `Diagnostic.data` (so a code action request needs no
    /// server state): edits in the client's encoding, a file to create (by the client
    /// when it can, else by the `chant.createFile` command), or a server command; and
    /// the text under the diagnostic (its anchor: when the document no longer has it
    /// there, the edits are stale and are not offered).
    fn fix_data(&self, root: usize, rope: &Rope, d: &Diagnostic) -> Option<serde_json::Value> {
        use crate::analysis::diagnostic::FixAction;
        if d.fixes.is_empty() {
            return None;
        }
        let enc = self.encoding;
        let fixes: Vec<serde_json::Value> = d
            .fixes
            .iter()
            .filter_map(|f| {
                Some(match &f.action {
                    FixAction::Edits(edits) => {
                        let edits: Vec<lsp::TextEdit> = edits
                            .iter()
                            .map(|(r, t)| lsp::TextEdit { range: convert::range(rope, r, enc), new_text: t.clone() })
                            .collect();
                        serde_json::json!({ "title": f.title, "edits": edits })
                    }
                    FixAction::CreateFile(path) => {
                        let uri = Uri::from_file_path(self.roots[root].abs(path))?;
                        if self.caps.document_changes && self.caps.resource_create {
                            serde_json::json!({ "title": f.title, "create": uri.as_str() })
                        } else {
                            serde_json::json!({ "title": f.title, "command": "chant.createFile", "arguments": [uri.as_str()] })
                        }
                    }
                    FixAction::RemoveBom => serde_json::json!({ "title": f.title, "command": "chant.removeBom" }),
                })
            })
            .collect();
        let anchor = match rope.get_byte_slice(d.range.clone()) {
            Some(slice) => slice.to_string(),
            None => String::new(),
        };
        Some(serde_json::json!({ "fixes": fixes, "anchor": anchor }))
    }

    /// What must be published for root `root` so the client shows its current
    /// diagnostics: only files whose diagnostics changed (`specs: None` checks every
    /// spec; `Some` only those), the config files, and files that dropped out (`None`:
    /// any published file that is no longer a spec; `Some`: the spec files the
    /// workspace removed since the last call).
    pub fn collect(&mut self, root: usize, specs: Option<&[usize]>) -> Vec<Publish> {
        let removed = self.roots[root].ws.take_removed();
        let mut current: Vec<(String, Vec<Diagnostic>)> = Vec::new();
        {
            let r = &self.roots[root];
            let settings = &self.settings;
            let filtered = |diags: Vec<Diagnostic>| -> Vec<Diagnostic> {
                diags.into_iter().filter_map(|d| settings.apply(d)).collect()
            };
            let indexes: Vec<usize> = match specs {
                Some(s) => s.to_vec(),
                None => (0..r.ws.project.specs.len()).collect(),
            };
            for i in indexes {
                let Some(s) = r.ws.project.specs.get(i) else { continue };
                current.push((s.path.clone(), filtered(r.ws.diagnostics(i))));
            }
            for c in r.ws.config_diagnostics(r.facts.as_ref()) {
                current.push((c.path, filtered(c.diagnostics)));
            }
            // The config files themselves, even when clean (to clear old findings).
            for c in &r.ws.config_reports {
                if !current.iter().any(|(p, _)| *p == c.path) {
                    current.push((c.path.clone(), Vec::new()));
                }
            }
        }
        let mut out = Vec::new();
        let mut cache = HashMap::new();
        // Files published that are not specs: the config files.
        let others: HashSet<String> = current
            .iter()
            .filter(|(p, _)| self.roots[root].ws.index_of(p).is_none())
            .map(|(p, _)| p.clone())
            .collect();
        for (rel, diags) in current {
            let unchanged = match self.roots[root].published.get(&rel) {
                Some(old) => *old == diags,
                None => diags.is_empty(),
            };
            if unchanged {
                continue;
            }
            let lsp_diags = self.convert(root, &rel, &diags, &mut cache);
            let abs = self.roots[root].abs(&rel);
            if let Some((uri, version)) = self.uri_for(&abs) {
                out.push(Publish { uri, diagnostics: lsp_diags, version });
            }
            if diags.is_empty() {
                self.roots[root].published.remove(&rel);
            } else {
                self.roots[root].published.insert(rel, diags);
            }
        }
        // Files that are no longer specs (deleted, moved): clear them.
        let r = &self.roots[root];
        let is_gone =
            |p: &String| r.ws.index_of(p).is_none() && !others.contains(p) && r.published.contains_key(p);
        let gone: Vec<String> = match specs {
            None => r.published.keys().filter(|p| is_gone(p)).cloned().collect(),
            Some(_) => removed.into_iter().filter(|p| is_gone(p)).collect(),
        };
        for rel in gone {
            self.roots[root].published.remove(&rel);
            let abs = self.roots[root].abs(&rel);
            if let Some((uri, version)) = self.uri_for(&abs) {
                out.push(Publish { uri, diagnostics: Vec::new(), version });
            }
        }
        out
    }

    /// Analyses an open spec for a feature request: the file, its root index and text.
    pub fn with_spec<R>(&mut self, path: &Path, f: impl FnOnce(&Root, &SpecFile, &Rope) -> R) -> Option<R> {
        let root = self.root_of(path)?;
        let rel = self.roots[root].rel(path)?;
        let src = workspace::classify(&rel)?;
        let (text, rope) = match self.docs.get_mut(path) {
            Some(d) => (d.text(), d.rope.clone()),
            None => {
                let t = Arc::new(workspace::decode(std::fs::read(path).ok()?).0);
                let rope = Rope::from_str(&t);
                (t, rope)
            }
        };
        let r = &self.roots[root];
        let (file, _) = spec::analyze(&r.context(), &src.id, &src.rel, src.place, &text);
        Some(f(r, &file, &rope))
    }

    /// A rope of a project file for converting a location in it.
    pub fn rope_of(&mut self, root: usize, rel: &str) -> Rope {
        let mut cache = HashMap::new();
        self.rope_for(root, rel, &mut cache)
    }

    pub fn location(
        &mut self,
        root: usize,
        rel: &str,
        range: Option<std::ops::Range<usize>>,
    ) -> Option<lsp::Location> {
        let abs = self.roots[root].abs(rel);
        let (uri, _) = self.uri_for(&abs)?;
        let range = match range {
            Some(r) => {
                let rope = self.rope_of(root, rel);
                convert::range(&rope, &r, self.encoding)
            }
            None => lsp::Range::default(),
        };
        Some(lsp::Location { uri, range })
    }

    pub fn uri(&self, root: usize, rel: &str) -> Option<Uri> {
        self.uri_for(&self.roots[root].abs(rel)).map(|(u, _)| u)
    }

    /// Every spec of every root that is not archived, for workspace-wide requests.
    pub fn active_specs(&self) -> impl Iterator<Item = (usize, &Summary)> {
        self.roots.iter().enumerate().flat_map(|(i, r)| {
            r.ws.project.specs.iter().filter(|s| s.place != Place::Archived).map(move |s| (i, s))
        })
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

/// Project roots for a workspace folder: the project containing it, or the projects
/// nested below it (not inside ignored or hidden folders other than `.chant`).
pub fn discover_roots(folder: &Path) -> Vec<PathBuf> {
    if let Some(root) = crate::io::root::find_root(folder) {
        return vec![root];
    }
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(folder)
        .max_depth(Some(6))
        .hidden(true)
        .git_global(false)
        .require_git(false)
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some("node_modules" | "target" | ".git")))
        .build();
    for e in walker.flatten() {
        if e.file_type().is_some_and(|t| t.is_dir()) && e.path().join(".chant").is_dir() {
            out.push(e.path().to_path_buf());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a file event can matter: chant's own busy files are ignored.
pub fn relevant(rel: &str) -> bool {
    !(rel.starts_with(".git/")
        || rel.starts_with(".chant/.locks/")
        || rel.starts_with(".chant/pids/")
        || rel.starts_with(".chant/tmp/")
        || rel.starts_with(".chant/processes/")
        || rel.starts_with(".chant/store/")
        || rel.starts_with(".chant/.store/")
        || rel.ends_with(".md.tmp")
        || rel.contains("/.chant-status-")
        || rel.contains("/node_modules/")
        || rel.starts_with("target/"))
}

/// The facts a spec's local rules read: does `rel` (a changed non-spec file) matter to
/// spec `s`?
pub fn links_to(s: &Summary, rel: &str) -> bool {
    s.links.iter().any(|l| match &l.path {
        Some(p) if p.contains(['*', '?', '[']) => true,
        Some(p) => p == rel || rel.starts_with(&format!("{p}/")) || p.starts_with(&format!("{rel}/")),
        None => false,
    }) || s.prompt.as_ref().is_some_and(|p| rel == format!(".chant/prompts/{p}.md"))
        || rel == format!(".chant/logs/{}.log", s.id)
}

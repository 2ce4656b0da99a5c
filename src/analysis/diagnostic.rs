//! Diagnostics as plain data: a stable kebab-case [`Code`], a [`Severity`], a byte
//! range in one file, a message that says what is wrong and how to fix it, and related
//! locations. The table [`CODES`] documents every code (the README's table is
//! generated from it and checked by a test).

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "info",
            Severity::Hint => "hint",
        }
    }
}

/// A place in another file (or the same one) that explains a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Project-root-relative path with `/` separators.
    pub path: String,
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub range: Range<usize>,
    pub message: String,
    pub related: Vec<Related>,
    /// Ways to fix it (quick fixes), in the order to offer them.
    pub fixes: Vec<Fix>,
}

/// A quick fix, as plain data: text edits in the diagnostic's file, or an action on files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub action: FixAction,
    /// The fix needs no choice and keeps what the author meant (the one way to write
    /// what chant could not read, or a repeat removed): `check --fix` applies it
    /// ([`crate::analysis::fix`]). Every other fix is offered in the editor only.
    pub automatic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixAction {
    /// Replace byte ranges of the diagnostic's file.
    Edits(Vec<(Range<usize>, String)>),
    /// Create an empty file (project-relative path).
    CreateFile(String),
    /// Rewrite the diagnostic's file on disk without its byte order mark (editors hide
    /// the BOM from the buffer, so no text edit can remove it).
    RemoveBom,
    /// Show a diff: of what changed in a drift entry (as written) since the spec
    /// completed, or of the spec's own commits (`None`).
    ShowChanges(Option<String>),
}

impl Fix {
    pub fn edit(title: impl Into<String>, range: Range<usize>, text: impl Into<String>) -> Fix {
        Fix { title: title.into(), action: FixAction::Edits(vec![(range, text.into())]), automatic: false }
    }

    /// Marks the fix as one `check --fix` applies (see [`Fix::automatic`]).
    pub fn automatic(mut self) -> Fix {
        self.automatic = true;
        self
    }
}

impl Diagnostic {
    pub fn new(code: Code, range: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.info().severity,
            range,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn related(mut self, path: &str, range: Range<usize>, message: impl Into<String>) -> Self {
        self.related.push(Related { path: path.to_string(), range, message: message.into() });
        self
    }
}

/// What a code means, for docs and hovers.
pub struct CodeInfo {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub group: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $sev:ident, $group:literal, $what:literal, $why:literal, $fix:literal; )*) => {
        /// Every diagnostic code chant-lsp emits.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant ),* }

        /// Documentation of every code, in table order.
        pub const CODES: &[CodeInfo] = &[
            $( CodeInfo { code: Code::$variant, name: $name, severity: Severity::$sev, group: $group, what: $what, why: $why, fix: $fix } ),*
        ];
    };
}

codes! {
    InternalError = "internal-error", Error, "chant cannot read this spec",
        "chant-lsp itself failed on this file (a bug).", "The file's diagnostics are incomplete.", "Report a bug with the file.";
    InvalidUtf8 = "invalid-utf8", Error, "chant cannot read this spec",
        "The file is not valid UTF-8.", "chant reads specs as UTF-8 text and skips this one.", "Re-save the file as UTF-8.";
    YamlSyntax = "yaml-syntax", Error, "chant cannot read this spec",
        "The frontmatter is not valid YAML.", "chant cannot load the spec: `work`, `list` and dependents treat it as missing.", "Fix the YAML at the marked position.";
    InvalidValue = "invalid-value", Error, "chant cannot read this spec",
        "`type`, `status`, `verification_status` or `approval.status` holds a value chant does not know (or is empty).", "serde rejects the whole frontmatter, so chant does not see the spec.", "Use one of the listed values.";
    WrongShape = "wrong-shape", Error, "chant cannot read this spec",
        "A value has the wrong shape: a string where chant needs a list (only `depends_on` accepts one ID), a list where it needs a string, a missing sub-field.", "serde rejects the whole frontmatter.", "Write the value in the expected shape (the quick fix turns a scalar into a list).";
    DuplicateKey = "duplicate-key", Error, "chant cannot read this spec",
        "A frontmatter key appears twice (a warning for keys chant ignores anyway).", "Duplicate known keys make serde reject the frontmatter.", "Keep one of the entries.";
    Bom = "bom", Error, "chant cannot read this spec",
        "The file starts with a UTF-8 byte order mark.", "chant's split needs `---` as the very first character, so it silently reads the spec as `type: code`, `status: pending` with the frontmatter as body text.", "Save the file without a BOM.";
    UnclosedFrontmatter = "unclosed-frontmatter", Error, "chant cannot read this spec",
        "The frontmatter has no closing `---`.", "chant then reads no frontmatter at all (defaults) without saying so.", "Add a `---` line after the last key.";
    DashesInFrontmatter = "dashes-in-frontmatter", Error, "chant cannot read this spec",
        "`---` appears inside a frontmatter value.", "chant ends the frontmatter at the first `---` substring anywhere, so the YAML is cut short.", "Reword the value so it contains no `---`.";
    NoFrontmatter = "no-frontmatter", Warning, "chant cannot read this spec",
        "The file has no frontmatter.", "chant reads it as `type: code`, `status: pending` with no dependencies.", "Start the file with a `---` block.";
    FenceText = "fence-text", Warning, "chant cannot read this spec",
        "The opening `---` line has more text on it.", "chant parses that text as the first line of YAML.", "Put `---` alone on the first line.";
    UnreadValue = "unread-value", Warning, "not checked",
        "chant-lsp did not read this value: it nests deeper than 64 levels under a key chant ignores, or it holds aliases (`*name`) under keys chant reads that could expand past 16 MB.", "chant still reads it, slowly (its YAML parser takes time that grows with the nesting on every token), so a mistake inside it would make the spec unreadable without chant-lsp saying so.", "Flatten the value or drop the aliases, or move the information into the body.";
    UnknownKey = "unknown-key", Warning, "unknown keys",
        "A frontmatter key chant does not know (including documented-but-absent ones such as `commit` or `id`).", "chant ignores it and deletes it the next time it saves the spec.", "Use the suggested key, or move the information into the body.";
    MissingFile = "missing-file", Warning, "file links",
        "A linked file (`informed_by`, `context`, `origin`, `tracks`, `output_schema` before completion) does not exist.", "The agent never sees context that is missing (chant drops it silently); drift checks cannot run.", "Create the file (quick fix) or correct the path.";
    MissingTargetFile = "missing-target-file", Warning, "file links",
        "A completed spec lists a `target_files` entry that does not exist.", "Before completion a missing target is expected (the agent creates it); after, it usually means a rename or deletion.", "Update the path.";
    NoGlobMatch = "no-glob-match", Warning, "file links",
        "A glob in `tracks`, `informed_by` or `origin` matches no file.", "Drift detection has nothing to compare.", "Fix the pattern.";
    GlobNotSupported = "glob-not-supported", Warning, "file links",
        "A glob pattern in a field chant reads literally (`target_files`, `context`, `output_schema`, `conflicting_files`).", "chant looks for a file with that exact name.", "List the files one by one.";
    NotAFile = "not-a-file", Warning, "file links",
        "A `context`, `informed_by`, `origin` or `output_schema` entry names a directory, or something that is not a regular file (a FIFO, a socket, a device).", "chant reads files; a directory is skipped, and reading a FIFO or a device blocks or never ends (chant-lsp never opens one).", "Link the files inside it, or a regular file.";
    AbsolutePath = "absolute-path", Error, "file links",
        "A link is an absolute path.", "chant resolves links from the project root; absolute paths break on every other machine and in agent worktrees.", "Make the path relative to the project root.";
    PathOutsideProject = "path-outside-project", Error, "file links",
        "A link leaves the project root (`../`), or leads out of it through a symbolic link (a linked file, a folder a glob walks, an agent log, a spec or config file that is a link).", "Agent worktrees contain only the repository, so the file is not there when the spec runs; chant-lsp never reads, shows or quotes a file outside the project.", "Link a file inside the project; replace the symbolic link with the file.";
    BrokenLineRef = "broken-line-ref", Warning, "file links",
        "A `path:line` reference in the body names a file that does not exist, or a line past its end.", "Whoever follows it (the agent too) lands nowhere: the code moved.", "Update the reference.";
    NotAPath = "not-a-path", Warning, "file links",
        "An entry is not a path (backticks, prose, a URL).", "chant treats every entry as a file name.", "Put prose in the body and keep only paths here.";
    TooLarge = "too-large", Error, "what chant-lsp does not read",
        "A spec or config file larger than 4 MB, an `output_schema` larger than 1 MB or an agent log larger than 16 MB (open editor buffers of specs too).", "chant-lsp reads no further than its limit and skips the file: it is not checked.", "Split the file, or keep large data out of the project's chant files.";
    Unreadable = "unreadable", Error, "what chant-lsp does not read",
        "A file or folder chant-lsp must read cannot be read: permission denied, a path too long, a name that is not UTF-8, a spec or agent log that is a FIFO, socket or device, a folder nested more than 32 levels deep.", "chant cannot read it either (or blocks on it); whatever it holds is not checked.", "Fix the permissions, rename or move it, or replace it with a regular file.";
    WalkLimit = "walk-limit", Warning, "what chant-lsp does not read",
        "A glob's walk looked at 100,000 entries, or went 32 folders deep, before it was done.", "chant-lsp stops there: what the glob matches beyond is not known (chant's own walk may take very long).", "Narrow the pattern.";
    UnknownDependency = "unknown-dependency", Error, "dependencies",
        "A `depends_on` entry is not the exact ID of a spec.", "chant never resolves partial IDs here: lint fails and the spec stays blocked.", "Use the full ID (quick fix offers the closest IDs).";
    ArchivedDependency = "archived-dependency", Error, "dependencies",
        "A dependency exists only in `.chant/archive`.", "chant never sees archived specs: the dependent is blocked forever and `chant work` refuses even with `--skip-deps`.", "Remove the entry (the work is done).";
    UnreadableDependency = "unreadable-dependency", Error, "dependencies",
        "A dependency's own frontmatter cannot be read by chant.", "chant skips unreadable specs, so the dependency counts as missing.", "Fix the other spec.";
    CrossRepoDependency = "cross-repo-dependency", Error, "dependencies",
        "A `repo:ID` dependency.", "chant v0.23.2 always reports it unknown and keeps the spec blocked.", "Track the cross-repo dependency outside `depends_on`.";
    SelfDependency = "self-dependency", Error, "dependencies",
        "A spec depends on itself.", "It can never be ready.", "Remove the entry.";
    DuplicateDependency = "duplicate-dependency", Warning, "dependencies",
        "The same ID is listed twice.", "Harmless to chant, but a sign of a merge mistake.", "Remove the repeat.";
    CancelledDependency = "cancelled-dependency", Warning, "dependencies",
        "A dependency is cancelled.", "chant's ready list counts it as satisfied, but `chant work` refuses the spec without `--skip-deps`.", "Remove the entry or replace it with the spec that took over.";
    UnknownMember = "unknown-member", Error, "dependencies",
        "A `members` entry is not the ID of a spec.", "`chant lint` fails.", "Use the member's full ID or remove it.";
    OrphanMember = "orphan-member", Warning, "dependencies",
        "A member file (`<driver>.<N>.md`) whose driver spec does not exist.", "chant warns on every command and group behaviour is lost.", "Restore the driver or rename the member.";
    SiblingDeadlock = "sibling-deadlock", Error, "dependencies",
        "A group member depends on a later sibling.", "`chant work` on a member waits for every earlier sibling, so the two wait for each other.", "Reorder the members or drop the dependency.";
    DependencyCycle = "dependency-cycle", Error, "dependencies",
        "Specs depend on each other in a cycle (a warning once every spec in it is completed). Each edge on a cycle gets one, naming a cycle through it: at most 20 specs, then how many more.", "chant has no cycle check: specs in a cycle simply never become ready.", "Remove one edge of the cycle (quick fix on each edge).";
    DuplicateSpecId = "duplicate-spec-id", Warning, "dependencies",
        "Two spec files have the same ID.", "chant loads both; which one a command acts on is undefined.", "Rename or delete one.";
    NestedSpec = "nested-spec", Warning, "dependencies",
        "A spec in a subfolder of `.chant/specs`.", "Most chant commands load it, but `chant lint` and ID generation read only the top level, and saves go to the top level.", "Move it to `.chant/specs/`.";
    MissingTitle = "missing-title", Error, "chant lint",
        "No `# ` title line (lint T1).", "`chant lint` fails and `chant work` refuses the spec.", "Add a `# Title` line after the frontmatter.";
    MissingRequiredField = "missing-required-field", Error, "chant lint",
        "A field named in `enterprise.required` is absent (lint R1).", "`chant lint` fails. chant's check only knows built-in names: custom names, `public`, `retry_state` and `derived_fields` always fail, even when present.", "Add the field; for custom names, remove them from `enterprise.required`.";
    TypeMissingField = "type-missing-field", Warning, "chant lint",
        "A documentation spec without `tracks`/`target_files`, or a research spec without `informed_by`/`origin`/`target_files` (lint Y1–Y4).", "chant lint warns; drift checks and prompts need these.", "Add the field.";
    EmptyMembers = "empty-members", Warning, "chant lint",
        "A driver or group with `members: []` (lint Y5).", "chant lint warns.", "List the members or remove the key.";
    TooManyCriteria = "too-many-criteria", Warning, "chant lint",
        "More acceptance criteria than `lint.thresholds.complexity_criteria` (lint C1).", "Large specs are hard for an agent to finish.", "Split the spec (`chant split`).";
    TooManyFiles = "too-many-files", Warning, "chant lint",
        "More `target_files` than `lint.thresholds.complexity_files` (lint C2).", "Large specs are hard for an agent to finish.", "Split the spec.";
    TooManyWords = "too-many-words", Warning, "chant lint",
        "More body words than `lint.thresholds.complexity_words` (lint C3, off unless `lint.disable` omits `complexity_words`).", "Large specs are hard for an agent to finish.", "Shorten or split the spec.";
    SpecCoupling = "spec-coupling", Warning, "chant lint",
        "The body mentions another spec's ID (lint K1; `[[id]]` counts too).", "chant wants dependencies in `depends_on`, not prose.", "Move the reference to `depends_on` or put it in a code block.";
    ModelWaste = "model-waste", Warning, "chant lint",
        "`model` names opus or sonnet on a simple spec (lint M1).", "chant suggests haiku for simple work.", "Use haiku or remove `model`.";
    ApprovalIncomplete = "approval-incomplete", Error, "chant lint",
        "An approved or rejected spec lacks `approval.by` or `approval.at` (lint A1, A2).", "chant lint fails.", "Fill in who and when (or use `chant approve`).";
    ApprovalInconsistent = "approval-inconsistent", Error, "chant lint",
        "`approval.by` is set while the status is still pending (lint A3).", "chant lint fails.", "Set the status or remove `by`.";
    OutputSchemaMissing = "output-schema-missing", Error, "chant lint",
        "A completed spec's `output_schema` file does not exist (lint O1).", "chant lint fails.", "Restore the schema or fix the path.";
    OutputSchemaInvalid = "output-schema-invalid", Error, "chant lint",
        "The `output_schema` file is not valid JSON or not a valid JSON Schema (lint O3).", "chant cannot validate the agent output.", "Fix the schema.";
    OutputInvalid = "output-invalid", Error, "chant lint",
        "The agent output in `.chant/logs/<ID>.log` does not match the spec's JSON schema (lint O2).", "chant lint fails for the completed spec.", "Re-run the spec or fix the schema.";
    TitleInCodeBlock = "title-in-code-block", Warning, "chant reads it differently",
        "chant takes a `# ` line inside a code block as the title.", "chant's title rule does not skip code fences; the wrong title shows in lists and prompts.", "Put the real `# Title` before the code block.";
    TildeFence = "tilde-fence", Warning, "chant reads it differently",
        "A `~~~` code block contains lines chant interprets (checkboxes, headings, IDs, ``` lines).", "chant only knows ``` fences; to it this block is ordinary text.", "Use a ``` fence.";
    AcHeadingIgnored = "ac-heading-ignored", Warning, "chant reads it differently",
        "A heading that looks like acceptance criteria but is not `## Acceptance Criteria` exactly (level and case).", "chant does not count its checkboxes: completion does not wait for them and verify finds no criteria.", "Write `## Acceptance Criteria`.";
    CheckboxIgnored = "checkbox-ignored", Warning, "chant reads it differently",
        "A checkbox item chant does not count (`* [ ]`, `+ [ ]`, `1. [ ]`, `-[ ]`).", "Only `- [ ]` counts: the spec can complete with this item open.", "Write it as `- [ ] …`.";
    MultipleAcSections = "multiple-ac-sections", Warning, "chant reads it differently",
        "More than one `## Acceptance Criteria` section.", "Completion counts only the last one; lint and verify read the first.", "Merge them into one section.";
    StatusReady = "status-ready", Warning, "chant reads it differently",
        "`status: ready` is written on disk.", "`ready` is computed by chant; no transition leaves it, so the spec can never be worked.", "Write `status: pending`.";
    MissingPrompt = "missing-prompt", Error, "chant reads it differently",
        "The prompt (the spec's `prompt:` or `defaults.prompt`) has no file in `.chant/prompts/`.", "`chant work` fails after it has marked the spec in_progress, leaving a stray worktree.", "Pick an existing prompt or create the file.";
    NeedsRefinement = "needs-refinement", Information, "chant reads it differently",
        "chant's quality grade for the spec is Refine.", "`chant work` without a terminal (editors, CI) refuses it unless `--skip-criteria` is given.", "Add acceptance criteria written as imperative bullets.";
    ConfigUnreadable = "config-unreadable", Error, "configuration",
        "`.chant/config.md` (or the global config) cannot be read.", "`chant work` fails; `chant lint` silently falls back to default thresholds.", "Fix the YAML at the marked position.";
    ConfigUnknownKey = "config-unknown-key", Warning, "configuration",
        "A config key chant does not implement (`schema`, `lifecycle`, `templates`, …).", "chant ignores it silently.", "Remove it.";
    UnknownCommit = "unknown-commit", Warning, "git",
        "A `commits:` hash that no branch, remote branch or HEAD of the repository reaches (or that starts several commits).", "The record of what the agent did points nowhere: the work was rebased, squashed or never pushed.", "Correct the hash, or remove it.";
    UnmergedBranch = "unmerged-branch", Hint, "git",
        "A completed spec whose branch is not merged into the main branch.", "A single `chant work` never merges: the changes stay on the branch until `chant merge`; `chant archive` refuses the spec.", "Run `chant merge <ID>` (the Merge action; it checks out the main branch in your working tree).";
    StoppedRun = "stopped-run", Warning, "git",
        "An in-progress spec with no live run and no branch or no worktree.", "The run crashed or was stopped; chant will not start an in-progress spec again, and `chant reset` cannot reset it.", "`chant finalize <ID>` if the work is done, otherwise set the status back to `pending`.";
    StrayBranch = "stray-branch", Information, "git",
        "A `<branch_prefix><ID>` branch (and its worktree) for an ID that is neither an active nor an archived spec.", "Left behind by a deleted spec; chant never cleans it up.", "Delete the branch (`git branch -D`) and its worktree (`git worktree remove`).";
    Drift = "drift", Information, "git",
        "A file a completed spec tracks (`tracks`, `origin`, `informed_by`) changed in commits after `completed_at` that are not the spec's own, or has uncommitted changes.", "What the spec documents or was based on is out of date. `chant drift` compares file times instead (every clone looks drifted) and then fails with `Invalid transition`.", "Re-run the spec, or review the change (Show changes).";
    LinesChanged = "lines-changed", Information, "git",
        "A completed spec cites `path:line` lines whose text changed since it completed.", "The reference now points at other code; what the spec says about it may be out of date.", "Update the numbers (quick fix, when the same text stands elsewhere) or re-check the spec.";
    GitSkipped = "git-skipped", Information, "git",
        "git-based findings were skipped: not a repository, no commit yet, a shallow clone, history past the walk's bound, or a missing main branch.", "Findings that need the history are not reported rather than reported wrongly.", "Fetch the whole history (`fetch-depth: 0` in CI), or pass `--no-git`.";
}

impl Code {
    pub fn info(self) -> &'static CodeInfo {
        &CODES[self as usize]
    }

    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    pub fn from_name(name: &str) -> Option<Code> {
        CODES.iter().find(|c| c.name == name).map(|c| c.code)
    }
}

/// The README table of codes.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| code | severity | what | why it matters | how to fix |\n|---|---|---|---|---|\n");
    let mut group = "";
    for c in CODES {
        if c.group != group {
            group = c.group;
            out.push_str(&format!("| **{group}** | | | | |\n"));
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.name,
            c.severity.as_str(),
            c.what.replace('|', "\\|"),
            c.why.replace('|', "\\|"),
            c.fix.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, c) in CODES.iter().enumerate() {
            assert_eq!(c.code as usize, i);
            assert_eq!(Code::from_name(c.name), Some(c.code));
            assert!(c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()));
        }
    }

    #[test]
    fn the_limits_in_the_table_are_the_limits() {
        use crate::analysis::facts::caps;
        let too_large = Code::TooLarge.info().what;
        for cap in [caps::SPEC, caps::SCHEMA, caps::LOG] {
            assert!(too_large.contains(&caps::shown(cap)), "{too_large}");
        }
        let walk = Code::WalkLimit.info().what;
        assert!(walk.contains(&format!("{},{:03}", caps::WALK_ENTRIES / 1000, caps::WALK_ENTRIES % 1000)));
        assert!(walk.contains(&format!("{} folders", caps::WALK_DEPTH)));
        assert!(Code::Unreadable.info().what.contains(&format!("{} levels", caps::WALK_DEPTH)));
    }
}

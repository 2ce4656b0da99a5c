//! What each frontmatter key and enum value means to chant v0.23.2: shown in hovers
//! and completion items.

/// `(key, shape, meaning)` for every key chant reads.
pub const KEYS: &[(&str, &str, &str)] = &[
    ("type", "`code` | `task` | `driver` | `documentation` | `research` | `group`", "What kind of work this is. Drives type-specific lint rules and prompt selection; `driver` and `group` run their members instead of an agent. Any other value makes the spec unreadable to chant."),
    ("status", "`pending` | `in_progress` | `paused` | `completed` | `failed` | `needs_attention` | `ready` | `blocked` | `cancelled`", "Lifecycle state. chant computes `ready` and `blocked` itself; writing `ready` makes the spec unworkable."),
    ("depends_on", "list of full spec IDs (a single ID is accepted)", "Specs that must be completed before this one can run. Entries must be exact IDs of active specs; archived or partial IDs block forever."),
    ("labels", "list of strings", "Free-form tags for `--label` filters in list, work, verify and export."),
    ("target_files", "list of project-relative paths (no globs)", "Files the agent is expected to create or change. Counted by complexity lint and injected into the prompt."),
    ("context", "list of project-relative paths (no globs)", "Files inlined into the prompt when it uses `{{spec.context}}`. Unreadable entries are dropped silently. `derived_<name>=<value>` entries come from enterprise derivation."),
    ("prompt", "name of a file in `.chant/prompts/`", "The prompt `chant work` uses for this spec (else `defaults.prompt`). A missing file breaks `chant work` halfway."),
    ("branch", "git branch name", "Written by `chant work`: the branch the agent works on (`chant/<ID>` by default)."),
    ("commits", "list of commit hashes", "Written when the spec is finalized: the commits of the agent's work."),
    ("completed_at", "UTC timestamp `YYYY-MM-DDTHH:MM:SSZ`", "Written at finalize; `chant drift` compares file times with it."),
    ("model", "string", "Records which model did the work (normalised to opus / sonnet / haiku). It does not choose the model."),
    ("tracks", "list of paths or globs", "Documentation specs: the code the documentation follows, for `chant drift`."),
    ("informed_by", "list of paths or globs", "Research specs: the inputs of the research, for `chant drift` (lint wants it or `origin`)."),
    ("origin", "list of paths or globs", "Research specs: where the question came from, for `chant drift`."),
    ("schedule", "string", "Research specs: informational schedule (no scheduler exists)."),
    ("source_branch", "branch name", "Conflict specs written by parallel runs: informational."),
    ("target_branch", "branch name", "Conflict specs written by parallel runs: informational."),
    ("conflicting_files", "list of paths", "Conflict specs: informational."),
    ("blocked_specs", "list of spec IDs", "Conflict specs: informational."),
    ("original_spec", "spec ID", "Conflict specs: informational."),
    ("last_verified", "RFC 3339 timestamp", "Written by `chant verify`."),
    ("verification_status", "`passed` | `failed` | `partial`", "Written by `chant verify`."),
    ("verification_failures", "list of strings", "Written by `chant verify`: criteria that failed, with notes."),
    ("replayed_at", "timestamp", "Parsed by chant; no command writes it."),
    ("replay_count", "non-negative integer", "Parsed by chant; no command writes it."),
    ("original_completed_at", "timestamp", "Parsed by chant; no command writes it."),
    ("derived_fields", "list of field names", "Written by enterprise derivation: which values it produced."),
    ("approval", "`required: bool`, `status: pending|approved|rejected`, `by`, `at`", "Approval gate: a pending spec that requires approval is blocked until approved (`chant approve`)."),
    ("members", "list of member spec IDs", "Drivers and groups: informational list of members (membership really comes from file names `<ID>.<N>.md`)."),
    ("output_schema", "path to a JSON Schema file", "Adds an Output Format section to the prompt; the agent's output is validated against it."),
    ("public", "`true` | `false`", "`false` hides the spec from `chant site`."),
    ("retry_state", "`attempts`, `last_retry_time`, `next_retry_time`", "Written by `chant watch`'s retry logic."),
];

/// What an enum value means, for `type`, `status`, `verification_status` and
/// `approval.status`.
pub fn value_doc(key: &str, value: &str) -> Option<&'static str> {
    Some(match (key, value) {
        ("type", "code") => "Code change run by an agent in a worktree (the default).",
        ("type", "task") => "Non-code task run by an agent.",
        ("type", "driver") | ("type", "group") => "Runs its members (`<ID>.<N>.md`) in order instead of an agent of its own; completes when they all do.",
        ("type", "documentation") => "Documentation work; lint wants `tracks` and `target_files`, and the `documentation` prompt is used when present.",
        ("type", "research") => "Research work; lint wants `informed_by` or `origin`, and `target_files` for the findings.",
        ("status", "pending") => "Waiting to be worked; ready once its dependencies are completed.",
        ("status", "in_progress") => "An agent is working on it (chant reads the live copy from its branch).",
        ("status", "paused") => "Stopped by `chant pause`; can be resumed.",
        ("status", "completed") => "Finalized: the work is done and recorded.",
        ("status", "failed") => "The last run failed; chant lists it as ready again (`chant reset` to start over).",
        ("status", "needs_attention") => "Needs a person to look at it.",
        ("status", "ready") => "Computed by chant; stored on disk it makes the spec unworkable (no transition leaves it).",
        ("status", "blocked") => "Computed by chant from unmet dependencies; commands may store it. chant recomputes it on every load.",
        ("status", "cancelled") => "Dropped. The ready list counts it as satisfied for dependents, the `chant work` gate does not.",
        ("verification_status", "passed") => "The last `chant verify` passed.",
        ("verification_status", "failed") => "The last `chant verify` found failing criteria.",
        ("verification_status", "partial") => "The last `chant verify` passed some criteria.",
        ("approval.status", "pending") => "Not yet decided; blocks the spec when approval is required.",
        ("approval.status", "approved") => "Approved: `by` and `at` must be set.",
        ("approval.status", "rejected") => "Rejected: `by` and `at` must be set; `approval.rejection_action` decides what chant does next.",
        _ => return None,
    })
}

/// The values an enum key takes.
pub fn values(key: &str) -> &'static [&'static str] {
    match key {
        "type" => &crate::analysis::frontmatter::SpecType::ALL,
        "status" => &crate::analysis::frontmatter::Status::ALL,
        "verification_status" => &["passed", "failed", "partial"],
        "approval.status" => &["pending", "approved", "rejected"],
        "public" | "approval.required" => &["true", "false"],
        _ => &[],
    }
}

pub fn key_doc(key: &str) -> Option<(&'static str, &'static str)> {
    KEYS.iter().find(|(k, _, _)| *k == key).map(|(_, shape, doc)| (*shape, *doc))
}

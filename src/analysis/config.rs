//! chant's configuration, read and merged as chant does: the global
//! `~/.config/chant/config.md` under the project's `.chant/config.md`. `project` and
//! `defaults` merge key by key; every other section is replaced whole by the project
//! file. Only what chant-lsp needs is kept, but each file is parsed against the same
//! shapes chant requires, so "chant cannot read the config" is detected.
//!
//! Pure: the caller passes the file texts.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;

use super::diagnostic::{Code, Diagnostic};
use super::layout::{self, Layout};
use super::split;
use super::yaml_guard::{self, Unread, ALIAS_BUDGET, MAX_DEPTH};

/// `lint.thresholds` with chant's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Thresholds {
    #[serde(default = "d_complexity_criteria")]
    pub complexity_criteria: usize,
    #[serde(default = "d_complexity_files")]
    pub complexity_files: usize,
    #[serde(default = "d_complexity_words")]
    pub complexity_words: usize,
    #[serde(default = "d_simple_criteria")]
    pub simple_criteria: usize,
    #[serde(default = "d_simple_files")]
    pub simple_files: usize,
    #[serde(default = "d_simple_words")]
    pub simple_words: usize,
}

fn d_complexity_criteria() -> usize {
    10
}
fn d_complexity_files() -> usize {
    5
}
fn d_complexity_words() -> usize {
    150
}
fn d_simple_criteria() -> usize {
    1
}
fn d_simple_files() -> usize {
    1
}
fn d_simple_words() -> usize {
    3
}
fn d_disable() -> Vec<String> {
    vec!["complexity_words".to_string()]
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            complexity_criteria: d_complexity_criteria(),
            complexity_files: d_complexity_files(),
            complexity_words: d_complexity_words(),
            simple_criteria: d_simple_criteria(),
            simple_files: d_simple_files(),
            simple_words: d_simple_words(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct LintSection {
    #[serde(default)]
    thresholds: Thresholds,
    #[serde(default = "d_disable")]
    disable: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct EnterpriseSection {
    #[serde(default)]
    #[allow(dead_code, reason = "parsed so that a malformed section is rejected as chant rejects it")]
    derived: BTreeMap<String, serde_yaml::Value>,
    #[serde(default)]
    required: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Provider {
    Claude,
    Ollama,
    Openai,
    Kirocli,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ProjectSection {
    name: Option<String>,
    #[allow(dead_code, reason = "chant parses it (and ignores it); a wrong type still breaks the config")]
    prefix: Option<String>,
    #[allow(dead_code, reason = "parsed for chant's acceptance only")]
    silent: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[allow(dead_code, reason = "fields parsed for chant's acceptance; read as chant-lsp grows")]
struct DefaultsSection {
    prompt: Option<String>,
    branch_prefix: Option<String>,
    model: Option<String>,
    split_model: Option<String>,
    main_branch: Option<String>,
    provider: Option<Provider>,
    rotation_strategy: Option<String>,
    prompt_extensions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code, reason = "parsed for chant's acceptance only")]
struct RepoEntry {
    name: String,
    path: String,
}

/// One config file as chant's `PartialConfig` reads it.
#[derive(Debug, Clone, Default, Deserialize)]
#[allow(dead_code, reason = "sections parsed for chant's acceptance; not all are used yet")]
struct ConfigFile {
    project: Option<ProjectSection>,
    defaults: Option<DefaultsSection>,
    parallel: Option<serde_yaml::Value>,
    repos: Option<Vec<RepoEntry>>,
    enterprise: Option<EnterpriseSection>,
    approval: Option<serde_yaml::Value>,
    validation: Option<serde_yaml::Value>,
    site: Option<serde_yaml::Value>,
    lint: Option<LintSection>,
    watch: Option<serde_yaml::Value>,
}

/// Where a setting came from, for diagnostics that point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `.chant/config.md` or the global config's path as given by the caller.
    pub path: String,
    pub range: Range<usize>,
}

/// The merged configuration chant-lsp uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub project_name: String,
    /// `defaults.prompt` (chant's default is `bootstrap`).
    pub default_prompt: String,
    pub default_prompt_origin: Option<Origin>,
    pub branch_prefix: String,
    pub main_branch: String,
    pub thresholds: Thresholds,
    pub lint_disable: Vec<String>,
    pub required: Vec<String>,
    pub required_origin: Option<Origin>,
    /// False when chant cannot read the merged config: `chant work` fails and lint
    /// falls back to the defaults, which the fields above then hold.
    pub readable: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            project_name: String::new(),
            default_prompt: "bootstrap".to_string(),
            default_prompt_origin: None,
            branch_prefix: "chant/".to_string(),
            main_branch: "main".to_string(),
            thresholds: Thresholds::default(),
            lint_disable: d_disable(),
            required: Vec::new(),
            required_origin: None,
            readable: true,
        }
    }
}

impl Config {
    /// Whether lint rule C3 (word count) runs: only when `complexity_words` is not in
    /// `lint.disable` (it is by default).
    pub fn word_limit_enabled(&self) -> bool {
        !self.lint_disable.iter().any(|d| d == "complexity_words")
    }
}

/// Diagnostics found in one config file.
#[derive(Debug, Clone, Default)]
pub struct ConfigReport {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A config file's text and the path it should be reported under.
pub struct ConfigText<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// The sections chant's config type reads (the fields of [`ConfigFile`]).
const SECTIONS: [&str; 10] = [
    "project",
    "defaults",
    "parallel",
    "repos",
    "enterprise",
    "approval",
    "validation",
    "site",
    "lint",
    "watch",
];

/// Keys documented somewhere but not implemented by chant.
const IGNORED_TOP_KEYS: [&str; 5] = ["schema", "lifecycle", "templates", "scale", "silent"];

struct Loaded {
    file: Option<ConfigFile>,
    layout: Layout,
    report: ConfigReport,
}

fn load_one(c: &ConfigText) -> Loaded {
    let mut report = ConfigReport { path: c.path.to_string(), diagnostics: Vec::new() };
    let s = split::split(c.text);
    let Some(yaml) = s.yaml.clone() else {
        let end = c.text.len().min(c.text.find('\n').unwrap_or(c.text.len()));
        report.diagnostics.push(Diagnostic::new(
            Code::ConfigUnreadable,
            0..end,
            "chant cannot read this config: it has no `---` frontmatter block (chant needs the settings between two `---` lines); `chant work` fails and `chant lint` uses default thresholds",
        ));
        return Loaded { file: None, layout: Layout::default(), report };
    };
    let layout = layout::scan(c.text, yaml.clone());
    for e in &layout.entries {
        if IGNORED_TOP_KEYS.contains(&e.key.as_str()) {
            report.diagnostics.push(Diagnostic::new(
                Code::ConfigUnknownKey,
                e.key_range.clone(),
                format!("chant does not implement `{}:` in config and ignores it", e.key),
            ));
        }
    }
    // What serde_yaml must not read (see `yaml_guard`): a section nested too deep
    // makes the config unreadable, anything else too deep or alias-laden is left out.
    let guard = yaml_guard::check(c.text, yaml.clone(), &layout, &SECTIONS);
    let mut unreadable = guard.stray.map(|u| (u, "the frontmatter".to_string()));
    for &(i, u) in &guard.entries {
        let e = &layout.entries[i];
        match u {
            Unread::TooDeep { .. } if SECTIONS.contains(&e.key.as_str()) => {
                unreadable.get_or_insert((u, format!("`{}`", e.key)));
            }
            Unread::TooDeep { .. } => report.diagnostics.push(Diagnostic::new(
                Code::UnreadValue,
                e.key_range.clone(),
                format!("chant-lsp did not read the value of `{}`: it nests deeper than {MAX_DEPTH} levels; chant ignores it but still parses it, slowly, and a YAML mistake inside it would make this config unreadable", e.key),
            )),
            Unread::Aliases { count, .. } => report.diagnostics.push(Diagnostic::new(
                Code::UnreadValue,
                e.key_range.clone(),
                format!("chant-lsp did not read `{}`: its {count} aliases (`*name`) could expand past {} MB, and chant expands every one of them", e.key, ALIAS_BUDGET >> 20),
            )),
        }
    }
    if let Some((u, what)) = unreadable {
        let (Unread::TooDeep { at } | Unread::Aliases { at, .. }) = u;
        let why = match u {
            Unread::TooDeep { .. } => {
                format!("{what} nests deeper than {MAX_DEPTH} levels, which no setting of chant's does")
            }
            Unread::Aliases { count, .. } => {
                format!("{count} aliases outside any section could expand past {} MB", ALIAS_BUDGET >> 20)
            }
        };
        report.diagnostics.push(Diagnostic::new(
            Code::ConfigUnreadable,
            at..at + c.text[at..].chars().next().map_or(0, char::len_utf8),
            format!("chant cannot read this config: {why} (chant-lsp did not parse it further); `chant work` fails and `chant lint` silently uses default thresholds"),
        ));
        return Loaded { file: None, layout, report };
    }
    let compact = (!guard.is_clean()).then(|| guard.without_entries(c.text, yaml.clone(), &layout));
    let src = compact.as_ref().map_or(&c.text[yaml.clone()], |cp| cp.text.as_str());
    let file = match serde_yaml::from_str::<ConfigFile>(src) {
        Ok(f) => Some(f),
        Err(e) => {
            let err = match &compact {
                Some(cp) => super::yaml_errors::locate_mapped(&e, &|i| cp.original(i), c.text, &layout),
                None => super::yaml_errors::locate(&e, yaml.start, c.text, &layout),
            };
            report.diagnostics.push(Diagnostic::new(
                Code::ConfigUnreadable,
                err.range,
                format!(
                    "chant cannot read this config ({}): `chant work` fails and `chant lint` silently uses default thresholds",
                    err.detail
                ),
            ));
            None
        }
    };
    Loaded { file, layout, report }
}

fn origin(path: &str, layout: &Layout, section: &str, key: &str) -> Option<Origin> {
    let e = layout.get(section)?;
    let layout::Value::Map { entries, .. } = &e.value else {
        return Some(Origin { path: path.to_string(), range: e.key_range.clone() });
    };
    let k = entries.iter().find(|x| x.key == key)?;
    let r = k.value.range();
    Some(Origin { path: path.to_string(), range: if r.is_empty() { k.key_range.clone() } else { r } })
}

/// Reads and merges the configs. `global` is `~/.config/chant/config.md` when it
/// exists; `project` is `.chant/config.md` (`None` when missing: chant then fails).
pub fn load(global: Option<ConfigText>, project: Option<ConfigText>) -> (Config, Vec<ConfigReport>) {
    let mut reports = Vec::new();
    let mut config = Config::default();
    let g = global.as_ref().map(load_one);
    let p = project.as_ref().map(load_one);
    let readable =
        g.as_ref().is_none_or(|g| g.file.is_some()) && p.as_ref().is_some_and(|p| p.file.is_some());
    config.readable = readable;
    if readable {
        let gf = g.as_ref().and_then(|g| g.file.clone()).unwrap_or_default();
        let pf = p.as_ref().and_then(|p| p.file.clone()).unwrap_or_default();
        let (gp, pp) = (gf.project.unwrap_or_default(), pf.project.unwrap_or_default());
        let (gd, pd) = (gf.defaults.unwrap_or_default(), pf.defaults.unwrap_or_default());
        // `project.name` comes from the project file only.
        config.project_name = pp.name.unwrap_or_default();
        let _ = gp;
        if let Some(prompt) = pd.prompt.clone().or(gd.prompt.clone()) {
            config.default_prompt = prompt;
        }
        config.default_prompt_origin = match (&pd.prompt, &gd.prompt) {
            (Some(_), _) => p.as_ref().and_then(|l| origin(&l.report.path, &l.layout, "defaults", "prompt")),
            (None, Some(_)) => {
                g.as_ref().and_then(|l| origin(&l.report.path, &l.layout, "defaults", "prompt"))
            }
            _ => None,
        };
        if let Some(b) = pd.branch_prefix.or(gd.branch_prefix) {
            config.branch_prefix = b;
        }
        if let Some(m) = pd.main_branch.or(gd.main_branch) {
            config.main_branch = m;
        }
        let lint = pf.lint.clone().or(gf.lint.clone());
        if let Some(lint) = lint {
            config.thresholds = lint.thresholds;
            config.lint_disable = lint.disable;
        }
        let (enterprise, from) = match (pf.enterprise, gf.enterprise) {
            (Some(e), _) => (Some(e), p.as_ref()),
            (None, Some(e)) => (Some(e), g.as_ref()),
            _ => (None, None),
        };
        if let Some(e) = enterprise {
            config.required = e.required;
            config.required_origin =
                from.and_then(|l| origin(&l.report.path, &l.layout, "enterprise", "required"));
        }
    }
    reports.extend(g.map(|l| l.report));
    reports.extend(p.map(|l| l.report));
    (config, reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(global: Option<&str>, project: &str) -> (Config, Vec<String>) {
        let (c, reports) = load(
            global.map(|t| ConfigText { path: "~/.config/chant/config.md", text: t }),
            Some(ConfigText { path: ".chant/config.md", text: project }),
        );
        let diags = reports
            .iter()
            .flat_map(|r| {
                r.diagnostics.iter().map(move |d| format!("{} {} {}", r.path, d.code.as_str(), d.message))
            })
            .collect();
        (c, diags)
    }

    #[test]
    fn merges_like_chant() {
        let global = "---\nproject:\n  name: global\ndefaults:\n  prompt: standard\n  model: haiku\nlint:\n  thresholds:\n    complexity_files: 2\nenterprise:\n  required: [team]\n---\n";
        let project = "---\nproject:\n  name: demo\ndefaults:\n  main_branch: trunk\nlint:\n  disable: []\n---\n# Config\n";
        let (c, diags) = cfg(Some(global), project);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.project_name, "demo");
        assert_eq!(c.default_prompt, "standard");
        assert_eq!(c.main_branch, "trunk");
        // `lint` is replaced whole by the project file: the global threshold is gone.
        assert_eq!(c.thresholds, Thresholds::default());
        assert!(c.word_limit_enabled());
        assert_eq!(c.required, vec!["team".to_string()]);
        assert_eq!(c.required_origin.map(|o| o.path), Some("~/.config/chant/config.md".to_string()));
    }

    #[test]
    fn unreadable_configs_fall_back_to_defaults() {
        let (c, diags) =
            cfg(None, "---\nlint:\n  thresholds:\n    complexity_files: many\nschema: {}\n---\n");
        assert!(!c.readable);
        assert_eq!(c.thresholds, Thresholds::default());
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(diags[0].contains("config-unknown-key"));
        assert!(diags[1].contains("config-unreadable"), "{diags:?}");
        let (c, diags) = cfg(None, "# no frontmatter\n");
        assert!(!c.readable);
        assert!(diags[0].contains("no `---` frontmatter"));
    }
}

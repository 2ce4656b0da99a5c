//! Which diagnostic codes are reported: `select` (only these) and `ignore` (never these).
//! They come in layers: the command line (`check --select`, `--ignore`) or the editor's
//! settings, then `chant-lsp.toml` at the project root ([`parse_project_file`]), then the
//! default (every code). Each of the two lists is taken from the first layer that sets
//! it ([`Selection::over`]); `ignore` wins over `select`.
//!
//! Unknown codes are never dropped silently: [`codes`] names each one (with the code
//! probably meant), and the callers refuse (`check`) or warn (the server).

use super::diagnostic::{Code, CODES};
use super::id;

/// The project's own settings file, next to `.chant/` (so chant never reads it).
pub const PROJECT_FILE: &str = "chant-lsp.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Report only these codes (`None`: every code).
    pub select: Option<Vec<Code>>,
    /// Never report these codes.
    pub ignore: Option<Vec<Code>>,
}

impl Selection {
    /// This layer where it sets a list, `under` where it does not.
    pub fn over(&self, under: &Selection) -> Selection {
        Selection {
            select: self.select.clone().or_else(|| under.select.clone()),
            ignore: self.ignore.clone().or_else(|| under.ignore.clone()),
        }
    }

    pub fn allows(&self, code: Code) -> bool {
        self.select.as_ref().is_none_or(|s| s.contains(&code))
            && !self.ignore.as_ref().is_some_and(|i| i.contains(&code))
    }

    /// Whether every code is reported.
    pub fn is_everything(&self) -> bool {
        self.select.is_none() && self.ignore.as_ref().is_none_or(Vec::is_empty)
    }
}

/// The codes named in `names`, and a problem for each name that is no code.
pub fn codes<'a>(names: impl IntoIterator<Item = &'a str>) -> (Vec<Code>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for name in names {
        match Code::from_name(name) {
            Some(c) if !found.contains(&c) => found.push(c),
            Some(_) => {}
            None => problems.push(unknown(name)),
        }
    }
    (found, problems)
}

fn unknown(name: &str) -> String {
    let max = (name.chars().count() / 3).clamp(1, 3);
    let near = CODES
        .iter()
        .filter_map(|c| Some((id::edit_distance(c.name, name, max)?, c.name)))
        .min()
        .map(|(_, n)| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default();
    format!("unknown diagnostic code `{}`{near}", super::text::ellipsis(name, 60))
}

/// Reads `chant-lsp.toml`:
///
/// ```toml
/// select = ["dependency-cycle", "unknown-dependency"]
/// ignore = ["model-waste"]
/// ```
///
/// Returns what could be used and a problem for everything else: a TOML error (then
/// nothing is used), an unknown key, a value that is not a list of strings, an unknown
/// code (that code is left out).
pub fn parse_project_file(text: &str) -> (Selection, Vec<String>) {
    let mut selection = Selection::default();
    let mut problems = Vec::new();
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let msg = e.to_string();
            problems.push(format!("{PROJECT_FILE}: {}", msg.trim_end()));
            return (selection, problems);
        }
    };
    for (key, value) in &table {
        let target = match key.as_str() {
            "select" => &mut selection.select,
            "ignore" => &mut selection.ignore,
            other => {
                problems.push(format!(
                    "{PROJECT_FILE}: unknown key `{}` (the keys are `select` and `ignore`)",
                    super::text::ellipsis(other, 60)
                ));
                continue;
            }
        };
        let names: Option<Vec<&str>> =
            value.as_array().and_then(|a| a.iter().map(toml::Value::as_str).collect());
        let Some(names) = names else {
            problems.push(format!(
                "{PROJECT_FILE}: `{key}` must be a list of diagnostic codes, like `{key} = [\"model-waste\"]`"
            ));
            continue;
        };
        let (found, unknown) = codes(names);
        problems.extend(unknown.into_iter().map(|p| format!("{PROJECT_FILE}: `{key}`: {p}")));
        *target = Some(found);
    }
    (selection, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_and_allows() {
        let file =
            Selection { select: Some(vec![Code::Bom, Code::ModelWaste]), ignore: Some(vec![Code::Bom]) };
        assert!(file.allows(Code::ModelWaste));
        assert!(!file.allows(Code::Bom), "ignore wins over select");
        assert!(!file.allows(Code::DependencyCycle), "not selected");
        let cli = Selection { select: None, ignore: Some(vec![Code::ModelWaste]) };
        let both = cli.over(&file);
        assert_eq!(both.select, file.select, "select comes from the file");
        assert_eq!(both.ignore, Some(vec![Code::ModelWaste]), "ignore from the command line");
        assert!(both.allows(Code::Bom) && !both.allows(Code::ModelWaste));
        assert!(Selection::default().over(&Selection::default()).is_everything());
    }

    #[test]
    fn project_file() {
        let (s, p) = parse_project_file("select = [\"bom\", \"model-waste\"]\nignore = []\n");
        assert_eq!((s.select, s.ignore, p.len()), (Some(vec![Code::Bom, Code::ModelWaste]), Some(vec![]), 0));
        let (s, p) = parse_project_file("ignore = [\"modelwaste\", \"bom\"]\ncolour = 1\nselect = \"bom\"\n");
        assert_eq!(s.ignore, Some(vec![Code::Bom]));
        assert_eq!(s.select, None);
        assert_eq!(
            p,
            [
                "chant-lsp.toml: unknown key `colour` (the keys are `select` and `ignore`)",
                "chant-lsp.toml: `ignore`: unknown diagnostic code `modelwaste` (did you mean `model-waste`?)",
                "chant-lsp.toml: `select` must be a list of diagnostic codes, like `select = [\"model-waste\"]`",
            ]
        );
        let (s, p) = parse_project_file("select = [\n");
        assert_eq!(s, Selection::default());
        assert!(p.len() == 1 && p[0].starts_with("chant-lsp.toml: ") && p[0].contains("line 1"), "{p:?}");
    }
}

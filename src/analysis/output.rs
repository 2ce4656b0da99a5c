//! Lint rules O2/O3: a completed spec's agent output (from `.chant/logs/<ID>.log`)
//! checked against its `output_schema`, as chant does it: JSON is taken from the
//! first fenced `json` block that parses, else any fenced block, else the whole text,
//! else the first balanced `{…}`, else `[…]`; the schema's draft comes from `$schema`.

use serde_json::Value;

/// Why the output check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputProblem {
    /// The schema is not JSON or not a valid schema (O3).
    BadSchema(String),
    /// The output does not validate (O2): one message per error.
    Invalid(Vec<String>),
    NoJson,
}

/// Checks `log` against `schema_text`. `None` means the output is valid.
pub fn check(schema_text: &str, log: &str) -> Option<OutputProblem> {
    let schema: Value = match serde_json::from_str(schema_text) {
        Ok(v) => v,
        Err(e) => return Some(OutputProblem::BadSchema(format!("the schema is not valid JSON: {e}"))),
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return Some(OutputProblem::BadSchema(format!("the schema does not compile: {e}"))),
    };
    let Some(json) = extract_json(log) else {
        return Some(OutputProblem::NoJson);
    };
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| {
            let path = e.instance_path.to_string();
            if path.is_empty() {
                e.to_string()
            } else {
                format!("at '{path}': {e}")
            }
        })
        .collect();
    (!errors.is_empty()).then_some(OutputProblem::Invalid(errors))
}

/// The JSON chant finds in agent output, in chant's order of strategies.
pub fn extract_json(output: &str) -> Option<Value> {
    fenced(output, Some("json"))
        .or_else(|| fenced(output, None))
        .or_else(|| serde_json::from_str(output.trim()).ok())
        .or_else(|| balanced(output, '{', '}'))
        .or_else(|| balanced(output, '[', ']'))
}

/// The first fenced block (with the given language, or an unlabelled one, or any
/// when `lang` is `None`) whose content parses as JSON; an unclosed last block counts.
fn fenced(output: &str, lang: Option<&str>) -> Option<Value> {
    let wanted = |info: &str| match lang {
        None => true,
        Some(l) => info.is_empty() || info.eq_ignore_ascii_case(l),
    };
    let mut open: Option<String> = None;
    let mut content = String::new();
    for line in output.lines() {
        let lead = line.trim_start();
        if let Some(after) = lead.strip_prefix("```") {
            match open.take() {
                Some(info) => {
                    if wanted(&info) {
                        if let Ok(v) = serde_json::from_str(&content) {
                            return Some(v);
                        }
                    }
                    content.clear();
                }
                None => open = Some(after.trim().to_string()),
            }
        } else if open.is_some() {
            if !content.is_empty() {
                content.push('\n');
            }
            content.push_str(line);
        }
    }
    match open {
        Some(info) if !content.is_empty() && wanted(&info) => serde_json::from_str(&content).ok(),
        _ => None,
    }
}

fn balanced(text: &str, open: char, close: char) -> Option<Value> {
    let mut depth = 0i64;
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c == open {
            if depth == 0 {
                start = Some(i);
            }
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                if let Some(s) = start {
                    if let Ok(v) = serde_json::from_str(&text[s..=i]) {
                        return Some(v);
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["findings"],"properties":{"findings":{"type":"array"}}}"#;

    #[test]
    fn extraction_order() {
        let log = "text {\"a\": 1}\n```\n{\"b\": 2}\n```\n```json\n{\"c\": 3}\n```\n";
        // chant takes an unlabelled fence as a `json` one too, so the first fence wins.
        assert_eq!(extract_json(log), Some(serde_json::json!({"b": 2})));
        assert_eq!(extract_json("x {\"a\": [1]} y"), Some(serde_json::json!({"a": [1]})));
        assert_eq!(extract_json("no json"), None);
    }

    #[test]
    fn validation() {
        assert_eq!(check(SCHEMA, "```json\n{\"findings\": []}\n```"), None);
        let Some(OutputProblem::Invalid(errs)) = check(SCHEMA, "{\"findings\": 3}") else { panic!() };
        assert_eq!(errs, vec!["at '/findings': 3 is not of type \"array\"".to_string()]);
        assert_eq!(check(SCHEMA, "nothing"), Some(OutputProblem::NoJson));
        assert!(matches!(check("{", "{}"), Some(OutputProblem::BadSchema(_))));
        assert!(matches!(check(r#"{"type": 12}"#, "{}"), Some(OutputProblem::BadSchema(_))));
    }
}

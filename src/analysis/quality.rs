//! chant's quality score (`scoring.rs`, `score/*.rs`): complexity, confidence and
//! acceptance-criteria grades, combined into a traffic light. Single-spec
//! `chant work` refuses a Refine spec when no terminal is attached.

use super::body::BodyFacts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    Ready,
    Review,
    Refine,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Ready => "Ready",
            Light::Review => "Review",
            Light::Refine => "Refine",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quality {
    pub complexity: Grade,
    pub confidence: Grade,
    /// AC quality as `chant lint` grades it (first AC section).
    pub ac: Grade,
    /// The light `chant lint` shows.
    pub light: Light,
    /// AC quality as `chant work`'s gate grades it (checkboxes anywhere).
    pub work_ac: Grade,
    /// The light `chant work` acts on.
    pub work_light: Light,
    /// Splittability (informational, but `chant split` refuses D without a terminal).
    pub split: Grade,
}

fn complexity(criteria: usize, files: usize, words: usize) -> Grade {
    if criteria >= 8 || files >= 5 || words >= 600 {
        Grade::D
    } else if criteria >= 6 || files >= 4 || words >= 400 {
        Grade::C
    } else if criteria >= 4 || files >= 3 || words >= 200 {
        Grade::B
    } else {
        Grade::A
    }
}

fn confidence(b: &BodyFacts) -> Grade {
    let c = b.confidence;
    if c.blank {
        return Grade::D;
    }
    let counted = c.bullets + c.prose;
    let bullet_ratio = if counted == 0 { 0.0 } else { c.bullets as f64 / counted as f64 };
    let verb_ratio = if c.bullets == 0 { 0.0 } else { c.verb_bullets as f64 / c.bullets as f64 };
    if bullet_ratio < 0.10 || c.vague > 8 {
        Grade::D
    } else if bullet_ratio > 0.60 && verb_ratio > 0.80 && c.vague == 0 {
        Grade::A
    } else if bullet_ratio > 0.30 && verb_ratio > 0.50 && c.vague < 3 {
        Grade::B
    } else {
        Grade::C
    }
}

fn ac_grade(criteria: usize) -> Grade {
    match criteria {
        0 => Grade::D,
        1 => Grade::C,
        2 | 3 => Grade::B,
        _ => Grade::A,
    }
}

fn light(complexity: Grade, confidence: Grade, ac: Grade) -> Light {
    if complexity == Grade::D || confidence == Grade::D || ac == Grade::D {
        Light::Refine
    } else if complexity <= Grade::B && confidence <= Grade::B && ac <= Grade::B {
        Light::Ready
    } else {
        Light::Review
    }
}

/// chant's splittability grade: C for members and single-criterion specs; A with 3+
/// `##` lines and 3+ target files, B with 1–2 and exactly 2; either becomes D when a
/// coupling phrase occurs; C otherwise.
fn splittability(b: &BodyFacts, target_files: usize, member: bool) -> Grade {
    let structured = if member || b.checkboxes_total == 1 {
        None
    } else if b.subheadings >= 3 && target_files >= 3 {
        Some(Grade::A)
    } else if (1..=2).contains(&b.subheadings) && target_files == 2 {
        Some(Grade::B)
    } else {
        None
    };
    match structured {
        Some(_) if b.coupling_words => Grade::D,
        Some(g) => g,
        None => Grade::C,
    }
}

/// The grades of a spec's body. `member`: the ID has a numeric `.N` segment.
pub fn score(body: &BodyFacts, target_files: usize, member: bool) -> Quality {
    let complexity = complexity(body.checkboxes_total, target_files, body.words);
    let confidence = confidence(body);
    let ac = ac_grade(body.lint_criteria);
    let work_ac = ac_grade(body.work_criteria);
    Quality {
        complexity,
        confidence,
        ac,
        light: light(complexity, confidence, ac),
        work_ac,
        work_light: light(complexity, confidence, work_ac),
        split: splittability(body, target_files, member),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::body;

    fn q(text: &str) -> Quality {
        score(&body::scan(text, 0..text.len()), 1, false)
    }

    #[test]
    fn splittability_grades() {
        let g = |text: &str, files: usize, member: bool| {
            score(&body::scan(text, 0..text.len()), files, member).split
        };
        let three = "# T\n## A\n- [ ] a\n## B\n- [ ] b\n### C\n```\n## not counted\n```\n";
        assert_eq!(g(three, 3, false), Grade::A);
        assert_eq!(g(&format!("{three}They are Tightly Coupled.\n"), 3, false), Grade::D);
        assert_eq!(g(&format!("{three}They are tightly coupled.\n"), 3, true), Grade::C);
        assert_eq!(g("# T\n## A\n- [ ] a\n- [ ] b\ndepends on each other\n", 2, false), Grade::D);
        assert_eq!(g("# T\n## A\n- [ ] a\n- [ ] b\n", 2, false), Grade::B);
        let one = "# T\n## Acceptance Criteria\n- [ ] a\ntightly coupled\n";
        assert_eq!(g(one, 2, false), Grade::C, "one criterion (in the AC section) is atomic");
        // chant counts boxes of the last AC section only: with none, that is 0, not 1.
        assert_eq!(g("# T\n## A\n- [ ] a\ntightly coupled\n", 2, false), Grade::D);
        assert_eq!(g("# T\n- [ ] a\n- [ ] b\ntightly coupled\n", 2, false), Grade::C);
    }

    #[test]
    fn fresh_spec_is_refine() {
        let s = q("# Add a thing");
        assert_eq!((s.confidence, s.ac, s.light), (Grade::D, Grade::D, Light::Refine));
    }

    #[test]
    fn good_spec_is_ready() {
        let s = q("# T\n\nWhy.\n\n## Acceptance Criteria\n\n- [ ] Implement a\n- [ ] Add b\n- [ ] Test c\n- [ ] Document d\n");
        assert_eq!((s.complexity, s.confidence, s.ac, s.light), (Grade::B, Grade::A, Grade::A, Light::Ready));
    }

    #[test]
    fn lint_and_work_gate_can_disagree() {
        // Checkboxes outside the AC section count for `chant work` only.
        let s = q("# T\n\n- [ ] Implement a\n- [ ] Add b\n");
        assert_eq!((s.ac, s.light), (Grade::D, Light::Refine));
        assert_eq!((s.work_ac, s.work_light), (Grade::B, Light::Ready));
    }
}

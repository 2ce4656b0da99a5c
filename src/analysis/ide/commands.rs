//! The server's commands (`workspace/executeCommand`), as one table: the single source
//! for what the server advertises, what code actions and lenses call, what the command
//! handler accepts, and what the editor clients forward (`tests/commands.rs` reads the
//! clients and checks them against [`Command::ALL`]).

use super::actions::RunFlags;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Run,
    Stop,
    ShowLog,
    Verify,
    Reset,
    Split,
    Explain,
    RemoveBom,
    CreateFile,
    Merge,
    ShowChanges,
    OpenSpec,
    SpecOfLine,
}

/// Who invokes a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalledBy {
    /// A person, from the editor's command list (the clients forward it), as well as
    /// code actions and lenses.
    Person,
    /// Only code actions, lenses and quick fixes the server hands out.
    Server,
}

impl Command {
    pub const ALL: [Command; 13] = [
        Command::Run,
        Command::Stop,
        Command::ShowLog,
        Command::Verify,
        Command::Reset,
        Command::Split,
        Command::Explain,
        Command::RemoveBom,
        Command::CreateFile,
        Command::Merge,
        Command::ShowChanges,
        Command::OpenSpec,
        Command::SpecOfLine,
    ];

    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Command::Run => "chant.run",
            Command::Stop => "chant.stop",
            Command::ShowLog => "chant.showLog",
            Command::Verify => "chant.verify",
            Command::Reset => "chant.reset",
            Command::Split => "chant.split",
            Command::Explain => "chant.explain",
            Command::RemoveBom => "chant.removeBom",
            Command::CreateFile => "chant.createFile",
            Command::Merge => "chant.merge",
            Command::ShowChanges => "chant.showChanges",
            Command::OpenSpec => "chant.openSpec",
            Command::SpecOfLine => "chant.specOfLine",
        }
    }

    pub fn from_name(name: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.name() == name)
    }

    /// What it does, for people (command lists, documentation).
    pub fn title(self) -> &'static str {
        match self {
            Command::Run => "Run this spec (chant work)",
            Command::Stop => "Stop this spec's run",
            Command::ShowLog => "Show this spec's run log",
            Command::Verify => "Verify this spec (chant verify)",
            Command::Reset => "Reset this spec to pending (chant reset)",
            Command::Split => "Split this spec into members (chant split)",
            Command::Explain => "Explain why chant would refuse an action now",
            Command::RemoveBom => "Remove the byte order mark from a spec file",
            Command::CreateFile => "Create a missing linked file",
            Command::Merge => "Merge this spec's branch into the main branch (chant merge)",
            Command::ShowChanges => {
                "Show the changes of this spec's commits (or of what drifted since it completed)"
            }
            Command::OpenSpec => "Open a spec (from a source file's lens)",
            Command::SpecOfLine => "Which spec wrote this line: blame it and name the spec of its commit",
        }
    }

    /// Its arguments, as the documentation states them.
    pub fn arguments(self) -> &'static str {
        match self {
            Command::Run => "[specUri, {skipCriteria, skipDeps, skipApproval}?]",
            Command::Explain => "[reason]",
            Command::CreateFile => "[fileUri]",
            Command::ShowChanges => "[specUri, {path}?]",
            Command::SpecOfLine => "[fileUri, line]",
            _ => "[specUri]",
        }
    }

    pub fn called_by(self) -> CalledBy {
        match self {
            Command::Run | Command::Stop | Command::ShowLog | Command::SpecOfLine => CalledBy::Person,
            _ => CalledBy::Server,
        }
    }

    /// Whether it starts the chant program (clients hold these back in untrusted
    /// workspaces).
    pub fn runs_chant(self) -> bool {
        matches!(self, Command::Run | Command::Verify | Command::Reset | Command::Split | Command::Merge)
    }
}

/// The README's table of commands.
pub fn markdown_table() -> String {
    let mut out = String::from("| command | arguments | what it does | called by |\n|---|---|---|---|\n");
    for c in Command::ALL {
        let by = match c.called_by() {
            CalledBy::Person => "a person (editor command) or an action",
            CalledBy::Server => "code actions, lenses and quick fixes",
        };
        out.push_str(&format!("| `{}` | `{}` | {} | {by} |\n", c.name(), c.arguments(), c.title()));
    }
    out
}

/// A command with its arguments, as plain data: what a lens or an action calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub command: Command,
    pub args: Args,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// The spec the lens or action is on, and flags for `chant work`.
    Spec(RunFlags),
    /// A reason to show (`chant.explain`).
    Reason(String),
    /// A project-relative path (`chant.createFile`).
    File(String),
}

impl Call {
    pub fn on_spec(command: Command) -> Call {
        Call { command, args: Args::Spec(RunFlags::default()) }
    }

    pub fn explain(reason: impl Into<String>) -> Call {
        Call { command: Command::Explain, args: Args::Reason(reason.into()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for c in Command::ALL {
            assert_eq!(Command::from_name(c.name()), Some(c));
        }
        let mut names: Vec<_> = Command::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Command::ALL.len());
        assert_eq!(Command::from_name("chant.nope"), None);
    }
}

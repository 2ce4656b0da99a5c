//! The disk reads a change needs, done outside the state lock: the spec files
//! `State::disk_reads` names, read into numbered [`Texts`] (regular files inside their
//! project, at most `caps::SPEC` bytes), and the cached folder listings the change may
//! have made stale, listed again.

use super::changes::{DiskWork, Texts};
use crate::analysis::facts::caps;

impl DiskWork {
    /// Does the reads; `read` is the number taken (under the lock) before starting.
    pub fn perform(self, read: u64) -> Texts {
        for (facts, changed) in &self.listings {
            facts.refresh(changed);
        }
        Texts::new(
            read,
            self.files.into_iter().map(|(p, project)| {
                let bytes = project.read(&p, caps::SPEC);
                (p, bytes)
            }),
        )
    }
}

//! chant's readiness rules (chant-behaviour.md §6): whether `chant list --ready` lists a spec,
//! what the `chant work` gate refuses on, and why, in chant's terms.

use super::Project;
use crate::analysis::frontmatter::Status;
use crate::analysis::id;
use crate::analysis::spec::{Place, Readable, Summary};

/// Why a spec is not ready, in chant's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A `depends_on` entry that is missing from the active specs.
    Missing { id: String, archived: bool },
    /// A dependency chant cannot read (it counts as missing).
    Unreadable { id: String },
    /// A dependency that exists with a status that does not satisfy chant.
    Status { id: String, status: Status },
    /// An earlier sibling of a group member that is not completed.
    Sibling { id: String, status: Option<Status> },
    /// An unmet dependency of this member's driver.
    DriverDependency { driver: String, id: String },
    /// A member of this driver (which has acceptance criteria) not yet completed.
    Member { id: String, status: Status },
    /// Approval is required and not given.
    Approval,
}

/// chant's three notions of "can this run" for one spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// `chant list --ready` (`is_ready`).
    pub ready: bool,
    /// What keeps `is_ready` false (empty when the status alone decides).
    pub blockers: Vec<Blocker>,
    /// What the `chant work` gate refuses on (chant-behaviour.md §6.3): stricter about cancelled
    /// dependencies and siblings.
    pub work_blockers: Vec<Blocker>,
    pub needs_approval: bool,
}

impl Project {
    /// chant's readiness for spec `i` (chant-behaviour.md §6.2 and chant-behaviour.md §6.3).
    pub fn readiness(&self, i: usize) -> Readiness {
        let s = &self.specs[i];
        let status = s.chant_status();
        let mut blockers = Vec::new();
        let mut work_blockers = Vec::new();
        let dep_blocker = |id: &str, accept_cancelled: bool| -> Option<Blocker> {
            match self.active(id) {
                None => Some(Blocker::Missing { id: id.to_string(), archived: self.archived(id).is_some() }),
                Some(d) if d.readable == Readable::No => Some(Blocker::Unreadable { id: id.to_string() }),
                Some(d) => {
                    let st = d.chant_status();
                    let ok = st == Status::Completed || (accept_cancelled && st == Status::Cancelled);
                    (!ok).then(|| Blocker::Status { id: id.to_string(), status: st })
                }
            }
        };
        for r in s.chant_depends_on().unwrap_or(&[]) {
            blockers.extend(dep_blocker(&r.id, true));
            work_blockers.extend(dep_blocker(&r.id, false));
        }
        let driver = id::driver_of(&s.id).filter(|_| s.place != Place::Archived);
        if let Some(d) = driver.and_then(|d| self.loaded(d)) {
            for r in d.chant_depends_on().unwrap_or(&[]) {
                if id::is_member_of(&r.id, &d.id) {
                    continue;
                }
                if dep_blocker(&r.id, true).is_some() {
                    blockers.push(Blocker::DriverDependency { driver: d.id.clone(), id: r.id.clone() });
                }
            }
        }
        let needs_approval = status == Status::Pending && s.requires_approval();
        if needs_approval {
            blockers.push(Blocker::Approval);
        }
        // Earlier siblings: `is_ready` skips this when the member has a depends_on key;
        // the work gate never does.
        if let (Some(driver), Some(n)) = (driver, id::member_number(&s.id)) {
            // chant asks for every number below this member's; a file name can make that
            // billions. Past the bound only the members that exist are looked at, and the
            // first missing number stands for all the missing ones (each blocks alike).
            const ASKED: u32 = 1_000;
            let mut numbers: Vec<u32> = (1..n.min(ASKED)).collect();
            if n > ASKED {
                let mut present: Vec<u32> = self
                    .members_of(driver)
                    .iter()
                    .filter_map(|m| id::member_number(&m.id))
                    .filter(|&k| (ASKED..n).contains(&k))
                    .collect();
                present.sort_unstable();
                present.dedup();
                let first_missing = (ASKED..n)
                    .zip(present.iter().copied().chain(std::iter::repeat(u32::MAX)))
                    .find(|(k, p)| k != p)
                    .map(|(k, _)| k);
                numbers.extend(present);
                numbers.extend(first_missing);
            }
            for k in numbers {
                let sib = format!("{driver}.{k}");
                let st = self.loaded(&sib).map(Summary::chant_status);
                if st.is_some_and(|st| st != Status::Completed) {
                    work_blockers.push(Blocker::Sibling { id: sib.clone(), status: st });
                    if s.chant_depends_on().is_none() && st != Some(Status::Cancelled) {
                        blockers.push(Blocker::Sibling { id: sib, status: st });
                    }
                } else if st.is_none() {
                    work_blockers.push(Blocker::Sibling { id: sib, status: None });
                }
            }
        }
        if s.has_ac && s.place != Place::Archived {
            for m in self.members_of(&s.id).into_iter().filter(|m| m.readable != Readable::No) {
                if m.chant_status() != Status::Completed {
                    blockers.push(Blocker::Member { id: m.id.clone(), status: m.chant_status() });
                }
            }
        }
        let ready = matches!(status, Status::Pending | Status::Failed)
            && blockers.is_empty()
            && s.readable != Readable::No;
        Readiness { ready, blockers, work_blockers, needs_approval }
    }
}

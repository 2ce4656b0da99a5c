//! The commit graph in memory: every commit reachable from the tips, read once and kept
//! by the reader between reads (commits never change), ordered newest first, with
//! parents as indexes. Reachability, merged-or-not and ahead/behind are then answered
//! in memory instead of by libgit2 walks that parse the same commits again for every
//! branch.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use git2::{Oid, Repository};

use crate::analysis::git::CommitFact;

/// An object ID as map key: compared in Rust (git2's `Oid` compares through a call into
/// libgit2, a measurable part of walking 10,000 known commits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key([u8; 20]);

impl Key {
    pub fn of(oid: Oid) -> Key {
        let mut k = [0u8; 20];
        let bytes = oid.as_bytes();
        k[..bytes.len().min(20)].copy_from_slice(&bytes[..bytes.len().min(20)]);
        Key(k)
    }

    pub fn oid(self) -> Oid {
        Oid::from_bytes(&self.0).unwrap_or(Oid::ZERO_SHA1)
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

/// A map keyed by object ID, hashed with a per-process random seed: object IDs of an
/// untrusted repository can be brute-forced to share their first bytes, so they are not
/// used as hashes directly.
pub(super) type OidMap<V> = HashMap<Key, V, foldhash::fast::RandomState>;

/// A commit as the reader keeps it between reads.
pub(super) struct Known {
    pub fact: CommitFact,
    pub parents: Box<[Key]>,
    pub tree: Oid,
}

impl Known {
    fn read(repo: &Repository, oid: Oid) -> Result<Known, git2::Error> {
        let c = repo.find_commit(oid)?;
        let author = String::from_utf8_lossy(c.author().name_bytes()).into_owned();
        let time = c.committer().when().seconds();
        let known = Known {
            fact: CommitFact {
                id: oid.to_string(),
                subject: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default()).into_owned(),
                author,
                time,
                merge: c.parent_count() > 1,
            },
            parents: c.parent_ids().map(Key::of).collect(),
            tree: c.tree_id(),
        };
        Ok(known)
    }
}

/// Every commit reachable from the tips: `oids[i]` newest first (committer time; at
/// equal times a commit comes before its ancestors), `parents[i]` as indexes.
pub(super) struct History {
    pub oids: Vec<Key>,
    pub parents: Vec<Vec<u32>>,
    pub index: OidMap<u32>,
}

impl History {
    /// Reads the commits reachable from `tips`, taking what `known` holds and adding
    /// what it lacks. A commit that cannot be read ends the read with its error.
    pub fn read(repo: &Repository, tips: &[Key], known: &mut OidMap<Known>) -> Result<History, git2::Error> {
        let mut found: Vec<Key> = Vec::with_capacity(known.len());
        let mut index: OidMap<u32> = OidMap::default();
        index.reserve(known.len());
        let mut stack: Vec<Key> = tips.to_vec();
        while let Some(oid) = stack.pop() {
            if index.contains_key(&oid) {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = known.entry(oid) {
                e.insert(Known::read(repo, oid.oid())?);
            }
            index.insert(oid, found.len() as u32);
            found.push(oid);
            stack.extend(known[&oid].parents.iter().filter(|p| !index.contains_key(p)));
        }
        // Generations (a commit's is above its parents') order commits of equal times.
        let parents: Vec<Vec<u32>> = found
            .iter()
            .map(|o| known[o].parents.iter().filter_map(|p| index.get(p).copied()).collect())
            .collect();
        let generation = generations(&parents);
        let times: Vec<i64> = found.iter().map(|o| known[o].fact.time).collect();
        let mut order: Vec<u32> = (0..found.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            times[b].cmp(&times[a]).then(generation[b].cmp(&generation[a])).then(found[a].cmp(&found[b]))
        });
        let mut rank = vec![0u32; found.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let oids: Vec<Key> = order.iter().map(|&i| found[i as usize]).collect();
        let parents =
            order.iter().map(|&i| parents[i as usize].iter().map(|&p| rank[p as usize]).collect()).collect();
        let index = oids.iter().enumerate().map(|(i, o)| (*o, i as u32)).collect();
        Ok(History { oids, parents, index })
    }

    /// Which commits `from` reaches (itself included).
    pub fn reach(&self, from: u32) -> Vec<bool> {
        let mut seen = vec![false; self.oids.len()];
        let mut stack = vec![from];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i as usize], true) {
                continue;
            }
            stack.extend(self.parents[i as usize].iter().filter(|&&p| !seen[p as usize]));
        }
        seen
    }

    /// Commits `tip` reaches and `base` does not, and the reverse (`base_reach`:
    /// [`History::reach`] of the base).
    pub fn ahead_behind(&self, tip: u32, base_reach: &[bool]) -> (usize, usize) {
        let tip_reach = self.reach(tip);
        let ahead = tip_reach.iter().zip(base_reach).filter(|(t, b)| **t && !**b).count();
        let behind = tip_reach.iter().zip(base_reach).filter(|(t, b)| !**t && **b).count();
        (ahead, behind)
    }
}

/// Each commit's generation: 1 for a root, else one more than its highest parent.
fn generations(parents: &[Vec<u32>]) -> Vec<u32> {
    let mut generation = vec![0u32; parents.len()];
    let mut stack: Vec<(u32, bool)> = Vec::new();
    for start in 0..parents.len() as u32 {
        stack.push((start, false));
        while let Some((i, ready)) = stack.pop() {
            if generation[i as usize] != 0 {
                continue;
            }
            let ps = &parents[i as usize];
            if ready {
                generation[i as usize] = 1 + ps.iter().map(|&p| generation[p as usize]).max().unwrap_or(0);
            } else {
                stack.push((i, true));
                stack.extend(ps.iter().filter(|&&p| generation[p as usize] == 0).map(|&p| (p, false)));
            }
        }
    }
    generation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_rise_from_the_roots() {
        // 0 ← 1 ← 2, 0 ← 3, merge 4 of 2 and 3.
        let parents = vec![vec![], vec![0], vec![1], vec![0], vec![2, 3]];
        assert_eq!(generations(&parents), vec![1, 2, 3, 2, 4]);
    }
}

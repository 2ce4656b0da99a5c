//! Hashing for the project-wide maps (spec IDs, paths, spec indexes): foldhash with a
//! per-process random seed. The keys come from a repository that may be anybody's, so
//! they may be chosen to collide under a fixed hash (hash flooding: every lookup a scan);
//! SipHash was a measurable part of loading 100k specs. [`FastHasher`] stays for the
//! one hash that must be the same on every run ([`crate::analysis::git::text_hash`]).

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;

/// Multiply-rotate over 8-byte words.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            // The length keeps "a" and "a\0" apart.
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
pub type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

/// A map from strings of the user's file (keys, IDs) that scans while it is small and
/// hashes (with std's keyed hasher: the strings may be chosen to collide) once it is
/// not. A scan per lookup is quadratic in a long list; a hash per lookup costs more than
/// a scan of the few entries most specs have.
pub struct SmallMap<'a, V> {
    entries: Vec<(&'a str, V)>,
    index: Option<HashMap<&'a str, usize>>,
}

impl<V> Default for SmallMap<'_, V> {
    fn default() -> Self {
        SmallMap { entries: Vec::new(), index: None }
    }
}

impl<'a, V> SmallMap<'a, V> {
    const SCAN: usize = 16;

    pub fn get(&self, key: &str) -> Option<&V> {
        let i = match &self.index {
            Some(index) => *index.get(key)?,
            None => self.entries.iter().position(|(k, _)| *k == key)?,
        };
        Some(&self.entries[i].1)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Adds `key` unless it is there; `false` when it was.
    pub fn insert(&mut self, key: &'a str, value: V) -> bool {
        if self.contains(key) {
            return false;
        }
        self.entries.push((key, value));
        match &mut self.index {
            Some(index) => {
                index.insert(key, self.entries.len() - 1);
            }
            None if self.entries.len() > Self::SCAN => {
                self.index = Some(self.entries.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect());
            }
            None => {}
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_find_what_they_hold() {
        let mut m: FastMap<String, usize> = FastMap::default();
        let keys: Vec<String> =
            (0..5000).map(|i| format!("2026-01-{:02}-{:03}-{}", i % 28 + 1, i, "x".repeat(i % 9))).collect();
        for (i, k) in keys.iter().enumerate() {
            m.insert(k.clone(), i);
        }
        assert_eq!(m.len(), keys.len());
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.get(k.as_str()), Some(&i));
        }
        assert_eq!(m.get("2026-01-01-000-x"), None);
        // Strings that differ only by trailing zero bytes hash apart.
        let h = |s: &str| {
            let mut h = FastHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_ne!(h("a"), h("a\0"));
    }

    /// The maps' hash is keyed: the same key hashes differently under another seed, so
    /// keys chosen to collide under one seed do not collide under the next process's.
    #[test]
    fn map_hashes_are_seeded() {
        use std::hash::BuildHasher;
        let (a, b) = (foldhash::fast::RandomState::default(), foldhash::fast::RandomState::default());
        let keys = ["2026-01-01-001-aaa", ".chant/specs/x.md", "a"];
        assert!(keys.iter().any(|k| a.hash_one(k) != b.hash_one(k)));
        let m: FastMap<&str, u8> = FastMap::default();
        let n: FastMap<&str, u8> = FastMap::default();
        assert!(keys.iter().any(|k| m.hasher().hash_one(k) != n.hasher().hash_one(k)));
    }
}

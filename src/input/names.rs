//! Account names interned as dense ids, in order of first sight.
//!
//! Every snapshot looks its account up, so with 100,000 accounts the lookup
//! decides the reader's speed. A `HashMap<String, u32>` chases two pointers
//! per lookup (its slot, then the key's heap string) into megabytes of
//! scattered memory; here the names sit end to end in one buffer and the
//! table holds only a hash tag and an id, 8 bytes a slot, so a lookup
//! touches one slot and one contiguous name.
//!
//! Collectors write their accounts in the same order at every instant, so
//! the account after `x` is most often the one that followed `x` last time:
//! that guess is checked first, against a name that sits next to the
//! previous one in memory, and the table is searched only when it fails.

use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Interned account names.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// Every name, end to end.
    text: String,
    /// Where each name ends in `text` (it starts where the previous ends).
    ends: Vec<usize>,
    /// Open-addressing table: 0 is an empty slot, otherwise the name's
    /// hash in the high 32 bits and its id + 1 in the low 32.
    slots: Vec<u64>,
    /// For each id, the id interned right after it the last time it was
    /// interned ([`NONE`] until then)…
    next: Vec<u32>,
    /// …and the id interned last ([`NONE`] at first).
    last: u32,
}

/// No id.
const NONE: u32 = u32::MAX;

impl Default for Names {
    fn default() -> Names {
        Names {
            text: String::new(),
            ends: Vec::new(),
            slots: Vec::new(),
            next: Vec::new(),
            last: NONE,
        }
    }
}

impl Names {
    /// The id of `name`, and whether it is new (interned by this call).
    pub fn intern(&mut self, name: &str) -> (u32, bool) {
        if let Some(id) = self.guess(name.as_bytes()) {
            return (id, false);
        }
        let (id, new) = self.look_up(name);
        if let Some(next) = self.next.get_mut(self.last as usize) {
            *next = id;
        }
        self.last = id;
        (id, new)
    }

    /// The id of `name` if it is the account that followed the last one
    /// the last time, or the one after that (an account missing from this
    /// round of the collector: a gap in its series): read from bytes, so
    /// that a reader can skip checking that a known name is UTF-8 (and
    /// already trimmed).
    pub fn guess(&mut self, name: &[u8]) -> Option<u32> {
        let found = self.guess_in(&self.next, self.last, name)?;
        self.last = found;
        Some(found)
    }

    /// [`Names::guess`] from order `next` (see [`Names::order`]) as if `last`
    /// had been interned last: for a reader that shares these names and
    /// learns the order on its own.
    pub fn guess_in(&self, next: &[u32], last: u32, name: &[u8]) -> Option<u32> {
        let after = |id: u32| next.get(id as usize).copied().unwrap_or(NONE);
        let first = after(last);
        [first, after(first)]
            .into_iter()
            .take_while(|&id| id != NONE)
            .find(|&id| self.get(id).as_bytes() == name)
    }

    /// For each id, the id interned right after it the last time (or
    /// [`NONE`]): what [`Names::guess_in`] guesses from.
    pub fn order(&self) -> Vec<u32> {
        self.next.clone()
    }

    /// [`Names::intern`] through the hash table.
    fn look_up(&mut self, name: &str) -> (u32, bool) {
        if self.ends.len() * 2 >= self.slots.len() {
            self.grow();
        }
        let hash = hash(name);
        let at = match self.probe(name, hash) {
            Ok(id) => return (id, false),
            Err(at) => at,
        };
        let id = u32::try_from(self.ends.len()).expect("fewer than 2^32 accounts");
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.next.push(NONE);
        self.slots[at] = (hash & !0xffff_ffff) | u64::from(id + 1);
        (id, true)
    }

    /// The id of `name` if it is interned, without interning it.
    pub fn find(&self, name: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.probe(name, hash(name)).ok()
    }

    /// Where `name` (of hash `hash`) is in the table: its id, or the empty
    /// slot it would take. The table must have an empty slot.
    fn probe(&self, name: &str, hash: u64) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut at = (hash as usize) & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return Err(at);
            }
            let id = (slot as u32).wrapping_sub(1);
            if (slot >> 32) == hash >> 32 && self.get(id) == name {
                return Ok(id);
            }
            at = (at + 1) & mask;
        }
    }

    /// The name of id `id`.
    pub fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.text[start..self.ends[id]]
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every name, in id order.
    pub fn into_vec(self) -> Vec<String> {
        (0..self.ends.len() as u32)
            .map(|id| self.get(id).to_string())
            .collect()
    }

    /// Doubles the table (keeping it at most half full, so probes stay
    /// short) and re-inserts every id.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        let mut slots = vec![0u64; size];
        for id in 0..self.ends.len() as u32 {
            let hash = hash(self.get(id));
            let mut at = (hash as usize) & (size - 1);
            while slots[at] != 0 {
                at = (at + 1) & (size - 1);
            }
            slots[at] = (hash & !0xffff_ffff) | u64::from(id + 1);
        }
        self.slots = slots;
    }
}

fn hash(name: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(name.as_bytes());
    // Fx's low bits are weak for short keys: mix before taking the slot
    // index from them (the multiply-xorshift finaliser of splitmix64).
    let mut x = h.finish();
    x ^= x >> 31;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 29)
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut names = Names::default();
        let words: Vec<String> = (0..1000).map(|i| format!("acct_{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(names.intern(w), (i as u32, true));
        }
        for (i, w) in words.iter().enumerate().rev() {
            assert_eq!(names.intern(w), (i as u32, false));
            assert_eq!(names.get(i as u32), w);
        }
        assert_eq!(names.intern(""), (1000, true));
        assert_eq!(names.intern(""), (1000, false));
        assert_eq!(names.len(), 1001);
        assert_eq!(names.into_vec()[..2], ["acct_0", "acct_1"]);
    }

    /// The guess (the account that followed the previous one last time) is
    /// only a shortcut: names in a changing order get the same ids.
    #[test]
    fn guessing_the_next_name_never_changes_an_id() {
        let mut names = Names::default();
        let cycles: [&[&str]; 4] = [
            &["a", "b", "c", "d"],
            &["a", "c", "d"],
            &["a", "c", "b", "d", "d", "e"],
            &["e", "a", "b", "c", "d"],
        ];
        for cycle in cycles {
            for name in cycle {
                let id = names.intern(name).0;
                assert_eq!(names.get(id), *name);
            }
        }
        assert_eq!(names.into_vec(), ["a", "b", "c", "d", "e"]);
    }
}

//! [`RankTree`]: a persistent, order-statistic B+tree. Cloning it is O(1) (the root is shared);
//! a write copies only the nodes on its path (at most [`FANOUT`] entries per level, `log₆₄ n`
//! levels), so its cost does not depend on how many entries the tree holds, and a clone taken
//! before the write (a reader's snapshot) is unchanged. Every node knows how many entries lie
//! below it, so "how many keys are `< k`" and "the entries from position `r` on" are O(log n).
//!
//! Removal never merges under-full nodes (an emptied one is dropped): the height stays bounded by
//! the largest size the tree ever had, and a tree emptied by removals is one leaf again.

use std::borrow::Borrow;
use std::sync::Arc;

/// Most entries in a leaf and children in a branch; a fuller node splits in two.
pub const FANOUT: usize = 64;

/// A child of a branch: its smallest key, how many entries lie below it, the node.
#[derive(Debug)]
struct Child<K, V> {
    first: K,
    len: u64,
    node: Arc<Node<K, V>>,
}

impl<K: Clone, V> Clone for Child<K, V> {
    fn clone(&self) -> Self {
        Self {
            first: self.first.clone(),
            len: self.len,
            node: Arc::clone(&self.node),
        }
    }
}

#[derive(Debug)]
enum Node<K, V> {
    /// Entries sorted by key.
    Leaf(Vec<(K, V)>),
    /// Children sorted by key; never empty.
    Branch(Vec<Child<K, V>>),
}

impl<K: Clone, V: Clone> Clone for Node<K, V> {
    fn clone(&self) -> Self {
        match self {
            Node::Leaf(e) => Node::Leaf(e.clone()),
            Node::Branch(c) => Node::Branch(c.clone()),
        }
    }
}

impl<K, V> Node<K, V> {
    fn len(&self) -> u64 {
        match self {
            Node::Leaf(e) => e.len() as u64,
            Node::Branch(c) => c.iter().map(|c| c.len).sum(),
        }
    }

    fn first_key(&self) -> Option<&K> {
        match self {
            Node::Leaf(e) => e.first().map(|(k, _)| k),
            Node::Branch(c) => c.first().map(|c| &c.first),
        }
    }
}

/// The child of `children` whose range holds `key`.
fn child_for<K: Borrow<Q>, V, Q: Ord + ?Sized>(children: &[Child<K, V>], key: &Q) -> usize {
    children
        .partition_point(|c| c.first.borrow() <= key)
        .saturating_sub(1)
}

/// A sorted map with positions (see the module doc).
#[derive(Debug)]
pub struct RankTree<K, V> {
    root: Arc<Node<K, V>>,
    len: u64,
}

impl<K, V> Clone for RankTree<K, V> {
    fn clone(&self) -> Self {
        Self {
            root: Arc::clone(&self.root),
            len: self.len,
        }
    }
}

impl<K, V> Default for RankTree<K, V> {
    fn default() -> Self {
        Self {
            root: Arc::new(Node::Leaf(Vec::new())),
            len: 0,
        }
    }
}

impl<K: Ord + Clone, V: Clone> RankTree<K, V> {
    /// How many entries it holds.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let mut node = &*self.root;
        loop {
            match node {
                Node::Leaf(e) => {
                    let at = e.binary_search_by(|(k, _)| k.borrow().cmp(key)).ok()?;
                    return Some(&e[at].1);
                }
                Node::Branch(c) => node = &c[child_for(c, key)].node,
            }
        }
    }

    /// The entry of the smallest key `>= key`, if any (no allocation: a failed descent into
    /// one child goes on with the next child's first entry).
    pub fn ceil<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        ceil_in(&self.root, key).map(|(k, v)| (k, v))
    }

    /// Whether `key` is in the tree.
    pub fn contains<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.get(key).is_some()
    }

    /// How many keys are `< key`.
    pub fn rank<Q: Ord + ?Sized>(&self, key: &Q) -> u64
    where
        K: Borrow<Q>,
    {
        let mut node = &*self.root;
        let mut below = 0;
        loop {
            match node {
                Node::Leaf(e) => {
                    return below + e.partition_point(|(k, _)| k.borrow() < key) as u64;
                }
                Node::Branch(c) => {
                    let at = child_for(c, key);
                    below += c[..at].iter().map(|c| c.len).sum::<u64>();
                    node = &c[at].node;
                }
            }
        }
    }

    /// Inserts `key` (replacing its value if present); the old value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let (old, split) = insert_into(&mut self.root, key, value);
        if let Some(right) = split {
            let left = std::mem::replace(&mut self.root, Arc::new(Node::Leaf(Vec::new())));
            let left_len = left.len();
            let left_first = left
                .first_key()
                .cloned()
                .unwrap_or_else(|| right.first.clone());
            self.root = Arc::new(Node::Branch(vec![
                Child {
                    first: left_first,
                    len: left_len,
                    node: left,
                },
                right,
            ]));
        }
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// Inserts every entry of `batch` in one pass, as if [`RankTree::insert`] were called for
    /// each in order (a later duplicate key wins): the batch is sorted and merged into the tree
    /// top-down, each touched node is copied once and overfull ones are cut into full nodes.
    /// Cheaper than one `insert` per entry when a batch touches many nodes.
    pub fn insert_many(&mut self, mut batch: Vec<(K, V)>) {
        if batch.is_empty() {
            return;
        }
        // Stable sort, then keep the last of equal keys (reverse, keep first, reverse back).
        batch.sort_by(|a, b| a.0.cmp(&b.0));
        batch.reverse();
        batch.dedup_by(|later, earlier| later.0 == earlier.0);
        batch.reverse();
        let mut added = 0;
        let mut entries = batch.into_iter().peekable();
        let root = std::mem::replace(&mut self.root, Arc::new(Node::Leaf(Vec::new())));
        let mut level = merge_into(root, &mut entries, None, &mut added);
        while level.len() > 1 {
            level = split_even(level)
                .into_iter()
                .map(|children| Arc::new(Node::Branch(children)))
                .filter_map(child_of)
                .collect();
        }
        if let Some(top) = level.pop() {
            self.root = top.node;
        }
        self.len += added;
    }

    /// Removes `key`; its value, if it was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        if !self.contains(key) {
            return None;
        }
        let old = remove_from(&mut self.root, key);
        if old.is_some() {
            self.len -= 1;
        }
        // A branch left with one child gives way to it.
        loop {
            let only = match &*self.root {
                Node::Branch(c) if c.len() == 1 => Arc::clone(&c[0].node),
                Node::Branch(c) if c.is_empty() => Arc::new(Node::Leaf(Vec::new())),
                _ => break,
            };
            self.root = only;
        }
        old
    }

    /// The entries from position `rank` (0 = smallest key) on, in key order.
    pub fn iter_from(&self, rank: u64) -> Iter<'_, K, V> {
        let mut stack = Vec::new();
        let mut node = &*self.root;
        let mut rank = rank;
        loop {
            match node {
                Node::Leaf(e) => {
                    return Iter {
                        stack,
                        leaf: e,
                        pos: rank.min(e.len() as u64) as usize,
                    };
                }
                Node::Branch(c) => {
                    let mut at = 0;
                    while at + 1 < c.len() && rank >= c[at].len {
                        rank -= c[at].len;
                        at += 1;
                    }
                    stack.push((c.as_slice(), at));
                    node = &c[at].node;
                }
            }
        }
    }
}

/// The entry of the smallest key `>= key` below `node`.
fn ceil_in<'a, K: Borrow<Q>, V, Q: Ord + ?Sized>(
    node: &'a Node<K, V>,
    key: &Q,
) -> Option<&'a (K, V)> {
    match node {
        Node::Leaf(e) => e.get(e.partition_point(|(k, _)| k.borrow() < key)),
        Node::Branch(c) => {
            let at = child_for(c, key);
            ceil_in(&c[at].node, key).or_else(|| c.get(at + 1).and_then(|n| first_in(&n.node)))
        }
    }
}

/// The entry of the smallest key below `node`.
fn first_in<K, V>(node: &Node<K, V>) -> Option<&(K, V)> {
    match node {
        Node::Leaf(e) => e.first(),
        Node::Branch(c) => c.first().and_then(|n| first_in(&n.node)),
    }
}

/// Inserts into `node` (copying it if shared); the old value and, if the node split, its new
/// right half.
fn insert_into<K: Ord + Clone, V: Clone>(
    node: &mut Arc<Node<K, V>>,
    key: K,
    value: V,
) -> (Option<V>, Option<Child<K, V>>) {
    match Arc::make_mut(node) {
        Node::Leaf(e) => match e.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(at) => (Some(std::mem::replace(&mut e[at].1, value)), None),
            Err(at) => {
                e.insert(at, (key, value));
                if e.len() <= FANOUT {
                    return (None, None);
                }
                let right = e.split_off(e.len() / 2);
                let first = right[0].0.clone();
                let len = right.len() as u64;
                let split = Child {
                    first,
                    len,
                    node: Arc::new(Node::Leaf(right)),
                };
                (None, Some(split))
            }
        },
        Node::Branch(c) => {
            let at = child_for(c, &key);
            if key < c[at].first {
                c[at].first = key.clone();
            }
            let (old, split) = insert_into(&mut c[at].node, key, value);
            if old.is_none() {
                c[at].len += 1;
            }
            if let Some(right) = split {
                c[at].len -= right.len;
                c.insert(at + 1, right);
            }
            if c.len() <= FANOUT {
                return (old, None);
            }
            let right = c.split_off(c.len() / 2);
            let split = Child {
                first: right[0].first.clone(),
                len: right.iter().map(|c| c.len).sum(),
                node: Arc::new(Node::Branch(right)),
            };
            (old, Some(split))
        }
    }
}

/// The sorted, key-unique entries still to be inserted by [`RankTree::insert_many`].
type Pending<K, V> = std::iter::Peekable<std::vec::IntoIter<(K, V)>>;

/// Whether the next pending entry belongs below `upper` (`None`: no bound).
fn next_below<K: Ord, V>(pending: &mut Pending<K, V>, upper: Option<&K>) -> bool {
    pending
        .peek()
        .is_some_and(|(k, _)| upper.is_none_or(|u| k < u))
}

/// A branch's child for `node`; `None` for an empty node (never kept in a branch).
fn child_of<K: Clone, V>(node: Arc<Node<K, V>>) -> Option<Child<K, V>> {
    let first = node.first_key()?.clone();
    Some(Child {
        first,
        len: node.len(),
        node,
    })
}

/// `items` cut into as few near-equal runs of at most [`FANOUT`] as can hold them (at least
/// one run, of more than `FANOUT / 2` each when there are several).
fn split_even<T>(items: Vec<T>) -> Vec<Vec<T>> {
    let parts = items.len().div_ceil(FANOUT).max(1);
    let (size, extra) = (items.len() / parts, items.len() % parts);
    let mut rest = items.into_iter();
    (0..parts)
        .map(|p| rest.by_ref().take(size + usize::from(p < extra)).collect())
        .collect()
}

/// Merges the pending entries below `upper` into `node` (copied if shared), counting new keys
/// in `added`; the nodes that replace it (several when it outgrew [`FANOUT`]).
fn merge_into<K: Ord + Clone, V: Clone>(
    node: Arc<Node<K, V>>,
    pending: &mut Pending<K, V>,
    upper: Option<&K>,
    added: &mut u64,
) -> Vec<Child<K, V>> {
    match Arc::unwrap_or_clone(node) {
        Node::Leaf(old) => {
            let mut merged = Vec::with_capacity(old.len() + pending.len().min(FANOUT));
            let mut old = old.into_iter().peekable();
            loop {
                let new_here = next_below(pending, upper);
                let order = match (old.peek(), pending.peek()) {
                    (Some((k, _)), Some((n, _))) if new_here => Some(n.cmp(k)),
                    _ => None,
                };
                // (take the pending entry, it is a new key)
                let (take_new, is_new) = match order {
                    Some(std::cmp::Ordering::Less) => (true, true),
                    Some(std::cmp::Ordering::Equal) => {
                        old.next(); // replaced by the pending entry
                        (true, false)
                    }
                    Some(std::cmp::Ordering::Greater) => (false, false),
                    None => {
                        let only_new = new_here && old.peek().is_none();
                        (only_new, only_new)
                    }
                };
                let entry = if take_new {
                    *added += u64::from(is_new);
                    pending.next()
                } else {
                    old.next()
                };
                match entry {
                    Some(e) => merged.push(e),
                    None => break,
                }
            }
            split_even(merged)
                .into_iter()
                .filter_map(|e| child_of(Arc::new(Node::Leaf(e))))
                .collect()
        }
        Node::Branch(children) => {
            let mut out = Vec::with_capacity(children.len() + 1);
            let mut children = children.into_iter().peekable();
            while let Some(child) = children.next() {
                let bound = children.peek().map(|c| &c.first).or(upper);
                if next_below(pending, bound) {
                    out.extend(merge_into(child.node, pending, bound, added));
                } else {
                    out.push(child);
                }
            }
            split_even(out)
                .into_iter()
                .filter_map(|c| child_of(Arc::new(Node::Branch(c))))
                .collect()
        }
    }
}

/// Removes `key` from `node` (copying it if shared), dropping children that become empty.
fn remove_from<K: Ord + Clone + Borrow<Q>, V: Clone, Q: Ord + ?Sized>(
    node: &mut Arc<Node<K, V>>,
    key: &Q,
) -> Option<V> {
    match Arc::make_mut(node) {
        Node::Leaf(e) => {
            let at = e.binary_search_by(|(k, _)| k.borrow().cmp(key)).ok()?;
            Some(e.remove(at).1)
        }
        Node::Branch(c) => {
            let at = child_for(c, key);
            let old = remove_from(&mut c[at].node, key)?;
            c[at].len -= 1;
            if c[at].len == 0 {
                c.remove(at);
            } else if let Some(first) = c[at].node.first_key() {
                c[at].first = first.clone();
            }
            Some(old)
        }
    }
}

/// Entries in key order (see [`RankTree::iter_from`]).
pub struct Iter<'a, K, V> {
    /// The branches above the current leaf and which child is being walked in each.
    stack: Vec<(&'a [Child<K, V>], usize)>,
    leaf: &'a [(K, V)],
    pos: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = &'a (K, V);

    fn next(&mut self) -> Option<&'a (K, V)> {
        loop {
            if let Some(e) = self.leaf.get(self.pos) {
                self.pos += 1;
                return Some(e);
            }
            // Up to the nearest branch with a next child, then down its leftmost path.
            let mut node = loop {
                let (children, at) = self.stack.last_mut()?;
                *at += 1;
                if let Some(c) = children.get(*at) {
                    break &*c.node;
                }
                self.stack.pop();
            };
            loop {
                match node {
                    Node::Leaf(e) => {
                        self.leaf = e;
                        self.pos = 0;
                        break;
                    }
                    Node::Branch(c) => {
                        self.stack.push((c.as_slice(), 0));
                        node = &c[0].node;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn check(tree: &RankTree<u32, u32>, model: &BTreeMap<u32, u32>) {
        assert_eq!(tree.len(), model.len() as u64);
        let all: Vec<(u32, u32)> = tree.iter_from(0).copied().collect();
        let want: Vec<(u32, u32)> = model.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(all, want);
        for probe in [0u32, 1, 7, 100, 499, 500, 1000, u32::MAX] {
            assert_eq!(tree.rank(&probe), model.range(..probe).count() as u64);
            assert_eq!(tree.get(&probe), model.get(&probe));
            assert_eq!(tree.ceil(&probe), model.range(probe..).next());
        }
        for probe in (0u32..3100).step_by(37) {
            assert_eq!(tree.ceil(&probe), model.range(probe..).next());
        }
        for r in [0, 1, 63, 64, 65, model.len() as u64 / 2, model.len() as u64] {
            let from: Vec<(u32, u32)> = tree.iter_from(r).copied().collect();
            assert_eq!(from, want[(r as usize).min(want.len())..]);
        }
    }

    proptest! {
        /// Any sequence of inserts and removes agrees with a `BTreeMap`, and a clone taken
        /// half-way is not changed by the writes after it.
        #[test]
        fn agrees_with_a_btreemap(ops in proptest::collection::vec((any::<bool>(), 0u32..1000, any::<u32>()), 0..3000)) {
            let mut tree = RankTree::default();
            let mut model = BTreeMap::new();
            let mut frozen = None;
            for (n, (insert, k, v)) in ops.iter().enumerate() {
                if *insert {
                    prop_assert_eq!(tree.insert(*k, *v), model.insert(*k, *v));
                } else {
                    prop_assert_eq!(tree.remove(k), model.remove(k));
                }
                if n == ops.len() / 2 {
                    frozen = Some((tree.clone(), model.clone()));
                }
            }
            check(&tree, &model);
            if let Some((t, m)) = frozen {
                check(&t, &m);
            }
        }
    }

    proptest! {
        /// `insert_many` equals one `insert` per entry in order (duplicates in the batch and
        /// keys already present included), and leaves a clone taken before it unchanged.
        #[test]
        fn insert_many_equals_inserts_one_by_one(
            before in proptest::collection::vec((0u32..3000, any::<u32>()), 0..2000),
            batch in proptest::collection::vec((0u32..3000, any::<u32>()), 0..2000),
        ) {
            let mut tree = RankTree::default();
            let mut model = BTreeMap::new();
            for (k, v) in &before {
                tree.insert(*k, *v);
                model.insert(*k, *v);
            }
            let frozen = (tree.clone(), model.clone());
            tree.insert_many(batch.clone());
            for (k, v) in batch {
                model.insert(k, v);
            }
            check(&tree, &model);
            check(&frozen.0, &frozen.1);
            // Still a well-formed tree: single inserts and removes after it agree too.
            for k in (0u32..3000).step_by(7) {
                prop_assert_eq!(tree.remove(&k), model.remove(&k));
                prop_assert_eq!(tree.insert(k + 1, k), model.insert(k + 1, k));
            }
            check(&tree, &model);
        }
    }

    #[test]
    fn insert_many_builds_a_large_tree_in_batches() {
        let mut tree = RankTree::default();
        let mut model = BTreeMap::new();
        let mut x = 7u64;
        for _ in 0..50 {
            let batch: Vec<(u32, u32)> = (0..1000)
                .map(|n| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    ((x >> 40) as u32, n)
                })
                .collect();
            for (k, v) in &batch {
                model.insert(*k, *v);
            }
            tree.insert_many(batch);
        }
        check(&tree, &model);
    }

    #[test]
    fn large_trees_stay_consistent() {
        let mut tree = RankTree::default();
        let mut model = BTreeMap::new();
        let mut x = 1u64;
        for n in 0..50_000u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let k = (x >> 40) as u32;
            tree.insert(k, n);
            model.insert(k, n);
        }
        check(&tree, &model);
        let keys: Vec<u32> = model.keys().copied().step_by(2).collect();
        for k in keys {
            assert_eq!(tree.remove(&k), model.remove(&k));
        }
        check(&tree, &model);
    }
}

//! Compact ordered collections for the canonical form.
//!
//! Canonical policies hold many tiny sets (one to three actions, one resource, one condition
//! value). A `BTreeSet` allocates a node for eleven elements even when it holds one; these
//! sorted vectors allocate exactly what they hold, which roughly halves the memory of a large
//! account's model. Order, equality and hashing follow the sorted elements, like `BTreeSet`.

use std::borrow::Borrow;

/// A set kept as a sorted, deduplicated vector. Inserting an element equal to one already
/// present keeps the one already present.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SortedSet<T>(Vec<T>);

impl<T: Ord> SortedSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Inserts `value` unless an equal element is present; returns whether it was inserted.
    pub fn insert(&mut self, value: T) -> bool {
        match self.0.binary_search(&value) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, value);
                true
            }
        }
    }

    /// Whether an equal element is present.
    pub fn contains<Q: Ord + ?Sized>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.0.binary_search_by(|e| e.borrow().cmp(value)).is_ok()
    }
}

impl<T> SortedSet<T> {
    /// Elements in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Ord> Default for SortedSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for value in iter {
            self.insert(value);
        }
        self.0.shrink_to_fit();
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A map kept as a vector of entries sorted by key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// The value for `key`, inserting `V::default()` first if absent. An equal key already
    /// present keeps its spelling.
    pub fn get_or_insert_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let i = match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, V::default()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// The value for `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.0
            .binary_search_by(|(k, _)| k.borrow().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }
}

impl<K, V> SortedMap<K, V> {
    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Ord, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// Later entries with an equal key replace earlier ones, like `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (k, v) in iter {
            match map.0.binary_search_by(|(e, _)| e.cmp(&k)) {
                Ok(i) => map.0[i].1 = v,
                Err(i) => map.0.insert(i, (k, v)),
            }
        }
        map.0.shrink_to_fit();
        map
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_orders_dedups_and_keeps_the_first_equal_element() {
        let s: SortedSet<i32> = [3, 1, 2, 3, 1].into_iter().collect();
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(s.contains(&2));
        assert!(!s.contains(&4));
        let a: SortedSet<i32> = [2, 1].into_iter().collect();
        let b: SortedSet<i32> = [1, 2].into_iter().collect();
        assert_eq!(a, b);
    }

    #[test]
    fn map_orders_by_key_and_later_entries_win() {
        let m: SortedMap<&str, i32> = [("b", 1), ("a", 2), ("b", 3)].into_iter().collect();
        assert_eq!(m.iter().collect::<Vec<_>>(), vec![(&"a", &2), (&"b", &3)]);
        let mut m = m;
        *m.get_or_insert_default("c") += 5;
        assert_eq!(m.get("c"), Some(&5));
        assert_eq!(m.len(), 3);
    }
}

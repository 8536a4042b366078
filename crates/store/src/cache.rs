//! Read-through caches for rows that every request reads and that hardly
//! ever change: a department, an item's published version, the user behind
//! an API token. Each saves a database round trip per request.
//!
//! This process drops an entry whenever it writes the row itself; another
//! server process on the same PostgreSQL sees such a change after at most
//! the cache's time to live. The age is measured on the monotonic clock of
//! the machine, not on the server's business clock (`--now`): it is a
//! property of the cache, not a rule of the domain.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Most entries one cache holds; past that it starts afresh.
const MAX_ENTRIES: usize = 20_000;

#[derive(Debug)]
pub(crate) struct Cache<K, V> {
    entries: Arc<RwLock<HashMap<K, (V, Instant)>>>,
    ttl: Duration,
}

impl<K, V> Clone for Cache<K, V> {
    fn clone(&self) -> Self {
        Cache {
            entries: self.entries.clone(),
            ttl: self.ttl,
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub(crate) fn new(ttl: Duration) -> Self {
        Cache {
            entries: Arc::default(),
            ttl,
        }
    }

    /// The value stored for `key` if it is younger than the time to live.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.read().expect("cache poisoned");
        let (value, at) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    pub(crate) fn put(&self, key: K, value: V) {
        let mut entries = self.entries.write().expect("cache poisoned");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (value, Instant::now()));
    }

    /// Forgets everything: after a write whose effects are hard to pin to keys.
    pub(crate) fn clear(&self) {
        self.entries.write().expect("cache poisoned").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lives_until_its_time_to_live_or_a_clear() {
        let cache: Cache<i64, String> = Cache::new(Duration::from_secs(3600));
        assert_eq!(cache.get(&1), None);
        cache.put(1, "人社局".into());
        assert_eq!(cache.get(&1).as_deref(), Some("人社局"));
        cache.clear();
        assert_eq!(cache.get(&1), None);

        let expired: Cache<i64, String> = Cache::new(Duration::ZERO);
        expired.put(1, "人社局".into());
        assert_eq!(
            expired.get(&1),
            None,
            "an entry older than the TTL was served"
        );
    }

    #[test]
    fn a_full_cache_starts_afresh_instead_of_growing() {
        let cache: Cache<usize, usize> = Cache::new(Duration::from_secs(3600));
        for i in 0..=MAX_ENTRIES {
            cache.put(i, i);
        }
        assert_eq!(cache.entries.read().unwrap().len(), 1);
        assert_eq!(cache.get(&MAX_ENTRIES), Some(MAX_ENTRIES));
    }
}

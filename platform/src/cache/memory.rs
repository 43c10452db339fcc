//! The in-process cache used when no Redis is configured: one process, one map.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Default)]
pub struct MemoryCache {
    entries: Arc<Mutex<Entries>>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, (String, Instant)>,
    writes: u64,
}

/// Expired entries are swept every this many writes, so the map cannot grow with keys
/// nobody reads again.
const SWEEP_EVERY: u64 = 1024;

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let entries = self.entries.lock().expect("cache lock");
        entries
            .map
            .get(key)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(value, _)| value.clone())
    }

    pub fn set(&self, key: &str, value: &str, ttl: Duration) {
        let mut entries = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        entries
            .map
            .insert(key.to_owned(), (value.to_owned(), now + ttl));
        entries.writes += 1;
        if entries.writes.is_multiple_of(SWEEP_EVERY) {
            entries.map.retain(|_, (_, expires)| *expires > now);
        }
    }

    pub fn delete(&self, key: &str) {
        self.entries.lock().expect("cache lock").map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire() {
        let cache = MemoryCache::new();
        cache.set("a", "1", Duration::from_secs(60));
        cache.set("b", "2", Duration::ZERO);
        assert_eq!(cache.get("a").as_deref(), Some("1"));
        assert_eq!(cache.get("b"), None);
        cache.delete("a");
        assert_eq!(cache.get("a"), None);
    }
}

//! The in-process cache used when no Redis is configured: one process, one map, bounded in
//! bytes so that a stream of distinct searches cannot grow it without end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

#[derive(Clone)]
pub struct MemoryCache {
    entries: Arc<Mutex<Entries>>,
    limit: usize,
}

#[derive(Default)]
struct Entries {
    /// Values are `Bytes`: a hit hands out a reference-counted view, not a copy.
    map: HashMap<String, (Bytes, Instant)>,
    bytes: usize,
}

/// The default bound: plenty for sessions and cached searches of a few regions.
const DEFAULT_LIMIT: usize = 64 * 1024 * 1024;

impl Default for MemoryCache {
    fn default() -> Self {
        Self::with_limit(DEFAULT_LIMIT)
    }
}

fn size(key: &str, value: &[u8]) -> usize {
    key.len() + value.len() + 64
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache holding at most about `limit` bytes of keys and values.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            entries: Arc::default(),
            limit,
        }
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let entries = self.entries.lock().expect("cache lock");
        entries
            .map
            .get(key)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(value, _)| value.clone())
    }

    pub fn set(&self, key: &str, value: Bytes, ttl: Duration) {
        let mut entries = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        let added = size(key, &value);
        if let Some((old, _)) = entries.map.insert(key.to_owned(), (value, now + ttl)) {
            entries.bytes -= size(key, &old);
        }
        entries.bytes += added;
        if entries.bytes > self.limit {
            // Expired entries go first; if that is not enough, arbitrary ones (a hash map's
            // order, sparing the one just written) until a quarter of the room is free again.
            let Entries { map, bytes } = &mut *entries;
            map.retain(|k, (v, expires)| {
                let keep = *expires > now;
                if !keep {
                    *bytes -= size(k, v);
                }
                keep
            });
            let target = self.limit / 4 * 3;
            map.retain(|k, (v, _)| {
                if *bytes <= target || k == key {
                    return true;
                }
                *bytes -= size(k, v);
                false
            });
        }
    }

    /// Adds one to the counter under `key`, starting a window of `window` if there is none;
    /// returns the count and the time left in the window.
    pub fn incr(&self, key: &str, window: Duration) -> (u64, Duration) {
        let mut entries = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        let (count, expires) = match entries.map.get(key) {
            Some((v, expires)) if *expires > now => {
                let n = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(0);
                (n + 1, *expires)
            }
            _ => (1, now + window),
        };
        let value = Bytes::from(count.to_string());
        let added = size(key, &value);
        if let Some((old, _)) = entries.map.insert(key.to_owned(), (value, expires)) {
            entries.bytes -= size(key, &old);
        }
        entries.bytes += added;
        (count, expires - now)
    }

    pub fn delete(&self, key: &str) {
        let mut entries = self.entries.lock().expect("cache lock");
        if let Some((old, _)) = entries.map.remove(key) {
            entries.bytes -= size(key, &old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire() {
        let cache = MemoryCache::new();
        cache.set("a", Bytes::from("1"), Duration::from_secs(60));
        cache.set("b", Bytes::from("2"), Duration::ZERO);
        assert_eq!(cache.get("a").as_deref(), Some(&b"1"[..]));
        assert_eq!(cache.get("b"), None);
        cache.delete("a");
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn stays_within_its_bound() {
        let cache = MemoryCache::with_limit(10_000);
        for i in 0..1000 {
            cache.set(
                &format!("k{i}"),
                Bytes::from("x".repeat(100)),
                Duration::from_secs(60),
            );
        }
        let entries = cache.entries.lock().unwrap();
        assert!(entries.bytes <= 10_000, "{}", entries.bytes);
        let counted: usize = entries.map.iter().map(|(k, (v, _))| size(k, v)).sum();
        assert_eq!(counted, entries.bytes);
        drop(entries);
        // The newest entry survives eviction.
        assert!(cache.get("k999").is_some());
    }

    #[test]
    fn counters_count_within_a_window() {
        let cache = MemoryCache::new();
        let window = Duration::from_secs(60);
        assert_eq!(cache.incr("c", window).0, 1);
        let (n, left) = cache.incr("c", window);
        assert_eq!(n, 2);
        assert!(left <= window);
        assert_eq!(cache.incr("d", Duration::ZERO).0, 1);
        assert_eq!(cache.incr("d", Duration::ZERO).0, 1);
    }
}

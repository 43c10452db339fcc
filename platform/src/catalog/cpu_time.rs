//! CPU time of the calling thread, for logging what applying a catalog change costs: wall
//! time would count the waits of a machine shared with searches. Linux only (read from
//! `/proc/thread-self/schedstat`, nanoseconds on the CPU); elsewhere `None`.

use std::time::Duration;

/// The calling thread's CPU time when started.
pub struct ThreadCpu(Option<Duration>);

impl ThreadCpu {
    pub fn start() -> Self {
        Self(now())
    }

    /// CPU time the thread spent since `start` (call it on the same thread).
    pub fn elapsed(&self) -> Option<Duration> {
        Some(now()?.saturating_sub(self.0?))
    }
}

fn now() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_work_done() {
        let cpu = super::ThreadCpu::start();
        let mut x = 0u64;
        for i in 0..10_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        if let Some(spent) = cpu.elapsed() {
            assert!(spent > std::time::Duration::ZERO);
        }
    }
}

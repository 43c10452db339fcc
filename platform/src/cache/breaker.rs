//! A circuit breaker in front of Redis.
//!
//! When Redis is down or frozen, each call would otherwise wait for its own timeout (and a
//! reconnect behind a lock made every call in the process wait for all of them): pages took
//! 19 s. Instead the first failure opens the circuit; while it is open every call fails at
//! once, and one caller at a time — the probe — tries again after a back-off that doubles up
//! to [`MAX_BACKOFF`], so a Redis that comes back is used again within about a second.
//! The state sits behind a plain mutex that is never held across an `.await`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first wait after a failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest: Redis back is noticed within this (plus one probe).
const MAX_BACKOFF: Duration = Duration::from_millis(800);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Calls go through.
    Closed,
    /// Calls fail at once until `retry_at`; the first caller after it becomes the probe.
    Open {
        retry_at: Instant,
        backoff: Duration,
    },
    /// A probe is in flight: the others still fail at once.
    Probing { backoff: Duration },
}

/// What a caller may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Go ahead.
    Call,
    /// Go ahead, as the one probe: report how it went.
    Probe,
    /// Don't: the circuit is open.
    Refused,
}

#[derive(Debug)]
pub struct Breaker {
    state: Mutex<State>,
}

impl Breaker {
    /// A closed breaker: Redis is assumed to be there until a call finds it is not. (Starting
    /// open, with a probe, would refuse the calls made while the first connection is made.)
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State::Closed),
        }
    }

    pub fn permit(&self, now: Instant) -> Permit {
        let mut state = self.state.lock().expect("breaker lock");
        match *state {
            State::Closed => Permit::Call,
            State::Open { retry_at, backoff } if now >= retry_at => {
                *state = State::Probing { backoff };
                Permit::Probe
            }
            State::Open { .. } | State::Probing { .. } => Permit::Refused,
        }
    }

    /// The call (or the probe) worked: the circuit closes.
    pub fn succeeded(&self) {
        *self.state.lock().expect("breaker lock") = State::Closed;
    }

    /// The call failed: the circuit opens (again, with a longer wait after a failed probe).
    /// True when this failure is the one that opened it, the start of an outage.
    pub fn failed(&self, now: Instant) -> bool {
        let mut state = self.state.lock().expect("breaker lock");
        let (backoff, opened) = match *state {
            State::Closed => (FIRST_BACKOFF, true),
            State::Probing { backoff } => ((backoff * 2).min(MAX_BACKOFF), false),
            // Another call that was already under way failed: keep the current wait.
            State::Open { .. } => return false,
        };
        *state = State::Open {
            retry_at: now + backoff,
            backoff,
        };
        opened
    }

    /// Whether calls are refused at `now` without trying (for `/readyz`).
    pub fn is_open(&self, now: Instant) -> bool {
        match *self.state.lock().expect("breaker lock") {
            State::Closed => false,
            State::Open { retry_at, .. } => now < retry_at,
            State::Probing { .. } => true,
        }
    }
}

impl Default for Breaker {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_go_through_until_one_fails_then_one_probe_at_a_time() {
        let b = Breaker::new();
        let t = Instant::now();
        assert_eq!(b.permit(t), Permit::Call);
        assert!(!b.is_open(t));
        assert!(b.failed(t));
        assert_eq!(b.permit(t + FIRST_BACKOFF), Permit::Probe);
        assert_eq!(
            b.permit(t + FIRST_BACKOFF),
            Permit::Refused,
            "one probe at a time"
        );
        b.succeeded();
        assert_eq!(b.permit(t), Permit::Call);
    }

    #[test]
    fn a_failure_opens_the_circuit_and_failed_probes_back_off_up_to_the_cap() {
        let b = Breaker::new();
        let t = Instant::now();
        assert!(b.failed(t), "the failure that opens the circuit says so");
        assert!(b.is_open(t));
        assert_eq!(b.permit(t + FIRST_BACKOFF / 2), Permit::Refused);
        let mut at = t + FIRST_BACKOFF;
        let mut waits = Vec::new();
        for _ in 0..6 {
            assert_eq!(b.permit(at), Permit::Probe);
            assert!(!b.failed(at), "a failed probe is the same outage");
            let State::Open { backoff, .. } = *b.state.lock().unwrap() else {
                panic!("open after a failed probe");
            };
            waits.push(backoff);
            assert_eq!(b.permit(at + backoff / 2), Permit::Refused);
            at += backoff;
        }
        assert_eq!(
            waits,
            [200, 400, 800, 800, 800, 800].map(Duration::from_millis)
        );
        assert_eq!(b.permit(at), Permit::Probe);
        b.succeeded();
        assert_eq!(b.permit(at), Permit::Call);
    }

    #[test]
    fn a_late_failure_of_a_call_already_under_way_keeps_the_wait() {
        let b = Breaker::new();
        let t = Instant::now();
        assert!(b.failed(t));
        assert!(!b.failed(t + Duration::from_millis(50)));
        assert_eq!(b.permit(t + FIRST_BACKOFF), Permit::Probe);
    }
}

//! A bound on the requests one client address may have in flight at once on the expensive
//! paths: those that hash a password (19 MiB and tens of milliseconds of a core each) and
//! those that search the catalog. The rate limits count attempts over minutes; this counts
//! what is running now, so one address cannot hold every hashing slot (or every core) by
//! opening many slow requests. Beyond the bound the answer is an immediate 429 with
//! `Retry-After` rather than a place in a queue: a queue would hold the attacker's requests
//! (and their memory) and make everyone else wait behind them.
//!
//! The count is per process, on purpose: it protects this process's cores and memory, and a
//! request in flight is only ever in one process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use poem::{Endpoint, EndpointExt, IntoResponse, Middleware, Request, Response, Result};

use crate::service_error::RetryAfter;
use crate::State;

use super::site::Origin;
use super::WebError;

/// Requests in flight on the expensive paths, by client address.
#[derive(Debug)]
pub struct InFlight {
    /// At most this many per address; 0: no bound.
    per_client: usize,
    counts: Mutex<HashMap<String, usize>>,
}

impl InFlight {
    pub fn new(per_client: usize) -> Self {
        Self {
            per_client,
            counts: Mutex::default(),
        }
    }

    /// A slot for one more request of `client`, or `None` when it has its share running.
    fn enter(&self, client: &str) -> Option<Slot<'_>> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(client.to_owned()).or_default();
        if self.per_client > 0 && *count >= self.per_client {
            return None;
        }
        *count += 1;
        Some(Slot {
            owner: self,
            client: client.to_owned(),
        })
    }

    /// How many requests of `client` are in flight on the expensive paths now.
    pub fn count(&self, client: &str) -> usize {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.get(client).copied().unwrap_or_default()
    }
}

/// One request in flight; dropped when it ends, however it ends (a client that goes away
/// mid-request drops the handler's future, and with it the slot).
struct Slot<'a> {
    owner: &'a InFlight,
    client: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut counts = self.owner.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.client) {
            *count -= 1;
            // Addresses come and go: the map holds only those with requests running.
            if *count == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

/// How long a refused client is told to wait: a slot frees when one of its requests ends,
/// which for a hash or a search is well under a second.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Marks a route as expensive: it counts towards its client's bound.
pub struct Expensive;

/// For `#[oai(transform = "expensive")]`: an API operation that is expensive.
pub fn expensive<E: Endpoint>(ep: E) -> impl Endpoint {
    ep.with(Expensive)
}

impl<E: Endpoint> Middleware<E> for Expensive {
    type Output = ExpensiveEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ExpensiveEndpoint(ep)
    }
}

pub struct ExpensiveEndpoint<E>(E);

impl<E: Endpoint> Endpoint for ExpensiveEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let state = req
            .data::<State>()
            .cloned()
            .expect("state is attached to every route");
        // The address `SiteResolver` derived: the proxy's `X-Forwarded-For` only when trusted.
        let client = req
            .extensions()
            .get::<Origin>()
            .map(|o| o.client_ip.clone())
            .unwrap_or_default();
        let Some(_slot) = state.in_flight.enter(&client) else {
            // Addresses are personal data: the request's own log line (429) is the record.
            return Err(WebError::TooManyAtOnce(RetryAfter(RETRY_AFTER)).into());
        };
        self.0.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use super::InFlight;

    #[test]
    fn an_address_gets_its_share_and_a_slot_back_when_a_request_ends() {
        let bound = InFlight::new(2);
        let a = bound.enter("10.0.0.1").expect("first");
        let _b = bound.enter("10.0.0.1").expect("second");
        assert!(bound.enter("10.0.0.1").is_none());
        assert!(
            bound.enter("10.0.0.2").is_some(),
            "another address has its own"
        );
        drop(a);
        assert_eq!(bound.count("10.0.0.1"), 1);
        assert!(bound.enter("10.0.0.1").is_some());
    }

    #[test]
    fn zero_is_no_bound() {
        let bound = InFlight::new(0);
        let slots: Vec<_> = (0..100).map(|_| bound.enter("10.0.0.1")).collect();
        assert!(slots.iter().all(Option::is_some));
    }
}

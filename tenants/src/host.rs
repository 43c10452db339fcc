//! Host names and which region a request's `Host` belongs to.
//!
//! Browsers send `p67.xn--80aafey1amqq.xn--d1acj3b`, people type `P67.Навигатор.Дети:443`;
//! both must land on the same region, so every host is reduced to one canonical form
//! (lower-case ASCII/punycode, no port, no trailing dot) before it is compared.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::values::Slug;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Host {
    ascii: String,
    unicode: String,
}

impl Host {
    /// Parses a host as found in a `Host` header or a config file: an optional port is
    /// dropped, case and trailing dot are ignored, Unicode and punycode forms are equal.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let without_port = strip_port(trimmed);
        let name = without_port.strip_suffix('.').unwrap_or(without_port);
        let invalid = || format!("«{trimmed}» не является доменным именем");
        if name.is_empty() || name.starts_with('[') {
            return Err(invalid());
        }
        let ascii = idna::domain_to_ascii_strict(name).map_err(|_| invalid())?;
        let labels_ok = ascii.len() <= 253
            && ascii.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if !labels_ok {
            return Err(invalid());
        }
        let (unicode, result) = idna::domain_to_unicode(&ascii);
        result.map_err(|_| invalid())?;
        Ok(Self { ascii, unicode })
    }

    pub fn as_ascii(&self) -> &str {
        &self.ascii
    }

    pub fn as_unicode(&self) -> &str {
        &self.unicode
    }

    /// `{label}.{self}`, e.g. `smolensk.localhost`.
    pub fn subdomain(&self, label: &Slug) -> Host {
        Host::parse(&format!("{}.{}", label, self.ascii))
            .expect("a slug under a valid host is a valid host")
    }
}

/// Drops `:port` from `name:port`; IPv6 literals (`[::1]:8080`) keep their brackets so they
/// are rejected as host names rather than mangled.
fn strip_port(raw: &str) -> &str {
    if raw.starts_with('[') {
        return raw;
    }
    match raw.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => raw,
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.unicode)
    }
}

impl TryFrom<String> for Host {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Host> for String {
    fn from(value: Host) -> Self {
        value.unicode
    }
}

/// What a request's host means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'a> {
    /// The platform's own host: the list of regions.
    Apex,
    /// A region's host.
    Tenant(&'a Slug),
    Unknown,
}

/// Every host the platform answers to. Built from the tenants' configured hosts plus, for
/// each tenant, `{slug}.{base_domain}` and `{slug}.localhost` (so a newcomer needs no DNS).
#[derive(Debug, Clone)]
pub struct HostTable {
    apex: Vec<Host>,
    hosts: HashMap<String, Slug>,
}

impl HostTable {
    pub fn new(base_domain: &Host) -> Self {
        let localhost = Host::parse("localhost").expect("localhost is a host");
        let mut apex = vec![base_domain.clone()];
        if *base_domain != localhost {
            apex.push(localhost);
        }
        Self {
            apex,
            hosts: HashMap::new(),
        }
    }

    /// Registers a tenant's hosts. A host already taken by another tenant is refused with
    /// the name of that tenant, so two regions can never answer on the same host.
    pub fn insert(&mut self, slug: &Slug, configured: &[Host]) -> Result<(), String> {
        let mut all: Vec<Host> = configured.to_vec();
        all.extend(self.apex.iter().map(|apex| apex.subdomain(slug)));
        for host in &all {
            if self.apex.contains(host) {
                return Err(format!("хост {host} занят списком регионов платформы"));
            }
            if let Some(owner) = self.hosts.get(host.as_ascii()) {
                if owner != slug {
                    return Err(format!("хост {host} уже принадлежит региону {owner}"));
                }
            }
        }
        for host in all {
            self.hosts.insert(host.ascii, slug.clone());
        }
        Ok(())
    }

    /// Resolves a raw `Host` header value.
    pub fn resolve(&self, raw: &str) -> Resolution<'_> {
        // Most requests name a host already in canonical form (lower-case ASCII, maybe a
        // port): look it up as is and skip IDNA processing.
        let name = strip_port(raw.trim());
        let canonical = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if canonical {
            if self.apex.iter().any(|a| a.as_ascii() == name) {
                return Resolution::Apex;
            }
            if let Some(slug) = self.hosts.get(name) {
                return Resolution::Tenant(slug);
            }
        }
        let Ok(host) = Host::parse(raw) else {
            return Resolution::Unknown;
        };
        if self.apex.contains(&host) {
            return Resolution::Apex;
        }
        match self.hosts.get(host.as_ascii()) {
            Some(slug) => Resolution::Tenant(slug),
            None => Resolution::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_and_punycode_are_one_host() {
        let u = Host::parse("P67.Навигатор.Дети:8080").unwrap();
        let p = Host::parse("p67.xn--80aafey1amqq.xn--d1acj3b.").unwrap();
        assert_eq!(u, p);
        assert_eq!(u.as_unicode(), "p67.навигатор.дети");
        assert_eq!(u.as_ascii(), "p67.xn--80aafey1amqq.xn--d1acj3b");
    }

    #[test]
    fn rejects_non_hosts() {
        for bad in [
            "",
            ":80",
            "[::1]:8080",
            "a b.ru",
            "a_b.ru",
            "-a.ru",
            "a..ru",
            "http://a.ru",
        ] {
            assert!(Host::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn table_resolves_every_form() {
        let base = Host::parse("навигатор.дети").unwrap();
        let mut table = HostTable::new(&base);
        let smolensk = Slug::parse("smolensk").unwrap();
        table
            .insert(&smolensk, &[Host::parse("p67.навигатор.дети").unwrap()])
            .unwrap();
        for raw in [
            "p67.навигатор.дети",
            "P67.XN--80AAFEY1AMQQ.XN--D1ACJ3B:443",
            "smolensk.localhost:8080",
            "smolensk.навигатор.дети",
        ] {
            assert_eq!(table.resolve(raw), Resolution::Tenant(&smolensk), "{raw}");
        }
        assert_eq!(
            table.resolve("xn--80aafey1amqq.xn--d1acj3b"),
            Resolution::Apex
        );
        assert_eq!(table.resolve("localhost:8080"), Resolution::Apex);
        assert_eq!(table.resolve("p99.навигатор.дети"), Resolution::Unknown);
        assert_eq!(table.resolve("127.0.0.1:8080"), Resolution::Unknown);

        let other = Slug::parse("other").unwrap();
        let err = table
            .insert(&other, &[Host::parse("p67.навигатор.дети").unwrap()])
            .unwrap_err();
        assert!(err.contains("smolensk"), "{err}");
    }
}

//! `manifest.json`: every file of the copy with its content hash and size, and what the
//! copy was built from. A CDN sync compares hashes; the next run reads it to render only
//! what changed since `catalog_version`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const FILE: &str = "manifest.json";
const GENERATOR: &str = concat!("navigator-sitegen/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub sha256: String,
    pub bytes: u64,
}

impl Entry {
    pub fn of(content: &[u8]) -> Self {
        let digest = Sha256::digest(content);
        let mut hex = String::with_capacity(64);
        for b in digest {
            hex.push_str(&format!("{b:02x}"));
        }
        Self {
            sha256: hex,
            bytes: content.len() as u64,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub region: String,
    /// The catalog version the copy shows (every change up to it).
    pub catalog_version: i64,
    /// A digest of everything besides the catalog that shapes the pages (region settings,
    /// addresses, templates, assets): when it differs, every page is rendered again.
    pub settings: String,
    /// Every file but the manifest itself, by path relative to the copy's top.
    pub files: BTreeMap<String, Entry>,
    /// For list pages: a digest of what they show (`Site::signature`), so a rerun renders
    /// only those whose content can have changed.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
}

impl Manifest {
    pub fn new(region: &str, catalog_version: i64, settings: String) -> Self {
        Self {
            generator: GENERATOR.to_owned(),
            region: region.to_owned(),
            catalog_version,
            settings,
            files: BTreeMap::new(),
            inputs: BTreeMap::new(),
        }
    }

    /// The manifest of an earlier run in `dir`, if there is a readable one of sitegen (of
    /// any version: a different build renders everything, see `settings`).
    pub fn read(dir: &Path) -> Option<Self> {
        let text = std::fs::read(dir.join(FILE)).ok()?;
        let m: Manifest = serde_json::from_slice(&text).ok()?;
        m.generator.starts_with("navigator-sitegen/").then_some(m)
    }

    /// Files, HTML pages and bytes of the copy it describes.
    pub fn totals(&self) -> (usize, usize, u64) {
        (
            self.files.len(),
            self.files.keys().filter(|p| p.ends_with(".html")).count(),
            self.files.values().map(|e| e.bytes).sum(),
        )
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("manifest serializes");
        out.push(b'\n');
        out
    }
}

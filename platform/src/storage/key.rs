//! A stored file's name: the SHA-256 of its bytes in hex and the extension of its type,
//! `3f2a…9c.jpg`. Built only by hashing bytes or by parsing, so a key taken from a URL can
//! name nothing but a stored file (no `/`, no `..`, no other extension).

use std::fmt;

use sha2::{Digest, Sha256};

/// The types of files the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    /// An uploaded spreadsheet (XLSX or CSV) kept between its check and its import; never
    /// served (`/media` serves only the keys a region's rows name).
    Sheet,
}

impl MediaType {
    pub const ALL: [MediaType; 4] = [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Webp,
        MediaType::Sheet,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Webp => "webp",
            MediaType::Sheet => "sheet",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Sheet => "application/octet-stream",
        }
    }

    fn of_extension(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.extension() == ext)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(String);

const HEX: usize = 64;

impl Key {
    /// The key of `bytes` stored as `media`.
    pub fn of(media: MediaType, bytes: &[u8]) -> Self {
        Self(format!("{:x}.{}", Sha256::digest(bytes), media.extension()))
    }

    /// A key as written by [`Key::of`]: 64 lower-case hex digits, a dot, a known extension.
    pub fn parse(raw: &str) -> Option<Self> {
        let (hex, ext) = raw.split_once('.')?;
        let hex_ok =
            hex.len() == HEX && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        (hex_ok && MediaType::of_extension(ext).is_some()).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn media_type(&self) -> MediaType {
        let ext = self.0.rsplit('.').next().unwrap_or_default();
        MediaType::of_extension(ext).expect("a key is built with a known extension")
    }

    /// Where the file lives under a store's root: `ab/cdef….jpg` (256 folders, so no
    /// folder holds every file).
    pub fn relative_path(&self) -> String {
        format!("{}/{}", &self.0[..2], &self.0[2..])
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_hash_of_the_bytes() {
        let key = Key::of(MediaType::Jpeg, b"abc");
        assert_eq!(
            key.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.jpg"
        );
        assert_eq!(Key::parse(key.as_str()), Some(key.clone()));
        assert_eq!(key.media_type(), MediaType::Jpeg);
        assert_eq!(
            key.relative_path(),
            "ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.jpg"
        );
    }

    #[test]
    fn anything_else_is_no_key() {
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        for bad in [
            String::new(),
            hex.to_owned(),
            format!("{hex}.gif"),
            format!("{hex}.jpg.png"),
            format!("{}.jpg", hex.to_uppercase()),
            format!("{}.jpg", &hex[1..]),
            format!("../{}.jpg", &hex[3..]),
            format!("{}/x.jpg", &hex[..2]),
            "..".to_owned(),
        ] {
            assert_eq!(Key::parse(&bad), None, "{bad}");
        }
    }
}

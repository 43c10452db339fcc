//! A DKIM verifier written from RFC 6376 (and RFC 8463 for Ed25519), sharing no code with
//! the signer: it takes a message's bytes as they arrived, canonicalizes its body and the
//! signed headers as the signature says, and checks the body hash and the signature with
//! the public key a test holds (what DNS would publish for the selector). What a receiving
//! server does, minus the DNS lookup.

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::smtp::{header_fields, split};

pub enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A signature that verified.
#[derive(Debug)]
pub struct Verified {
    pub domain: String,
    pub selector: String,
    /// The `h=` list, lower-cased.
    pub headers: Vec<String>,
}

fn b64(text: &str) -> Result<Vec<u8>, String> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| format!("base64: {e}"))
}

/// Checks the first `DKIM-Signature` of `raw` against `key`.
pub fn verify(raw: &[u8], key: &PublicKey) -> Result<Verified, String> {
    let fields = header_fields(raw);
    let signature = fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("DKIM-Signature"))
        .map(|(_, f)| f.clone())
        .ok_or("no DKIM-Signature")?;
    let value = signature.split_once(':').map_or("", |(_, v)| v);
    let tags: Vec<(String, String)> = value
        .split(';')
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let tag = |name: &str| {
        tags.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or(format!("no {name}= tag"))
    };
    if tag("v")? != "1" {
        return Err("v= is not 1".into());
    }
    if tags.iter().any(|(k, _)| k == "l") {
        return Err("l= (a signature over part of the body) is not accepted".into());
    }
    let canon = tags
        .iter()
        .find(|(k, _)| k == "c")
        .map_or("simple/simple".to_owned(), |(_, v)| v.clone());
    let (header_canon, body_canon) = canon.split_once('/').unwrap_or((&canon, "simple"));
    let relaxed = |c: &str| match c {
        "relaxed" => Ok(true),
        "simple" => Ok(false),
        other => Err(format!("unknown canonicalization {other}")),
    };
    let (relaxed_headers, relaxed_body) = (relaxed(header_canon)?, relaxed(body_canon)?);

    let body = canonical_body(split(raw).1, relaxed_body);
    if Sha256::digest(&body).as_slice() != b64(&tag("bh")?)?.as_slice() {
        return Err("body hash mismatch: the body changed after signing".into());
    }

    // RFC 6376 §5.4.2: each name in h= takes the next instance of that header from the
    // bottom; a name with no instance left is signed as absent and contributes nothing.
    let names: Vec<String> = tag("h")?
        .split(':')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let mut used = vec![false; fields.len()];
    let mut data = Vec::new();
    for name in &names {
        let found = (0..fields.len())
            .rev()
            .find(|&i| !used[i] && fields[i].0.eq_ignore_ascii_case(name));
        if let Some(i) = found {
            used[i] = true;
            data.extend(canonical_header(&fields[i].1, relaxed_headers).into_bytes());
        }
    }
    let unsigned = without_b(&signature);
    let last = canonical_header(&unsigned, relaxed_headers);
    data.extend(last.trim_end_matches("\r\n").as_bytes());
    let hash = Sha256::digest(&data);
    let b = b64(&tag("b")?)?;
    match (tag("a")?.as_str(), key) {
        ("rsa-sha256", PublicKey::Rsa(key)) => key
            .verify(rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>(), &hash, &b)
            .map_err(|e| format!("RSA signature does not verify: {e}"))?,
        ("ed25519-sha256", PublicKey::Ed25519(key)) => {
            let sig = ed25519_dalek::Signature::from_slice(&b)
                .map_err(|e| format!("Ed25519 signature malformed: {e}"))?;
            key.verify_strict(&hash, &sig)
                .map_err(|e| format!("Ed25519 signature does not verify: {e}"))?
        }
        (a, _) => return Err(format!("a={a} does not fit the key")),
    }
    Ok(Verified {
        domain: tag("d")?,
        selector: tag("s")?,
        headers: names,
    })
}

/// The field with the value of its `b=` tag removed (the tag itself stays, RFC 6376 §3.5).
fn without_b(field: &str) -> String {
    let body = field.trim_end_matches("\r\n");
    let (name, value) = body.split_once(':').unwrap_or((body, ""));
    let parts: Vec<String> = value
        .split(';')
        .map(|part| {
            let start = part.len() - part.trim_start().len();
            if part[start..].starts_with("b=") {
                part[..start + 2].to_owned()
            } else {
                part.to_owned()
            }
        })
        .collect();
    format!("{name}:{}\r\n", parts.join(";"))
}

/// RFC 6376 §3.4.1 and §3.4.2, for one field with its final CRLF.
fn canonical_header(field: &str, relaxed: bool) -> String {
    if !relaxed {
        return field.to_owned();
    }
    let (name, value) = field.split_once(':').unwrap_or((field, ""));
    let unfolded = value.replace("\r\n", "");
    let mut compact = String::new();
    let mut space = false;
    for c in unfolded.chars() {
        if c == ' ' || c == '\t' {
            space = true;
        } else {
            if space && !compact.is_empty() {
                compact.push(' ');
            }
            space = false;
            compact.push(c);
        }
    }
    format!("{}:{compact}\r\n", name.trim().to_ascii_lowercase())
}

/// RFC 6376 §3.4.3 and §3.4.4.
fn canonical_body(body: &[u8], relaxed: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let mut lines: Vec<String> = text
        .split("\r\n")
        .map(|line| {
            if !relaxed {
                return line.to_owned();
            }
            let mut out = String::new();
            let mut space = false;
            for c in line.chars() {
                if c == ' ' || c == '\t' {
                    space = true;
                } else {
                    if space {
                        out.push(' ');
                    }
                    space = false;
                    out.push(c);
                }
            }
            out
        })
        .collect();
    // The text after the last CRLF is a line too (empty when the body ends with CRLF);
    // empty lines at the end are dropped either way.
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return if relaxed {
            Vec::new()
        } else {
            b"\r\n".to_vec()
        };
    }
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalization_follows_the_rfc_examples() {
        // RFC 6376 §3.4.5.
        assert_eq!(
            canonical_header("A: X\r\n", true) + &canonical_header("B : Y\t\r\n\tZ  \r\n", true),
            "a:X\r\nb:Y Z\r\n"
        );
        assert_eq!(
            canonical_body(b" C \r\nD \t E\r\n\r\n\r\n", true),
            b" C\r\nD E\r\n".to_vec()
        );
        assert_eq!(
            canonical_body(b" C \r\nD \t E\r\n\r\n\r\n", false),
            b" C \r\nD \t E\r\n".to_vec()
        );
        assert_eq!(canonical_body(b"", false), b"\r\n".to_vec());
    }

    #[test]
    fn the_signature_value_is_emptied_but_bh_is_kept() {
        assert_eq!(
            without_b("DKIM-Signature: v=1; bh=abc; b=de\r\n f\r\n"),
            "DKIM-Signature: v=1; bh=abc; b=\r\n"
        );
    }
}

//! DKIM: every message signed in-process with the domain's key when one is configured, so a
//! receiver can check against the domain's DNS that it comes from us unchanged, and DMARC
//! can pass on it. `deploy/mail.md` tells how to make the key and publish it.

use std::path::PathBuf;

use base64::Engine;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use lettre::Message;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::der::Decode;
use rsa::traits::PublicKeyParts;

use super::message::{AUTO_SUBMITTED, LIST_UNSUBSCRIBE};
use super::MailError;

/// The key as configured: its selector and domain as published in DNS
/// (`{selector}._domainkey.{domain}`), and the file with its private half.
#[derive(Debug, Clone)]
pub struct DkimSettings {
    pub selector: String,
    /// Unicode or punycode; signatures carry the punycode form.
    pub domain: String,
    pub key_file: PathBuf,
}

/// The setting a bad key file is reported under, as the operator sets it.
const KEY_SETTING: &str = "NAVIGATOR_DKIM_KEY_FILE (--dkim-key-file)";

/// Signs messages; made once at start-up, so a bad key stops the process there.
#[derive(Debug)]
pub struct Signer {
    config: DkimConfig,
}

impl Signer {
    #[tracing::instrument(skip_all, fields(key_file = %settings.key_file.display()))]
    pub fn load(settings: &DkimSettings) -> Result<Self, MailError> {
        let selector = settings.selector.trim();
        if selector.is_empty()
            || !selector
                .split('.')
                .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(MailError::Dkim {
                setting: "NAVIGATOR_DKIM_SELECTOR (--dkim-selector)",
                reason: format!("«{selector}»: ожидаются латинские буквы, цифры и дефисы"),
            });
        }
        let domain = tenants::Host::parse(&settings.domain).map_err(|e| MailError::Dkim {
            setting: "NAVIGATOR_DKIM_DOMAIN (--dkim-domain)",
            reason: e,
        })?;
        let key_error = |reason: String| MailError::Dkim {
            setting: KEY_SETTING,
            reason: format!("{}: {reason}", settings.key_file.display()),
        };
        let pem = std::fs::read_to_string(&settings.key_file)
            .map_err(|e| key_error(format!("не прочитан: {e}")))?;
        let key = signing_key(&pem).map_err(key_error)?;
        Ok(Self {
            config: DkimConfig::new(
                selector.to_owned(),
                domain.as_ascii().to_owned(),
                key,
                signed_headers(),
                // Relaxed for both: relays that re-fold a long header or strip trailing
                // spaces do not break the signature.
                DkimCanonicalization {
                    header: DkimCanonicalizationType::Relaxed,
                    body: DkimCanonicalizationType::Relaxed,
                },
            ),
        })
    }

    /// Adds the `DKIM-Signature` header; the message must be complete.
    pub fn sign(&self, message: &mut Message) {
        message.sign(&self.config);
    }
}

/// The headers the signature covers. A name absent from a message is signed as absent (RFC
/// 6376 §5.4), so nobody can add a `List-Unsubscribe` to a security mail on the way.
/// `Content-Type` is left out: lettre keeps a multipart's `Content-Type` with the body, and
/// its signer would sign it as absent while every receiver sees it present.
fn signed_headers() -> Vec<HeaderName> {
    [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .chain([AUTO_SUBMITTED, LIST_UNSUBSCRIBE])
    .collect()
}

/// The private key from PEM: RSA as PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN
/// PRIVATE KEY`, what `openssl genpkey` writes), or Ed25519 as PKCS#8.
fn signing_key(pem: &str) -> Result<DkimSigningKey, String> {
    let pem = pem.trim();
    if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
        let key = <rsa::RsaPrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_pem(pem)
            .map_err(|e| format!("ключ RSA (PKCS#1) не разобран: {e}"))?;
        return rsa_key(&key);
    }
    if !pem.starts_with("-----BEGIN PRIVATE KEY-----") {
        return Err(
            "ожидается закрытый ключ в PEM: «BEGIN PRIVATE KEY» (RSA или Ed25519) \
                    или «BEGIN RSA PRIVATE KEY»"
                .into(),
        );
    }
    let (_, document) =
        rsa::pkcs8::SecretDocument::from_pem(pem).map_err(|e| format!("PEM не разобран: {e}"))?;
    let info = rsa::pkcs8::PrivateKeyInfo::try_from(document.as_bytes())
        .map_err(|e| format!("ключ PKCS#8 не разобран: {e}"))?;
    match info.algorithm.oid.to_string().as_str() {
        RSA_OID => {
            let key = rsa::RsaPrivateKey::try_from(info)
                .map_err(|e| format!("ключ RSA не разобран: {e}"))?;
            rsa_key(&key)
        }
        ED25519_OID => {
            // RFC 8410: the private key is an OCTET STRING holding the 32-byte seed.
            let seed = rsa::pkcs8::der::asn1::OctetStringRef::from_der(info.private_key)
                .map_err(|e| format!("ключ Ed25519 не разобран: {e}"))?;
            if seed.as_bytes().len() != 32 {
                return Err("ключ Ed25519 не из 32 байт".into());
            }
            let seed = base64::engine::general_purpose::STANDARD.encode(seed.as_bytes());
            DkimSigningKey::new(&seed, DkimSigningAlgorithm::Ed25519)
                .map_err(|e| format!("ключ Ed25519 не принят: {e}"))
        }
        other => Err(format!(
            "алгоритм {other} не поддерживается: нужен RSA или Ed25519"
        )),
    }
}

const RSA_OID: &str = "1.2.840.113549.1.1.1";
const ED25519_OID: &str = "1.3.101.112";

/// lettre takes RSA keys as PKCS#1 PEM only.
fn rsa_key(key: &rsa::RsaPrivateKey) -> Result<DkimSigningKey, String> {
    // RFC 8301: receivers must not accept shorter keys.
    let bits = key.size() * 8;
    if bits < 1024 {
        return Err(format!(
            "ключ RSA в {bits} бит: получатели не принимают ключи короче 1024 бит (нужен 2048)"
        ));
    }
    let pem = key
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|e| format!("ключ RSA не записан: {e}"))?;
    DkimSigningKey::new(&pem, DkimSigningAlgorithm::Rsa)
        .map_err(|e| format!("ключ RSA не принят: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_private_key_is_refused_with_the_reason() {
        let err = signing_key("ssh-ed25519 AAAA… me@host").unwrap_err();
        assert!(err.contains("BEGIN PRIVATE KEY"), "{err}");
        let err = signing_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            .unwrap_err();
        assert!(err.contains("не разобран"), "{err}");
    }

    #[test]
    fn a_bad_selector_names_its_setting() {
        let err = Signer::load(&DkimSettings {
            selector: "мой ключ".into(),
            domain: "навигатор.дети".into(),
            key_file: "/nonexistent".into(),
        })
        .unwrap_err();
        assert!(err.to_string().contains("NAVIGATOR_DKIM_SELECTOR"), "{err}");
    }
}

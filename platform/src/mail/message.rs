//! An outbox row made into the message that goes on the wire, with the headers receiving
//! servers judge a sender by: a `Message-ID` of the row, its `Date`, `Auto-Submitted`, and
//! `List-Unsubscribe` on notices (see `kinds`).

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use sha2::{Digest, Sha256};

use super::kinds::{self, Class};
use super::{Mail, MailError};
use crate::time::to_db;

pub const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");
pub const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");

/// The message of outbox row `id`, written at `created_at`.
pub fn compose(id: i64, created_at: DateTime<Utc>, mail: &Mail) -> Result<Message, MailError> {
    let invalid =
        |what: &str, e: &dyn std::fmt::Display| MailError::Invalid(format!("{what}: {e}"));
    let class = kinds::class(&mail.kind)
        .ok_or_else(|| MailError::Invalid(format!("неизвестный вид письма «{}»", mail.kind)))?;
    let from = Mailbox::new(
        Some(mail.sender_name.clone()),
        mail.sender.parse().map_err(|e| invalid("sender", &e))?,
    );
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| invalid("recipient", &e))?;
    let mut message = Message::builder()
        .message_id(Some(message_id(id, created_at, mail)))
        // The time the change that caused the mail was made: a retry days later is still
        // the same message, and says when it was written.
        .date(SystemTime::from(created_at))
        .from(from)
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| invalid("message", &e))?;
    let headers = message.headers_mut();
    // RFC 3834: no vacation responder or mailing list should answer us.
    headers.insert_raw(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".into()));
    if class == Class::Notice {
        headers.insert_raw(HeaderValue::new(
            LIST_UNSUBSCRIBE,
            list_unsubscribe(&mail.sender),
        ));
    }
    Ok(message)
}

/// `<outbox-{id}.{hash}@{sender's domain}>`: the same for every attempt to send one row, so a
/// receiver that got a send we believed failed (a reply lost to a timeout) drops the second
/// copy. The hash of the row's creation time and recipient keeps ids unique across
/// databases that count rows from 1 alike (a staging copy, a database started afresh):
/// a receiver must never take a new mail for a copy of an old one.
pub fn message_id(id: i64, created_at: DateTime<Utc>, mail: &Mail) -> String {
    let digest = Sha256::digest(format!("{id}\n{}\n{}", to_db(created_at), mail.recipient));
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let domain = mail.sender.rsplit_once('@').map_or("localhost", |(_, d)| d);
    format!("<outbox-{id}.{hash}@{domain}>")
}

/// RFC 2369: a mail to the region's support asking to stop notices. The platform has no
/// page that turns notices off, and a link to one that does not would be a lie; a person
/// at the support address can act on the request.
fn list_unsubscribe(support: &str) -> String {
    format!(
        "<mailto:{support}?subject={}>",
        percent_encode("Отписаться от уведомлений")
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(kind: &str) -> Mail {
        Mail {
            tenant_id: crate::tenant_id::TenantId::PLATFORM,
            kind: kind.into(),
            recipient: "parent@example.ru".into(),
            sender_name: "Навигатор67. Отдел поддержки".into(),
            sender: "support@p67.xn--80aafey1amqq.xn--d1acj3b".into(),
            subject: "Заявка принята".into(),
            text: "Текст".into(),
            html: "<p>Текст</p>".into(),
        }
    }

    fn header(message: &Message, name: &str) -> Option<String> {
        message.headers().get_raw(name).map(str::to_owned)
    }

    #[test]
    fn a_row_has_one_message_id_whoever_sends_it() {
        let at = DateTime::parse_from_rfc3339("2027-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let a = compose(7, at, &mail("application_confirmed")).unwrap();
        let b = compose(7, at, &mail("application_confirmed")).unwrap();
        let id = header(&a, "Message-ID").unwrap();
        assert_eq!(Some(id.clone()), header(&b, "Message-ID"));
        assert!(id.starts_with("<outbox-7."), "{id}");
        assert!(id.ends_with("@p67.xn--80aafey1amqq.xn--d1acj3b>"), "{id}");
        // Another database's row 7, written at another time, is another message.
        let later = at + chrono::Duration::microseconds(1);
        assert_ne!(message_id(7, later, &mail("application_confirmed")), id);
        assert_eq!(
            header(&a, "Date").as_deref(),
            Some("Mon, 01 Mar 2027 10:00:00 +0000")
        );
    }

    #[test]
    fn notices_say_how_to_unsubscribe_and_security_mail_does_not() {
        let at = Utc::now();
        let notice = compose(1, at, &mail("application_confirmed")).unwrap();
        let unsubscribe = header(&notice, "List-Unsubscribe").unwrap();
        assert!(
            unsubscribe.starts_with("<mailto:support@p67.xn--80aafey1amqq.xn--d1acj3b?subject=%D0"),
            "{unsubscribe}"
        );
        assert_eq!(
            header(&notice, "Auto-Submitted").as_deref(),
            Some("auto-generated")
        );
        for kind in ["confirm_email", "reset_password", "set_password"] {
            let security = compose(1, at, &mail(kind)).unwrap();
            assert_eq!(header(&security, "List-Unsubscribe"), None, "{kind}");
            assert!(header(&security, "Auto-Submitted").is_some(), "{kind}");
        }
    }

    #[test]
    fn a_mail_that_cannot_be_made_is_invalid() {
        let mut bad = mail("confirm_email");
        bad.recipient = "не адрес".into();
        assert!(matches!(
            compose(1, Utc::now(), &bad),
            Err(MailError::Invalid(_))
        ));
    }
}

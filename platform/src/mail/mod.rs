//! Mail: composed from templates with the region's name and sender, written to the outbox
//! in the transaction of the change that causes it, and sent by a worker (`worker`) over
//! SMTP (`SMTP_URL`) or, without one, as `.eml` files in `data/mail` for a developer to read.
//! On the way out each row becomes a message with the headers receivers want (`message`),
//! signed with DKIM when a key is configured (`dkim`); what each kind of mail is, is
//! decided in `kinds`.

pub mod dkim;
pub mod kinds;
pub mod message;
pub mod outbox;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Serialize;
use tokio::sync::Notify;

use crate::db::{DbError, Tx};
use crate::templates::Templates;
use crate::tenant_id::TenantId;
use crate::time::Clock;

pub use outbox::Mail;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("адрес SMTP «{url}» не разобран: {reason}")]
    Url { url: String, reason: String },
    #[error("не удалось создать папку для писем {path}: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("шаблон письма {name}: {source}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
    #[error("вид письма «{0}» неизвестен (mail/kinds.rs)")]
    Kind(String),
    #[error("{setting}: {reason}")]
    Dkim {
        setting: &'static str,
        reason: String,
    },
    /// Not sent this time (no answer in time, connection refused, a 4xx reply): try later.
    #[error("не отправлено, повторим: {0}")]
    Deferred(String),
    /// The receiving server refused this mail for good (a 5xx reply): the same mail to the
    /// same address would get the same answer.
    #[error("отклонено сервером получателя: {0}")]
    Rejected(String),
    /// The row cannot be made into a message (an address that does not parse).
    #[error("письмо не составлено: {0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// SMTP replies that are permanent (5xx) but say that *our* credentials or connection are
/// wrong, not the recipient (RFC 4954: 530, 534, 535, 538): giving up on the mail would
/// lose every mail to a typo in the password, so they are retried like a 4xx.
const OUR_FAULT: &[u16] = &[530, 534, 535, 538];

/// Whether an SMTP failure gives up on the mail (`Rejected`) or is tried again (`Deferred`).
///
/// Only a refusal of *this recipient or this message* gives up: an enhanced status of class
/// 5.1 (address), 5.2 (mailbox), 5.3 (size) or 5.6 (content), or without one a basic 550–553.
/// A refusal of *us* — a relay that denies relaying (5.7.x), a greeting of 554, a protocol
/// error — would refuse every mail alike; giving those up would drop all mail during a
/// misconfiguration, so they are retried with the usual back-off (and given up only when the
/// attempts run out).
fn smtp_failure(permanent: bool, code: Option<u16>, text: String) -> MailError {
    let Some(code) = code.filter(|_| permanent) else {
        return MailError::Deferred(text);
    };
    let about_recipient = match enhanced_class(&text) {
        Some(class) => matches!(class, 1 | 2 | 3 | 6),
        None => (550..=553).contains(&code),
    };
    if about_recipient && !OUR_FAULT.contains(&code) {
        MailError::Rejected(text)
    } else {
        MailError::Deferred(text)
    }
}

/// The class (the middle digit's predecessor: `5.1.1` → 1) of the first RFC 3463 enhanced
/// status code of a permanent reply's text, if it has one.
fn enhanced_class(text: &str) -> Option<u8> {
    text.split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .find_map(|word| {
            let mut parts = word.split('.');
            let (five, class, detail) = (parts.next()?, parts.next()?, parts.next()?);
            let digits = |s: &str, n: usize| {
                !s.is_empty() && s.len() <= n && s.bytes().all(|b| b.is_ascii_digit())
            };
            (five == "5" && digits(class, 3) && digits(detail, 3) && parts.next().is_none())
                .then(|| class.parse().ok())
                .flatten()
        })
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Delivers rows of the outbox; `wake` tells the worker of this process that a row was
/// committed, so mail leaves within milliseconds rather than at the next poll.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    /// The most one send may take, from connecting to the server's last reply.
    send_timeout: Duration,
    signer: Option<Arc<dkim::Signer>>,
    wake: Arc<Notify>,
}

impl Mailer {
    /// SMTP at `smtp_url` (`smtp://`, `smtps://`, `?tls=required` for STARTTLS, user and
    /// password in the URL), or `.eml` files in `mail_dir`; each send bounded by
    /// `send_timeout`, and signed with `dkim` when given (its key is read now, so a bad one
    /// stops the start-up).
    pub fn new(
        smtp_url: Option<&str>,
        mail_dir: PathBuf,
        send_timeout: Duration,
        dkim: Option<&dkim::DkimSettings>,
    ) -> Result<Self, MailError> {
        let signer = dkim.map(dkim::Signer::load).transpose()?.map(Arc::new);
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::Url {
                        url: crate::db::redact(url),
                        reason: e.to_string(),
                    })?
                    // lettre bounds only the TCP connect with this; `send` bounds the rest.
                    .timeout(Some(send_timeout))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&mail_dir).map_err(|source| MailError::Dir {
                    path: mail_dir.display().to_string(),
                    source,
                })?;
                Transport::Files(AsyncFileTransport::new(mail_dir))
            }
        };
        Ok(Self {
            transport,
            send_timeout,
            signer,
            wake: Arc::new(Notify::new()),
        })
    }

    /// Call after committing a transaction that wrote to the outbox.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends outbox row `id`. The whole conversation is bounded by the send timeout: lettre's
    /// asynchronous transport bounds only the connect, and a server that accepts the
    /// connection and then says nothing would hold the worker (and the row's claim) forever.
    #[tracing::instrument(skip_all, fields(id = id, kind = %mail.kind))]
    async fn send(
        &self,
        id: i64,
        created_at: chrono::DateTime<chrono::Utc>,
        mail: &Mail,
    ) -> Result<(), MailError> {
        let mut message = message::compose(id, created_at, mail)?;
        if let Some(signer) = &self.signer {
            signer.sign(&mut message);
        }
        let sent = match &self.transport {
            Transport::Smtp(t) => tokio::time::timeout(self.send_timeout, t.send(message))
                .await
                .map(|r| {
                    r.map(|_| ()).map_err(|e| {
                        smtp_failure(e.is_permanent(), e.status().map(u16::from), e.to_string())
                    })
                }),
            Transport::Files(t) => tokio::time::timeout(self.send_timeout, t.send(message))
                .await
                .map(|r| {
                    r.map(|_| ())
                        .map_err(|e| MailError::Deferred(e.to_string()))
                }),
        };
        sent.unwrap_or_else(|_| {
            Err(MailError::Deferred(format!(
                "нет ответа сервера за {} с",
                self.send_timeout.as_secs_f64()
            )))
        })
    }
}

/// Whom a mail is from and what it says about the region.
#[derive(Debug, Clone, Serialize)]
pub struct Sender {
    pub tenant_id: TenantId,
    /// «Навигатор67. Отдел поддержки».
    pub name: String,
    /// ASCII form (punycode domain), as SMTP needs it.
    pub address: String,
    pub region_name: String,
    pub support_email: String,
    /// `https://p67.навигатор.дети`: links in the mail start with it.
    pub base_url: String,
}

impl Sender {
    /// The platform itself (operators' mail), from `noreply@` the base domain.
    pub fn platform(base_domain: &tenants::Host, base_url: &str) -> Self {
        let address = format!("noreply@{}", base_domain.as_ascii());
        Self {
            tenant_id: TenantId::PLATFORM,
            name: "Навигатор. Отдел поддержки".into(),
            support_email: address.clone(),
            address,
            region_name: "Навигатор дополнительного образования детей".into(),
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }
}

/// Where the capabilities put their mail: rendered from the templates, written to the
/// outbox in the caller's transaction, and the worker woken after the commit.
#[derive(Clone)]
pub struct Outbox {
    templates: Arc<Templates>,
    mailer: Mailer,
    clock: Clock,
}

impl Outbox {
    pub fn new(templates: Arc<Templates>, mailer: Mailer, clock: Clock) -> Self {
        Self {
            templates,
            mailer,
            clock,
        }
    }

    /// Call after committing a transaction that wrote to the outbox.
    pub fn wake(&self) {
        self.mailer.wake();
    }

    /// Renders `mail/{kind}.txt` (first line: the subject) and `mail/{kind}.html` with `ctx`
    /// plus the sender's region, and writes the mail to the outbox in `tx`.
    pub async fn enqueue(
        &self,
        tx: &mut Tx,
        sender: &Sender,
        kind: &str,
        recipient: &str,
        ctx: minijinja::Value,
    ) -> Result<(), MailError> {
        if kinds::class(kind).is_none() {
            return Err(MailError::Kind(kind.to_owned()));
        }
        let ctx = minijinja::context! { sender, ..ctx };
        let render = |name: String| {
            self.templates
                .render(&name, ctx.clone())
                .map_err(|source| MailError::Template { name, source })
        };
        let text = render(format!("mail/{kind}.txt"))?;
        let html = render(format!("mail/{kind}.html"))?;
        let (subject, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        let mail = Mail {
            tenant_id: sender.tenant_id,
            kind: kind.to_owned(),
            recipient: recipient.to_owned(),
            sender_name: sender.name.clone(),
            sender: sender.address.clone(),
            subject: subject.trim().to_owned(),
            text: body.trim_start().to_owned(),
            html,
        };
        outbox::insert(tx, &mail, self.clock.now()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_of_the_recipient_or_the_message_gives_up() {
        let rejected = |code, text: &str| {
            matches!(
                smtp_failure(true, Some(code), text.to_owned()),
                MailError::Rejected(_)
            )
        };
        assert!(rejected(
            550,
            "permanent error (550): 5.1.1 <a@b.ru>: no such user"
        ));
        assert!(rejected(552, "552 5.2.2 mailbox full"));
        assert!(rejected(554, "554 5.6.0 message content rejected"));
        assert!(
            !rejected(550, "550 5.7.1 relaying denied"),
            "a relay refusing us"
        );
        assert!(!rejected(554, "554 5.7.1 client host blocked"));
        assert!(
            !rejected(554, "554 no SMTP service here"),
            "a greeting refusing us"
        );
        assert_eq!(enhanced_class("5.1.10"), Some(1));
        assert_eq!(enhanced_class("version 5.1 only"), None);
    }

    #[test]
    fn a_permanent_reply_gives_up_unless_it_blames_our_credentials() {
        let rejected = |permanent, code| {
            matches!(
                smtp_failure(permanent, code, String::new()),
                MailError::Rejected(_)
            )
        };
        assert!(rejected(true, Some(550)));
        assert!(
            !rejected(true, Some(554)),
            "a 554 greeting refuses everyone: retried"
        );
        assert!(!rejected(false, Some(450)), "4xx is retried");
        assert!(!rejected(true, Some(535)), "bad password: retried");
        assert!(!rejected(false, None), "no reply at all: retried");
    }
}

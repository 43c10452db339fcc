//! Every kind of mail the platform sends, and what each is: the one place that decides
//! which mails may carry `List-Unsubscribe`.
//!
//! A security mail (a confirmation link, a password link) answers something the recipient
//! or an administrator just did and must arrive whatever the recipient's preferences: an
//! unsubscribe link in it would only invite the recipient to cut themselves off from their
//! own account. A notice tells of a change to something the recipient follows (an
//! application, a certificate); mail providers expect such mail to say how to stop it.

/// What a mail is to its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Links and warnings about the account itself: never `List-Unsubscribe`.
    Security,
    /// News about applications and certificates: `List-Unsubscribe` to the region's support.
    Notice,
}

/// Each kind (the name of its templates in `templates/mail/`) with its class. A kind
/// missing here cannot be written to the outbox (`Outbox::enqueue` refuses it), and a
/// template without a line here fails the test below.
const KINDS: &[(&str, Class)] = &[
    ("confirm_email", Class::Security),
    ("register_again", Class::Security),
    ("register_unconfirmed", Class::Security),
    ("reset_password", Class::Security),
    ("set_password", Class::Security),
    ("visitor_welcome", Class::Security),
    ("desk_sign_in", Class::Security),
    ("application_confirmed", Class::Notice),
    ("application_enrolled", Class::Notice),
    ("application_digest", Class::Notice),
    ("application_new", Class::Notice),
    ("application_notice", Class::Notice),
    ("application_promoted", Class::Notice),
    ("application_rejected", Class::Notice),
    ("certificate_confirmed", Class::Notice),
    ("certificate_rejected", Class::Notice),
    ("program_decision", Class::Notice),
];

/// The class of `kind`, or `None` for a kind the platform does not know.
pub fn class(kind: &str) -> Option<Class> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_template_has_a_class_and_every_class_a_template() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/mail");
        let mut templates: Vec<String> = std::fs::read_dir(&dir)
            .expect("templates/mail")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        templates.sort();
        let mut known: Vec<String> = KINDS.iter().map(|(k, _)| k.to_string()).collect();
        known.sort();
        assert_eq!(templates, known);
    }

    #[test]
    fn links_to_the_account_are_security_mail() {
        for kind in ["confirm_email", "reset_password", "set_password"] {
            assert_eq!(class(kind), Some(Class::Security), "{kind}");
        }
        assert_eq!(class("application_confirmed"), Some(Class::Notice));
        assert_eq!(class("newsletter"), None);
    }
}

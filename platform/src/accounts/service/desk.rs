//! «Приём заявителя»: an organization's staff member registers a family that came in
//! person. The account is the parent's from the start: it has no password until the parent
//! follows the mailed link, which confirms the address and takes the account over; until
//! then the desk that made it may correct it. An address or a phone already registered in
//! the region is only said to be registered — whose account it is, and what it holds, is
//! never shown; its owner can be sent a sign-in link instead.

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::DbError;
use crate::domain::{plain_text, Email};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};

use crate::accounts::assisted::{self, Consent, VisitorData};
use crate::accounts::limits::{self, Limit};
use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self, NewUser, User};
use crate::accounts::values::{parse_mobile, PersonName, Role};

use super::registration::parse_municipality;
use super::{Accounts, RESET_LINK_TTL, SET_PASSWORD_LINK_TTL};

/// The desk's form as typed: the parent, and the paper consent they signed.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct VisitorForm {
    pub municipality: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: String,
    pub phone: String,
    pub email: String,
    /// The number of the signed consent form.
    pub consent_number: String,
    /// `ДД.ММ.ГГГГ` or `YYYY-MM-DD`.
    pub consent_date: String,
    /// Who took the signature (the staff member's name by default).
    pub consent_taken_by: String,
}

/// What is already registered in the region, said without saying whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Taken {
    Email,
    Phone,
}

impl Taken {
    pub fn message(self) -> &'static str {
        match self {
            Taken::Email => "Заявитель с таким адресом электронной почты уже зарегистрирован в навигаторе региона.",
            Taken::Phone => "Заявитель с таким номером телефона уже зарегистрирован в навигаторе региона.",
        }
    }
}

/// What the desk's registration (or correction) came to.
#[derive(Debug)]
pub enum DeskOutcome {
    /// The account's id: made (or corrected), and its owner mailed the set-password link.
    Saved(i64),
    /// Nothing was changed: this is already registered in the region.
    AlreadyRegistered(Vec<Taken>),
}

/// A staff member may send this many sign-in links an hour, and an account receive this
/// many: each one mails a stranger's inbox.
const SIGN_IN_LINKS_PER_STAFF: Limit = Limit::per(20, 60);
/// The desk's look-ups (a registration, a correction, a child, a certificate number) a staff
/// member may make an hour: each one may say that something is registered in the region,
/// so a script must not run through the region with them.
const LOOKUPS_PER_STAFF: Limit = Limit::per(120, 60);
const SIGN_IN_LINKS_PER_ACCOUNT: Limit = Limit::per(3, 60);

struct Parsed {
    municipality: String,
    last_name: PersonName,
    first_name: PersonName,
    middle_name: Option<PersonName>,
    phone: String,
    email: String,
}

fn parse_visitor(tenant: &Tenant, form: &VisitorForm) -> (FieldCheck, Option<Parsed>) {
    let mut check = FieldCheck::default();
    let municipality = check.field(
        "municipality",
        parse_municipality(tenant, &form.municipality),
    );
    let last_name = check.field("last_name", PersonName::parse(&form.last_name, "фамилию"));
    let first_name = check.field("first_name", PersonName::parse(&form.first_name, "имя"));
    let middle_name = check.field(
        "middle_name",
        PersonName::parse_optional(&form.middle_name, "отчество"),
    );
    let phone = check.field("phone", parse_mobile(&form.phone));
    let email = check.field("email", Email::parse(&form.email));
    let parsed = match (
        municipality,
        last_name,
        first_name,
        middle_name,
        phone,
        email,
    ) {
        (Some(m), Some(l), Some(f), Some(mid), Some(p), Some(e)) => Some(Parsed {
            municipality: m,
            last_name: l,
            first_name: f,
            middle_name: mid,
            phone: p.as_e164().to_owned(),
            email: e.to_string(),
        }),
        _ => None,
    };
    (check, parsed)
}

fn required_text(raw: &str, max: usize, missing: &str) -> Result<String, String> {
    let text = plain_text(raw, max)?.trim();
    if text.is_empty() {
        return Err(missing.to_owned());
    }
    Ok(text.to_owned())
}

fn parse_consent_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("укажите дату согласия".into());
    }
    let date = NaiveDate::parse_from_str(raw, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d"))
        .map_err(|_| format!("«{raw}»: укажите дату в формате ДД.ММ.ГГГГ"))?;
    if date > today {
        return Err("дата согласия не может быть в будущем".into());
    }
    if today - date > chrono::Duration::days(366) {
        return Err("согласие подписано больше года назад: оформите новое".into());
    }
    Ok(date)
}

/// The staff member's organization, or no right to the desk.
fn desk_org(staff: &Viewer) -> Result<i64, ServiceError> {
    staff.user.staff_org().ok_or(ServiceError::Forbidden)
}

impl Accounts {
    /// Counts one look-up of the desk against the staff member's hourly limit.
    pub async fn desk_lookup(&self, tenant: &Tenant, staff: &Viewer) -> Result<(), ServiceError> {
        limits::hit(
            &self.counters,
            tenant.id,
            "desk-lookup",
            &staff.user.id.to_string(),
            LOOKUPS_PER_STAFF,
        )
        .await
    }

    /// Registers the parent who came in person, «создан организацией»: no password, the
    /// paper consent recorded, a mail with the link to set a password and confirm the
    /// address. An address or a phone registered in the region already changes nothing.
    #[tracing::instrument(skip_all, fields(tenant = tenant.slug()))]
    pub async fn register_visitor(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        form: &VisitorForm,
    ) -> Result<DeskOutcome, ServiceError> {
        let organization = desk_org(staff)?;
        let today = tenant.today(&self.clock);
        let (mut check, parsed) = parse_visitor(tenant, form);
        let number = check.field(
            "consent_number",
            required_text(&form.consent_number, 50, "укажите номер бланка согласия"),
        );
        let date = check.field(
            "consent_date",
            parse_consent_date(&form.consent_date, today),
        );
        let taken_by = check.field(
            "consent_taken_by",
            required_text(&form.consent_taken_by, 200, "укажите, кто принял согласие"),
        );
        check.done()?;
        let (Some(p), Some(number), Some(date), Some(taken_by)) = (parsed, number, date, taken_by)
        else {
            unreachable!("every field parsed when there are no errors");
        };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let taken = taken_in(&mut tx, tenant, &p, None).await?;
        if !taken.is_empty() {
            return Ok(DeskOutcome::AlreadyRegistered(taken));
        }
        let new = NewUser {
            email: &p.email,
            password_hash: None,
            role: Role::Parent,
            organization_id: None,
            municipality_id: Some(&p.municipality),
            last_name: p.last_name.as_str(),
            first_name: p.first_name.as_str(),
            middle_name: p.middle_name.as_ref().map(PersonName::as_str),
            phone: Some(&p.phone),
            birth_date: None,
        };
        // The unique key decides between two desks registering one address at once.
        let Some(id) = store::insert_user(&mut tx, tenant.id, &new, now).await? else {
            return Ok(DeskOutcome::AlreadyRegistered(vec![Taken::Email]));
        };
        let consent = Consent {
            number: &number,
            date: date.to_string(),
            taken_by: &taken_by,
        };
        assisted::insert(
            &mut tx,
            tenant.id,
            id,
            organization,
            staff.user.id,
            &consent,
            now,
        )
        .await?;
        let user = store::user_by_id_in(&mut tx, tenant.id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.send_password_link(
            &mut tx,
            sender,
            &user,
            "visitor_welcome",
            SET_PASSWORD_LINK_TTL,
        )
        .await?;
        desk_audit(
            &mut tx,
            tenant,
            staff,
            "visitor_register",
            id,
            &format!("согласие № {number} от {}", crate::time::day(date)),
            now,
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(DeskOutcome::Saved(id))
    }

    /// Corrects an account the desk made, until its parent takes it over; a new address gets
    /// the set-password link again (the old one stops working).
    pub async fn edit_visitor(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        user_id: i64,
        form: &VisitorForm,
    ) -> Result<DeskOutcome, ServiceError> {
        let before = self.desk_account(tenant, staff, user_id).await?;
        let (check, parsed) = parse_visitor(tenant, form);
        check.done()?;
        let p = parsed.expect("every field parsed when there are no errors");
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let taken = taken_in(&mut tx, tenant, &p, Some(user_id)).await?;
        if !taken.is_empty() {
            return Ok(DeskOutcome::AlreadyRegistered(taken));
        }
        let data = VisitorData {
            email: &p.email,
            municipality_id: &p.municipality,
            last_name: p.last_name.as_str(),
            first_name: p.first_name.as_str(),
            middle_name: p.middle_name.as_ref().map(PersonName::as_str),
            phone: &p.phone,
        };
        match assisted::update_visitor(&mut tx, tenant.id, user_id, &data, now).await {
            Ok(true) => {}
            Ok(false) => return Err(taken_over()),
            // Another account took the address since the check: the unique key says so.
            Err(DbError::Query(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                return Ok(DeskOutcome::AlreadyRegistered(vec![Taken::Email]));
            }
            Err(e) => return Err(e.into()),
        }
        if store::email_key(&before.email) != store::email_key(&p.email) {
            let user = store::user_by_id_in(&mut tx, tenant.id, user_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            self.send_password_link(
                &mut tx,
                sender,
                &user,
                "visitor_welcome",
                SET_PASSWORD_LINK_TTL,
            )
            .await?;
        }
        desk_audit(&mut tx, tenant, staff, "visitor_edit", user_id, "", now).await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(DeskOutcome::Saved(user_id))
    }

    /// «Отправить письмо ещё раз»: the set-password link of an account the desk made.
    pub async fn resend_visitor_link(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        user_id: i64,
    ) -> Result<(), ServiceError> {
        let user = self.desk_account(tenant, staff, user_id).await?;
        limits::hit(
            &self.counters,
            tenant.id,
            "visitor-resend",
            &user.id.to_string(),
            self.limits.resend_account,
        )
        .await?;
        let mut tx = self.db.begin().await?;
        self.send_password_link(
            &mut tx,
            sender,
            &user,
            "visitor_welcome",
            SET_PASSWORD_LINK_TTL,
        )
        .await?;
        desk_audit(
            &mut tx,
            tenant,
            staff,
            "visitor_link",
            user_id,
            "",
            self.clock.now(),
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// «Отправить ссылку для входа»: the owner of an account the desk found already
    /// registered (`owner`, looked up by the caller; `None` when there is none) is mailed a
    /// link to sign in or set a password. The desk is told the same either way.
    pub async fn send_desk_sign_in(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        owner: Option<i64>,
    ) -> Result<(), ServiceError> {
        desk_org(staff)?;
        limits::hit(
            &self.counters,
            tenant.id,
            "desk-sign-in",
            &staff.user.id.to_string(),
            SIGN_IN_LINKS_PER_STAFF,
        )
        .await?;
        let Some(owner) = owner else {
            return Ok(());
        };
        // Only a family's account: a staff member's password links are not the desk's to send.
        let Some(user) = store::user_by_id(&self.db, tenant.id, owner)
            .await?
            .filter(|u| u.role == Role::Parent)
        else {
            return Ok(());
        };
        if limits::hit(
            &self.counters,
            tenant.id,
            "desk-sign-in-account",
            &user.id.to_string(),
            SIGN_IN_LINKS_PER_ACCOUNT,
        )
        .await
        .is_err()
        {
            // The owner has had enough mails this hour; the desk is told what it always is.
            return Ok(());
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        self.send_password_link(&mut tx, sender, &user, "desk_sign_in", RESET_LINK_TTL)
            .await?;
        desk_audit(
            &mut tx,
            tenant,
            staff,
            "visitor_sign_in_link",
            user.id,
            "",
            now,
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// An account this staff member's organization made, not yet taken over.
    async fn desk_account(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        user_id: i64,
    ) -> Result<User, ServiceError> {
        let organization = desk_org(staff)?;
        let row = assisted::of_user(&self.db, tenant.id, user_id)
            .await?
            .filter(|a| a.organization_id == organization)
            .ok_or(ServiceError::NotFound)?;
        if row.taken_over_at.is_some() {
            return Err(taken_over());
        }
        store::user_by_id(&self.db, tenant.id, user_id)
            .await?
            .ok_or(ServiceError::NotFound)
    }
}

/// The refusal once the parent owns the account.
pub fn taken_over() -> ServiceError {
    ServiceError::Refused(
        "Заявитель уже вошёл в навигатор сам: учётная запись принадлежит ему, и изменить её \
         данные может только он."
            .into(),
    )
}

async fn taken_in(
    tx: &mut crate::db::Tx,
    tenant: &Tenant,
    p: &Parsed,
    except: Option<i64>,
) -> Result<Vec<Taken>, ServiceError> {
    let mut taken = Vec::new();
    if let Some(u) = store::user_by_email_in(tx, tenant.id, &p.email).await? {
        if Some(u.id) != except {
            taken.push(Taken::Email);
        }
    }
    if assisted::phone_owner(tx, tenant.id, &p.phone, except)
        .await?
        .is_some()
    {
        taken.push(Taken::Phone);
    }
    Ok(taken)
}

async fn desk_audit(
    tx: &mut crate::db::Tx,
    tenant: &Tenant,
    staff: &Viewer,
    action: &str,
    user: i64,
    detail: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ServiceError> {
    store::audit(
        tx,
        tenant.id,
        &store::Audit {
            actor: Some(staff.user.id),
            action,
            subject: &format!("user:{user}"),
            detail,
            ip: staff.ip(),
            organization: None,
            at: now,
        },
    )
    .await?;
    Ok(())
}

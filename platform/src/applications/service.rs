//! The rules of applications: who may apply where, the organization's decisions, seats and
//! the waitlist, withdrawal. Every decision is mailed (to a confirmed address) with the
//! organization's contacts. The contracts a confirmation commits certificate money to, and
//! their monthly billing, are in [`super::contracts`].

use chrono::NaiveDate;

use crate::accounts::sessions::Viewer;
use crate::accounts::store as accounts;
use crate::accounts::values::{age_on, Role};
use crate::catalog::store::{self as catalog, Group, Organization};
use crate::certificates::store::{self as certificates, Status as CertificateStatus};
use crate::db::{DbError, Tx};
use crate::domain::{FieldError, Money};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::ServiceError;

use super::arrivals::Filed;
use super::contracts::{commit_contract, end_contract};
use super::store::{self, Application, NewApplication, Status};

/// Applications: applying, the waitlist, decisions, contracts and billing (the last two in
/// [`super::contracts`]). Holds what these rules use, and nothing else.
#[derive(Clone)]
pub struct Applications {
    pub(super) db: Db,
    pub(super) outbox: Outbox,
    pub(super) clock: Clock,
}

impl Applications {
    pub fn new(db: Db, outbox: Outbox, clock: Clock) -> Self {
        Self { db, outbox, clock }
    }
}

pub(super) type Result<T> = std::result::Result<T, ServiceError>;

pub(super) fn refused<T>(message: impl Into<String>) -> Result<T> {
    Err(ServiceError::Refused(message.into()))
}

use crate::db::Db;
use crate::mail::Outbox;
use crate::time::Clock;

/// A unique-key violation: another request made the same application at the same moment.
fn is_duplicate(e: &DbError) -> bool {
    matches!(e, DbError::Query(sqlx::Error::Database(d)) if d.is_unique_violation())
}

impl Applications {
    /// «Записаться»: checks every rule and files the application — «Новая» while the group has
    /// free seats, «В очереди» when it is full.
    pub async fn apply(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        group_id: i64,
        child_id: i64,
    ) -> Result<Application> {
        let user = viewer.parent()?;
        let group = catalog::group(&self.db, tenant.id, group_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let program = catalog::published_program(&self.db, tenant.id, group.program_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let child = crate::children::store::child_of(&self.db, tenant.id, user.id, child_id)
            .await?
            .ok_or_else(|| {
                ServiceError::Invalid(vec![FieldError::new("child", "выберите своего ребёнка")])
            })?;
        // At the desk the parent is present and hears the decision there; their address is
        // confirmed when they take the account over.
        if let Some(desk) = viewer.desk() {
            if program.organization_id != desk.organization_id {
                return refused(
                    "На личном приёме заявку записывают только в группы своей организации.",
                );
            }
        } else if !user.email_confirmed {
            return refused("Подтвердите адрес электронной почты: без этого организация не сможет сообщить о решении.");
        }
        let today = tenant.today(&self.clock);
        if let Some(closure) = group.closure(today) {
            return refused(closure.refusal(&group));
        }
        let born = NaiveDate::parse_from_str(&child.birth_date, "%Y-%m-%d")
            .map_err(|e| ServiceError::Internal(e.into()))?;
        let age = age_on(born, today);
        if !program.ages.contains(u8::try_from(age).unwrap_or(u8::MAX)) {
            return refused(format!(
                "Программа рассчитана на детей {}, а ребёнку {age}.",
                program.ages
            ));
        }
        let funding = self.funding(tenant, &group, user.id, child.id).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if store::live_exists(&mut tx, tenant.id, child.id, group.id).await? {
            return refused("У ребёнка уже есть заявка или зачисление в эту группу.");
        }
        let status = if store::group_is_full(&mut tx, tenant.id, group.id).await? {
            Status::Waitlisted
        } else {
            Status::New
        };
        let new = NewApplication {
            child_id: child.id,
            parent_id: user.id,
            group_id: group.id,
            program_id: program.id,
            organization_id: program.organization_id,
            status,
            funding,
            recorded_by: viewer.desk().map(|d| d.staff_id),
        };
        let id = match store::insert(&mut tx, tenant.id, &new, now).await {
            Ok(id) => id,
            Err(e) if is_duplicate(&e) => {
                return refused("У ребёнка уже есть заявка или зачисление в эту группу.")
            }
            Err(e) => return Err(e.into()),
        };
        let filed = Filed {
            id,
            organization_id: program.organization_id,
            status,
            program: &program.title,
            group: &group.name,
            child: format!("{} {}", child.last_name, child.first_name),
            recorded_by: new.recorded_by,
        };
        self.announce(&mut tx, tenant, sender, &filed).await?;
        if viewer.desk().is_some() {
            accounts::audit(
                &mut tx,
                tenant.id,
                &accounts::Audit {
                    actor: Some(viewer.actor()),
                    action: "application_in_person",
                    subject: &format!("application:{id}"),
                    detail: &format!("child:{}; group {}", child.id, group.id),
                    ip: viewer.ip(),
                    organization: None,
                    at: now,
                },
            )
            .await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        store::by_id(&self.db, tenant.id, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// How the group will be paid for: by certificate when the group takes it and the child
    /// has a confirmed certificate, by the family when it offers that, free otherwise.
    async fn funding(
        &self,
        tenant: &Tenant,
        group: &Group,
        parent: i64,
        child: i64,
    ) -> Result<&'static str> {
        let confirmed_certificate = certificates::of_parent(&self.db, tenant.id, parent)
            .await?
            .iter()
            .any(|c| c.child_id == child && c.status == CertificateStatus::Confirmed);
        match (group.price_certificate, group.price_paid) {
            (Some(_), _) if confirmed_certificate => Ok("certificate"),
            (_, Some(_)) => Ok("paid"),
            (Some(_), None) => refused(
                "Обучение в группе оплачивается сертификатом: получите сертификат и подтвердите данные ребёнка.",
            ),
            (None, None) => Ok("free"),
        }
    }

    /// The parent's application, or not found (another parent's is not theirs to see).
    async fn parents(&self, tenant: &Tenant, viewer: &Viewer, id: i64) -> Result<Application> {
        store::by_id(&self.db, tenant.id, id)
            .await?
            .filter(|a| a.parent_id == viewer.user.id && viewer.user.role == Role::Parent)
            .ok_or(ServiceError::NotFound)
    }

    /// The parent cancels an application not decided yet; the organization is told.
    pub async fn cancel(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        id: i64,
    ) -> Result<()> {
        let app = self.parents(tenant, viewer, id).await?;
        let mailing = Mailing::prepare(&self.db, tenant, sender, &app).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        if !store::transition(
            &mut tx,
            tenant.id,
            id,
            &[Status::New, Status::Waitlisted],
            Status::Cancelled,
            None,
            Some(viewer.user.id),
            now,
        )
        .await?
        {
            return refused(
                "Отменить можно только заявку, по которой организация ещё не приняла решение.",
            );
        }
        mailing
            .to_organization(&mut tx, &self.outbox, sender, "Родитель отменил заявку.")
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// Отчисление: the parent takes the child out of a group (confirmed or enrolled). The seat
    /// frees up for the first in the waitlist, a certificate contract ends and what was not
    /// spent returns to the certificate; the organization is told.
    pub async fn withdraw(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        id: i64,
    ) -> Result<()> {
        let app = self.parents(tenant, viewer, id).await?;
        let mailing = Mailing::prepare(&self.db, tenant, sender, &app).await?;
        let now = self.clock.now();
        // A child never enrolled is not «Отчислен»: their confirmed application is cancelled.
        // Each is tried in the transaction, so an enrollment a moment ago is seen.
        let mut tx = self.db.begin().await?;
        let mut what = None;
        for (from, to, told) in [
            (
                Status::Enrolled,
                Status::Withdrawn,
                "Родитель отчислил ребёнка из группы.",
            ),
            (
                Status::Confirmed,
                Status::Cancelled,
                "Родитель отменил подтверждённую заявку: ребёнок не придёт.",
            ),
        ] {
            let by = Some(viewer.user.id);
            if store::transition(&mut tx, tenant.id, id, &[from], to, None, by, now).await? {
                what = Some(told);
                break;
            }
        }
        let Some(what) = what else {
            return refused(
                "Отменить или отчислить можно, пока заявка подтверждена или ребёнок зачислен.",
            );
        };
        end_contract(
            &mut tx,
            tenant.id,
            id,
            Some(viewer.user.id),
            self.clock.now(),
        )
        .await?;
        store::free_seat(&mut tx, tenant.id, app.group_id).await?;
        mailing
            .to_organization(&mut tx, &self.outbox, sender, what)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        // The withdrawal stands whatever happens next; a promotion that fails is logged and
        // the next freed seat tries again.
        if let Err(e) = self.promote(tenant, sender, app.group_id).await {
            tracing::error!(error = %e, group = app.group_id, "waitlist promotion failed");
        }
        // One wake for the withdrawal's mail and the promotion's.
        self.outbox.wake();
        Ok(())
    }

    /// A seat freed up: the first application in the waitlist becomes «Новая» for the
    /// organization to decide on, and both sides are told. Its own transaction, after the
    /// seat was freed; if someone else moved that application meanwhile, the next one goes.
    async fn promote(&self, tenant: &Tenant, sender: &Sender, group: i64) -> Result<()> {
        for _ in 0..5 {
            let Some(next) = store::first_waiting(&self.db, tenant.id, group).await? else {
                return Ok(());
            };
            let app = store::by_id(&self.db, tenant.id, next)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let mailing = Mailing::prepare(&self.db, tenant, sender, &app).await?;
            let mut tx = self.db.begin().await?;
            if !store::transition(
                &mut tx,
                tenant.id,
                next,
                &[Status::Waitlisted],
                Status::New,
                Some("Освободилось место"),
                None,
                self.clock.now(),
            )
            .await?
            {
                continue;
            }
            mailing
                .to_parent(&mut tx, &self.outbox, sender, "application_promoted", None)
                .await?;
            mailing
                .to_organization(&mut tx, &self.outbox, sender, "В группе освободилось место: первая заявка из очереди передана вам на рассмотрение.")
                .await?;
            tx.commit().await.map_err(DbError::from)?;
            return Ok(());
        }
        Ok(())
    }

    /// The organization's application; another organization's is not found.
    pub async fn organizations(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<Application> {
        let org = staff_org(viewer)?;
        store::by_id(&self.db, tenant.id, id)
            .await?
            .filter(|a| a.organization_id == org)
            .ok_or(ServiceError::NotFound)
    }

    /// «Подтвердить» / «Отклонить» / «Зачислить» one application, in its own transaction.
    /// Everything the decision reads besides the rows it changes is read before the
    /// transaction starts: a transaction never waits for a second connection.
    pub async fn decide(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        id: i64,
        decision: Decision<'_>,
    ) -> Result<()> {
        let app = self.organizations(tenant, viewer, id).await?;
        let mailing = Mailing::prepare(&self.db, tenant, sender, &app).await?;
        let actor = Some(viewer.user.id);
        let now = self.clock.now();
        match decision {
            Decision::Confirm => {
                if app.status != Status::New {
                    return refused(format!(
                        "Заявка в состоянии «{}»: подтвердить можно только новую.",
                        app.status.label()
                    ));
                }
                let plan = match app.funding.as_str() {
                    "certificate" => Some(self.plan_contract(tenant, &app).await?),
                    _ => None,
                };
                let mut tx = self.db.begin().await?;
                if !store::take_seat(&mut tx, tenant.id, app.group_id).await? {
                    return refused("В группе нет свободных мест.");
                }
                if let Some(plan) = &plan {
                    if !commit_contract(&mut tx, tenant, &app, plan, actor, self.clock.now())
                        .await?
                    {
                        drop(tx);
                        let available = certificates::balance(
                            &self.db,
                            tenant.id,
                            plan.certificate_id,
                            plan.period,
                        )
                        .await?
                        .map_or(0, |b| b.available());
                        return refused(format!(
                            "Недостаточно средств на сертификате: по договору нужно {}, доступно {}.",
                            Money::from_kopecks(plan.total()),
                            Money::from_kopecks(available)
                        ));
                    }
                }
                if !store::transition(
                    &mut tx,
                    tenant.id,
                    id,
                    &[Status::New],
                    Status::Confirmed,
                    None,
                    actor,
                    now,
                )
                .await?
                {
                    return refused("Заявку уже рассмотрели.");
                }
                mailing
                    .to_parent(&mut tx, &self.outbox, sender, "application_confirmed", None)
                    .await?;
                tx.commit().await.map_err(DbError::from)?;
            }
            Decision::Reject(comment) => {
                let comment = comment.trim();
                if let Err(m) = crate::domain::plain_text(comment, 1000) {
                    return Err(ServiceError::Invalid(vec![FieldError::new("comment", m)]));
                }
                if comment.is_empty() {
                    return Err(ServiceError::Invalid(vec![FieldError::new(
                        "comment",
                        "напишите родителю причину отказа",
                    )]));
                }
                let mut tx = self.db.begin().await?;
                if !store::transition(
                    &mut tx,
                    tenant.id,
                    id,
                    &[Status::New, Status::Waitlisted],
                    Status::Rejected,
                    Some(comment),
                    actor,
                    now,
                )
                .await?
                {
                    return refused(format!(
                        "Заявка в состоянии «{}»: отклонить можно только нерассмотренную.",
                        app.status.label()
                    ));
                }
                mailing
                    .to_parent(
                        &mut tx,
                        &self.outbox,
                        sender,
                        "application_rejected",
                        Some(comment),
                    )
                    .await?;
                tx.commit().await.map_err(DbError::from)?;
            }
            Decision::Enroll => {
                let mut tx = self.db.begin().await?;
                if !store::transition(
                    &mut tx,
                    tenant.id,
                    id,
                    &[Status::Confirmed],
                    Status::Enrolled,
                    None,
                    actor,
                    now,
                )
                .await?
                {
                    return refused(format!(
                        "Заявка в состоянии «{}»: зачислить можно только по подтверждённой.",
                        app.status.label()
                    ));
                }
                mailing
                    .to_parent(&mut tx, &self.outbox, sender, "application_enrolled", None)
                    .await?;
                tx.commit().await.map_err(DbError::from)?;
            }
        }
        self.outbox.wake();
        Ok(())
    }

    /// The same decision for many applications: each is decided (or refused) on its own.
    pub async fn decide_many(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        ids: &[i64],
        decision: Decision<'_>,
    ) -> Result<Vec<(i64, std::result::Result<(), String>)>> {
        staff_org(viewer)?;
        let mut results = Vec::with_capacity(ids.len());
        for &id in ids {
            let outcome = match self.decide(tenant, sender, viewer, id, decision).await {
                Ok(()) => Ok(()),
                // The same comment is missing for every one: say it once.
                Err(e @ ServiceError::Invalid(_)) => return Err(e),
                // Earlier ones are decided already: report this one and go on.
                Err(ServiceError::Internal(e)) => {
                    tracing::error!(error = %e, application = id, "bulk decision failed");
                    Err(ServiceError::Internal(e).to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            results.push((id, outcome));
        }
        Ok(results)
    }
}

/// What the organization decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    Confirm,
    Reject(&'a str),
    Enroll,
}

/// The staff member's organization, if they are organization staff.
fn staff_org(viewer: &Viewer) -> Result<i64> {
    viewer.user.staff_org().ok_or(ServiceError::Forbidden)
}

/// Everything the mails about one application need, read before a transaction starts.
struct Mailing {
    parent: Option<accounts::User>,
    organization_email: String,
    ctx: minijinja::Value,
    provider_url: String,
}

impl Mailing {
    async fn prepare(db: &Db, tenant: &Tenant, sender: &Sender, app: &Application) -> Result<Self> {
        let org: Organization = catalog::organization(db, tenant.id, app.organization_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let program = catalog::program_title(db, tenant.id, app.program_id).await?;
        let group = catalog::group(db, tenant.id, app.group_id).await?;
        let child =
            crate::children::store::child_of(db, tenant.id, app.parent_id, app.child_id).await?;
        let parent = accounts::user_by_id(db, tenant.id, app.parent_id).await?;
        let ctx = minijinja::context! {
            number => app.id,
            program => program.unwrap_or_default(),
            group => group.map(|g| g.name).unwrap_or_default(),
            child => child.map(|c| format!("{} {}", c.last_name, c.first_name)).unwrap_or_default(),
            organization => &org.name,
            phone => &org.phone,
            address => &org.address,
            org_email => &org.email,
            url => format!("{}/cabinet/applications", sender.base_url),
        };
        Ok(Self {
            parent,
            organization_email: org.email,
            ctx,
            provider_url: format!("{}/provider/applications/{}", sender.base_url, app.id),
        })
    }

    /// Mails the parent about a decision, if their address is confirmed.
    async fn to_parent(
        &self,
        tx: &mut Tx,
        outbox: &Outbox,
        sender: &Sender,
        kind: &str,
        comment: Option<&str>,
    ) -> Result<()> {
        let Some(parent) = self.parent.as_ref().filter(|p| p.email_confirmed) else {
            return Ok(());
        };
        let ctx = minijinja::context! { name => &parent.first_name, comment, ..self.ctx.clone() };
        outbox.enqueue(tx, sender, kind, &parent.email, ctx).await?;
        Ok(())
    }

    /// Mails the organization (its address in the catalog).
    async fn to_organization(
        &self,
        tx: &mut Tx,
        outbox: &Outbox,
        sender: &Sender,
        what: &str,
    ) -> Result<()> {
        let ctx =
            minijinja::context! { what, provider_url => &self.provider_url, ..self.ctx.clone() };
        outbox
            .enqueue(
                tx,
                sender,
                "application_notice",
                &self.organization_email,
                ctx,
            )
            .await?;
        Ok(())
    }
}

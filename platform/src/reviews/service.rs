//! The rules of reviews: who may write one (a parent whose child was enrolled in a group of
//! the program, once per child and program), what it must hold, when it appears (the
//! region's `reviews` policy), who moderates it (the program moderators of the
//! organization's municipality or region, `programs::moderation::Scope`), and the
//! organization's one answer.

use chrono::NaiveDate;
use serde::Serialize;
use tenants::ReviewPolicy;

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self as accounts, Audit};
use crate::accounts::values::age_on;
use crate::catalog::reviews::child_age_text;
use crate::catalog::store::{self as catalog, begin_write};
use crate::db::{Db, DbError};
use crate::domain::{plain_text, FieldError};
use crate::programs::moderation::Scope;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::{day_in, to_db, Clock};

use super::store::{self, Enrolled, NewReview, StaffReview, Status};

type Result<T> = std::result::Result<T, ServiceError>;

/// The shortest and longest review, in characters.
pub const MIN_BODY: usize = 10;
pub const MAX_BODY: usize = 2000;
/// The longest answer and moderator's reason.
pub const MAX_ANSWER: usize = 2000;
pub const MAX_REASON: usize = 500;
const ANSWERED: &str = "Организация уже ответила на этот отзыв: ответ даётся один раз.";
/// How many reviews a staff list shows.
const LIST_LIMIT: i64 = 200;

#[derive(Clone)]
pub struct Reviews {
    db: Db,
    clock: Clock,
}

/// What a parent sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub child: String,
    pub stars: String,
    pub body: String,
}

/// A child the parent may write about: enrolled in a group of the program, not reviewed yet.
#[derive(Debug, Clone, Serialize)]
pub struct Reviewable {
    pub child_id: i64,
    pub first_name: String,
}

/// What the review page offers the parent.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    pub program_title: String,
    /// Children who may be reviewed for; empty when none may.
    pub children: Vec<Reviewable>,
    /// Children enrolled whose review is written already.
    pub reviewed: Vec<String>,
    /// The review appears after a moderator's check.
    pub premoderated: bool,
}

/// A moderator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// «Опубликовать» a pending review.
    Publish,
    /// «Отклонить» a pending review (a reason required).
    Reject,
    /// «Скрыть» a published one (a reason required).
    Hide,
}

impl Decision {
    const ALL: [Decision; 3] = [Decision::Publish, Decision::Reject, Decision::Hide];

    /// The decision's name in addresses and the API.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Publish => "publish",
            Decision::Reject => "reject",
            Decision::Hide => "hide",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    fn transition(self) -> (Status, Status) {
        match self {
            Decision::Publish => (Status::Pending, Status::Published),
            Decision::Reject => (Status::Pending, Status::Rejected),
            Decision::Hide => (Status::Published, Status::Hidden),
        }
    }

    pub fn done(self) -> &'static str {
        match self {
            Decision::Publish => "Отзыв опубликован.",
            Decision::Reject => "Отзыв отклонён.",
            Decision::Hide => "Отзыв скрыт.",
        }
    }
}

/// A review in a staff list, as shown.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct StaffLine {
    pub id: i64,
    pub program_id: i64,
    pub program: String,
    pub organization: String,
    pub municipality: String,
    pub stars: u8,
    pub body: String,
    /// «Анна, ребёнку 9 лет».
    pub signed: String,
    /// pending | published | rejected | hidden.
    pub status: String,
    pub status_label: String,
    #[oai(nullable)]
    pub reason: Option<String>,
    #[oai(nullable)]
    pub answer: Option<String>,
    /// ДД.ММ.ГГГГ in the region's time zone.
    pub date: String,
}

impl StaffLine {
    fn of(r: StaffReview, tenant: &Tenant) -> Self {
        let zone = tenant.config.time_zone;
        Self {
            id: r.id,
            program_id: r.program_id,
            program: r.program_title,
            organization: r.organization,
            municipality: tenant
                .config
                .municipality(&r.municipality_id)
                .map_or(r.municipality_id.clone(), |m| m.name.clone()),
            stars: r.stars,
            body: r.body,
            signed: format!("{}, {}", r.author_name, child_age_text(r.child_age)),
            status: r.status.code().to_owned(),
            status_label: r.status.label().to_owned(),
            reason: r.reason,
            answer: r.answer,
            date: day_in(&r.created_at, zone),
        }
    }
}

fn parse_stars(raw: &str) -> std::result::Result<u8, String> {
    match raw.trim().parse::<u8>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ if raw.trim().is_empty() => Err("Поставьте оценку от 1 до 5 звёзд".into()),
        _ => Err("Оценка — число от 1 до 5".into()),
    }
}

fn parse_body(raw: &str) -> std::result::Result<&str, String> {
    let text = plain_text(raw.trim(), MAX_BODY).map_err(|e| format!("Отзыв: {e}"))?;
    if text.chars().count() < MIN_BODY {
        return Err(format!(
            "Напишите, что понравилось или нет: не короче {MIN_BODY} символов"
        ));
    }
    Ok(text)
}

/// A moderator's reason or an answer: required, plain text, at most `max`.
fn required_text<'a>(raw: &'a str, field: &'static str, what: &str, max: usize) -> Result<&'a str> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            field,
            format!("Укажите {what}"),
        )]));
    }
    plain_text(text, max).map_err(|e| ServiceError::Invalid(vec![FieldError::new(field, e)]))
}

impl Reviews {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// The published program `program` of the region and the parent's children enrolled in
    /// it; `NotFound` when it is not published here.
    async fn enrolled(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        program: i64,
    ) -> Result<(String, Vec<Enrolled>)> {
        let parent = viewer.parent()?;
        let p = catalog::published_program(&self.db, tenant.id, program)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let children = store::enrolled_children(&self.db, tenant.id, parent.id, program).await?;
        Ok((p.title, children))
    }

    /// What the review form offers this parent for `program`.
    pub async fn offer(&self, tenant: &Tenant, viewer: &Viewer, program: i64) -> Result<Offer> {
        let (program_title, children) = self.enrolled(tenant, viewer, program).await?;
        let (reviewed, open): (Vec<Enrolled>, Vec<Enrolled>) =
            children.into_iter().partition(|c| c.reviewed);
        Ok(Offer {
            program_title,
            children: open
                .into_iter()
                .map(|c| Reviewable {
                    child_id: c.child_id,
                    first_name: c.first_name,
                })
                .collect(),
            reviewed: reviewed.into_iter().map(|c| c.first_name).collect(),
            premoderated: tenant.config.reviews == ReviewPolicy::PreModeration,
        })
    }

    /// Writes the parent's review; returns its id and whether it is published already.
    #[tracing::instrument(skip(self, tenant, viewer, form), fields(tenant = %tenant.id))]
    pub async fn write(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        program: i64,
        form: &ReviewForm,
    ) -> Result<(i64, bool)> {
        let parent = viewer.parent()?;
        let (_, children) = self.enrolled(tenant, viewer, program).await?;
        if children.is_empty() {
            return Err(ServiceError::Refused(
                "Отзыв может оставить родитель, чей ребёнок был зачислен в группу этой программы."
                    .into(),
            ));
        }
        let mut errors = Vec::new();
        // With one child enrolled the form need not ask which.
        let child = match (form.child.trim(), children.as_slice()) {
            ("", [only]) => Some(only),
            (raw, _) => {
                let found = raw
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| children.iter().find(|c| c.child_id == id));
                if found.is_none() {
                    errors.push(FieldError::new(
                        "child",
                        "Выберите ребёнка, который занимался по программе",
                    ));
                }
                found
            }
        };
        if let Some(c) = child.filter(|c| c.reviewed) {
            errors.push(FieldError::new(
                "child",
                format!("Отзыв о программе за ребёнка {} уже оставлен", c.first_name),
            ));
        }
        let stars = parse_stars(&form.stars)
            .map_err(|e| errors.push(FieldError::new("stars", e)))
            .ok();
        let body = parse_body(&form.body)
            .map_err(|e| errors.push(FieldError::new("body", e)))
            .ok();
        let (Some(child), Some(stars), Some(body), true) = (child, stars, body, errors.is_empty())
        else {
            return Err(ServiceError::Invalid(errors));
        };
        let born = NaiveDate::parse_from_str(&child.birth_date, "%Y-%m-%d")
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("child's birth date: {e}")))?;
        let child_age = age_on(born, tenant.today(&self.clock)).min(u32::from(u8::MAX)) as u8;
        let status = match tenant.config.reviews {
            ReviewPolicy::PreModeration => Status::Pending,
            ReviewPolicy::PostModeration => Status::Published,
        };
        let at = to_db(self.clock.now());
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let Some(id) = store::insert(
            &mut tx,
            tenant.id,
            &NewReview {
                program_id: program,
                child_id: child.child_id,
                author_id: parent.id,
                stars,
                body,
                author_name: &parent.first_name,
                child_age,
                status,
                at: &at,
            },
        )
        .await?
        else {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "child",
                format!(
                    "Отзыв о программе за ребёнка {} уже оставлен",
                    child.first_name
                ),
            )]));
        };
        if status == Status::Published {
            store::recount(&mut tx, tenant.id, program).await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok((id, status == Status::Published))
    }

    /// The moderator's scope as a municipality filter (`None`: the whole region).
    fn scope(tenant: &Tenant, viewer: &Viewer) -> Result<Option<String>> {
        Ok(match Scope::of(tenant, viewer)? {
            Scope::Region => None,
            Scope::Municipality(m) => Some(m),
        })
    }

    /// The moderator's list: reviews waiting for a decision and, newest first, published
    /// ones (which may be hidden), of the moderator's municipality or region.
    pub async fn moderation_list(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<(Vec<StaffLine>, Vec<StaffLine>)> {
        let scope = Self::scope(tenant, viewer)?;
        let list = |statuses: &'static [Status]| {
            store::for_moderators(&self.db, tenant.id, scope.as_deref(), statuses, LIST_LIMIT)
        };
        let waiting = list(&[Status::Pending]).await?;
        let published = list(&[Status::Published]).await?;
        let lines = |rows: Vec<StaffReview>| rows.into_iter().map(|r| StaffLine::of(r, tenant));
        Ok((lines(waiting).collect(), lines(published).collect()))
    }

    /// A moderator's decision on review `id` of their scope.
    #[tracing::instrument(skip(self, tenant, viewer, reason), fields(tenant = %tenant.id))]
    pub async fn decide(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        decision: Decision,
        reason: &str,
    ) -> Result<()> {
        let scope = Self::scope(tenant, viewer)?;
        let review = store::by_id(&self.db, tenant.id, id)
            .await?
            .filter(|r| scope.as_deref().is_none_or(|m| m == r.municipality_id))
            .ok_or(ServiceError::NotFound)?;
        let reason = match decision {
            Decision::Publish => None,
            Decision::Reject | Decision::Hide => {
                Some(required_text(reason, "reason", "причину", MAX_REASON)?)
            }
        };
        let (from, to) = decision.transition();
        if review.status != from {
            return Err(ServiceError::Refused(format!(
                "Отзыв уже в статусе «{}»: решение не требуется.",
                review.status.label()
            )));
        }
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let moved = store::moderate(
            &mut tx,
            tenant.id,
            id,
            from,
            to,
            reason,
            viewer.user.id,
            &to_db(now),
        )
        .await?;
        if !moved {
            return Err(ServiceError::Refused(
                "Другой модератор уже принял решение по этому отзыву.".into(),
            ));
        }
        if from == Status::Published || to == Status::Published {
            store::recount(&mut tx, tenant.id, review.program_id).await?;
        }
        accounts::audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "review.moderated",
                subject: &format!("review:{id}"),
                detail: &format!(
                    "{} → {}{}",
                    from.label(),
                    to.label(),
                    reason.map_or(String::new(), |r| format!(": {r}"))
                ),
                ip: viewer.ip(),
                organization: Some(review.organization_id),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// The reviews of the staff member's organization's programs.
    pub async fn of_organization(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<Vec<StaffLine>> {
        let org = viewer.user.staff_org().ok_or(ServiceError::Forbidden)?;
        let rows = store::of_organization(&self.db, tenant.id, org, LIST_LIMIT).await?;
        Ok(rows.into_iter().map(|r| StaffLine::of(r, tenant)).collect())
    }

    /// The organization's one public answer to review `id` of its program.
    #[tracing::instrument(skip(self, tenant, viewer, text), fields(tenant = %tenant.id))]
    pub async fn answer(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        text: &str,
    ) -> Result<()> {
        let org = viewer.user.staff_org().ok_or(ServiceError::Forbidden)?;
        let review = store::by_id(&self.db, tenant.id, id)
            .await?
            .filter(|r| r.organization_id == org)
            .ok_or(ServiceError::NotFound)?;
        let text = required_text(text, "answer", "текст ответа", MAX_ANSWER)?;
        if review.answer.is_some() {
            return Err(ServiceError::Refused(ANSWERED.into()));
        }
        if review.status != Status::Published {
            return Err(ServiceError::Refused(
                "Отзыв не опубликован: ответить можно на опубликованный отзыв.".into(),
            ));
        }
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        if !store::answer(&mut tx, tenant.id, id, text, viewer.user.id, &to_db(now)).await? {
            return Err(ServiceError::Refused(ANSWERED.into()));
        }
        // The answer is public: the program's page in the static copy changes.
        store::recount(&mut tx, tenant.id, review.program_id).await?;
        accounts::audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "review.answered",
                subject: &format!("review:{id}"),
                detail: "",
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_text_are_checked() {
        assert_eq!(parse_stars("5"), Ok(5));
        assert!(parse_stars("0").is_err());
        assert!(parse_stars("6").is_err());
        assert!(parse_stars("").unwrap_err().contains("Поставьте"));
        assert!(parse_body("  коротко ").is_err());
        assert!(parse_body(&"а".repeat(MAX_BODY + 1)).is_err());
        assert_eq!(parse_body(" Очень понравилось "), Ok("Очень понравилось"));
    }
}

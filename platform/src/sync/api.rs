//! Catalog sync under /api/v1 for an organization's own system, with its API token (or a
//! staff session and `X-CSRF-Token`): programs and groups by the organization's ids, the
//! version of each (`ETag`, `If-Match`), and the change list.

use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, ToJSON};
use poem_openapi::{Enum, Object, OpenApi};

use crate::api::{etag, try_reply, writer, ApiTags, Reply, Versioned};
use crate::groups::api::{GroupInfo, GroupRequest, SessionInfo};
use crate::groups::store::GroupRow;
use crate::programs::api::{AuthoredProgram, CardBody};
use crate::programs::store::Authored;
use crate::regions::Site;
use crate::web::{region_of, Visitor};
use crate::State;

use super::service::{Change, Outcome, ProgramRef, Put};

pub struct SyncApi;

#[derive(Enum, Clone, Copy)]
#[oai(rename_all = "lowercase")]
pub enum OutcomeCode {
    /// Created under the id.
    Created,
    /// Changed as the body says.
    Updated,
    /// The body is what is there already: nothing was written.
    Unchanged,
}

impl From<Outcome> for OutcomeCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Created => Self::Created,
            Outcome::Updated => Self::Updated,
            Outcome::Unchanged => Self::Unchanged,
        }
    }
}

/// A program under the organization's id.
#[derive(Object)]
pub struct SyncedProgram {
    pub external_id: String,
    /// What the `PUT` did; none for a `GET`.
    #[oai(nullable)]
    pub outcome: Option<OutcomeCode>,
    /// The program (its `version` is the `ETag`).
    pub program: AuthoredProgram,
}

/// A group under the organization's id.
#[derive(Object)]
pub struct SyncedGroup {
    pub external_id: String,
    /// What the `PUT` did; none for a `GET`.
    #[oai(nullable)]
    pub outcome: Option<OutcomeCode>,
    /// The group (its `version` is the `ETag`).
    pub group: GroupInfo,
}

/// A group to create or save under the organization's id. Its program is named by the
/// organization's id (`program_external_id`) or by ours (`program_id`): one of the two.
#[derive(Object)]
#[oai(example)]
pub struct GroupSyncRequest {
    #[oai(default, nullable, validator(max_length = 100))]
    pub program_external_id: Option<String>,
    #[oai(default, nullable)]
    pub program_id: Option<i64>,
    pub group: GroupRequest,
}

impl Example for GroupSyncRequest {
    fn example() -> Self {
        Self {
            program_external_id: Some("ПР-000123".into()),
            program_id: None,
            group: GroupRequest {
                name: "Экологи, 1 год обучения".into(),
                age_min: 8,
                age_max: 10,
                capacity: 15,
                study_from: "2026-09-01".into(),
                study_to: "2027-05-31".into(),
                enroll_from: "2026-08-20".into(),
                enroll_to: "2026-09-30".into(),
                place_id: 3,
                teacher_ids: vec![7],
                sessions: vec![SessionInfo {
                    weekday: 2,
                    starts: "15:00".into(),
                    ends: "16:30".into(),
                    date_from: None,
                    date_to: None,
                }],
                price_certificate_kopecks: None,
                price_paid_kopecks: None,
            },
        }
    }
}

/// One thing done to the organization's catalog.
#[derive(Object)]
#[oai(example)]
pub struct ChangeInfo {
    /// Pass the last one as `since` to read on.
    pub cursor: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// program | group | teacher | organization.
    pub kind: String,
    /// Our id of the program, group, teacher or organization.
    pub id: i64,
    /// The organization's id of the program or group, when it has one.
    #[oai(nullable)]
    pub external_id: Option<String>,
    /// program.edit, program.publish, program.return, group.edit, group.delete, …
    pub action: String,
    /// The action as the history calls it: «Опубликована».
    pub label: String,
    /// The fields changed, or the moderator's comment.
    pub detail: String,
    /// staff | moderator | operator | system.
    pub by: String,
    #[oai(nullable)]
    pub by_name: Option<String>,
}

impl Example for ChangeInfo {
    fn example() -> Self {
        Self {
            cursor: 1841,
            at: "2026-09-02T09:15:00.000000Z".into(),
            kind: "program".into(),
            id: 42,
            external_id: Some("ПР-000123".into()),
            action: "program.return".into(),
            label: "Возвращена на доработку".into(),
            detail: "Уточните возраст детей в описании".into(),
            by: "moderator".into(),
            by_name: Some("Иванова Мария".into()),
        }
    }
}

impl From<Change> for ChangeInfo {
    fn from(c: Change) -> Self {
        Self {
            cursor: c.cursor,
            at: c.at,
            kind: c.kind,
            id: c.id,
            external_id: c.external_id,
            action: c.action,
            label: c.label.to_owned(),
            detail: c.detail,
            by: c.by.to_owned(),
            by_name: c.by_name,
        }
    }
}

/// A page of the change list.
#[derive(Object)]
pub struct ChangeList {
    pub changes: Vec<ChangeInfo>,
    /// The `since` of the next call: the last cursor here, or the one sent when there is
    /// nothing new.
    pub next: i64,
}

/// A thing with its version as `ETag` (201 when the call created it).
fn versioned<T, B: ToJSON + Send + Sync>(
    value: T,
    outcome: Option<Outcome>,
    version: fn(&T) -> String,
    body: impl FnOnce(T, Option<OutcomeCode>) -> B,
) -> Versioned<B> {
    let tag = etag(&version(&value));
    let body = Json(body(value, outcome.map(OutcomeCode::from)));
    match outcome {
        Some(Outcome::Created) => Versioned::Created(body, tag),
        _ => Versioned::Ok(body, tag),
    }
}

/// What a `PUT` did, or 412 with the current version.
fn put_reply<T, B: ToJSON + Send + Sync>(
    put: Put<T>,
    version: fn(&T) -> String,
    body: impl FnOnce(T, Option<OutcomeCode>) -> B,
) -> Versioned<B> {
    match put {
        Put::Stale { current } => Versioned::stale(current),
        Put::Done { outcome, value } => versioned(value, Some(outcome), version, body),
    }
}

fn program_body(
    external_id: String,
) -> impl FnOnce(Authored, Option<OutcomeCode>) -> SyncedProgram {
    move |p, outcome| SyncedProgram {
        external_id,
        outcome,
        program: AuthoredProgram::from(&p),
    }
}

fn group_body(external_id: String) -> impl FnOnce(GroupRow, Option<OutcomeCode>) -> SyncedGroup {
    move |g, outcome| SyncedGroup {
        external_id,
        outcome,
        group: g.into(),
    }
}

#[OpenApi(tag = "ApiTags::Sync")]
impl SyncApi {
    /// A program by the organization's id
    ///
    /// `ETag` is its version, for `If-Match` on the `PUT`.
    #[oai(
        path = "/provider/programs/by-external-id/:external_id",
        method = "get"
    )]
    async fn program(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        external_id: Path<String>,
    ) -> Versioned<SyncedProgram> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let p = try_reply!(state.sync.program(tenant, viewer, &external_id.0).await);
        versioned(p, None, Authored::version, program_body(external_id.0))
    }

    /// Creates or saves a program by the organization's id
    ///
    /// No program under the id: a new draft (201). Otherwise the card is saved as the form
    /// saves it (a published program stays published, the edit waits as a revision: send
    /// it with `POST /provider/programs/{id}/submit`); the same card again changes nothing
    /// (`outcome: unchanged`). With `If-Match` (the `ETag` of a `GET`), a program changed
    /// since is not overwritten: 412.
    #[oai(
        path = "/provider/programs/by-external-id/:external_id",
        method = "put"
    )]
    // An endpoint's parameters are its inputs as the spec lists them.
    #[allow(clippy::too_many_arguments)]
    async fn put_program(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        external_id: Path<String>,
        body: Json<CardBody>,
    ) -> Versioned<SyncedProgram> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let put = try_reply!(
            state
                .sync
                .put_program(
                    tenant,
                    viewer,
                    &external_id.0,
                    &body.0.form(),
                    if_match.0.as_deref()
                )
                .await
        );
        put_reply(put, Authored::version, program_body(external_id.0))
    }

    /// A group by the organization's id
    ///
    /// `ETag` is its version, for `If-Match` on the `PUT`.
    #[oai(path = "/provider/groups/by-external-id/:external_id", method = "get")]
    async fn group(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        external_id: Path<String>,
    ) -> Versioned<SyncedGroup> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let g = try_reply!(state.sync.group(tenant, viewer, &external_id.0).await);
        versioned(g, None, GroupRow::version, group_body(external_id.0))
    }

    /// Creates or saves a group by the organization's id
    ///
    /// In effect at once (groups are not moderated), with the group form's rules (400 names
    /// each wrong field). A group does not move to another program. Idempotent and guarded
    /// by `If-Match` like the programs' `PUT`.
    #[oai(path = "/provider/groups/by-external-id/:external_id", method = "put")]
    // An endpoint's parameters are its inputs as the spec lists them.
    #[allow(clippy::too_many_arguments)]
    async fn put_group(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        external_id: Path<String>,
        body: Json<GroupSyncRequest>,
    ) -> Versioned<SyncedGroup> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let body = body.0;
        let program = match (body.program_external_id, body.program_id) {
            (Some(e), None) => ProgramRef::External(e),
            (None, Some(id)) => ProgramRef::Id(id),
            _ => {
                return Versioned::Invalid(crate::api::invalid(&[crate::domain::FieldError::new(
                    "program_external_id",
                    "укажите программу группы: program_external_id или program_id, одно из двух",
                )]))
            }
        };
        let put = try_reply!(
            state
                .sync
                .put_group(
                    tenant,
                    viewer,
                    &external_id.0,
                    &program,
                    &body.group.form(),
                    if_match.0.as_deref()
                )
                .await
        );
        put_reply(put, GroupRow::version, group_body(external_id.0))
    }

    /// What was changed in the organization's catalog
    ///
    /// By its staff, moderators («Опубликована», «Возвращена на доработку») or the
    /// operator: programs, groups (deleted ones too), teachers, the profile and places.
    /// Oldest first; read on with `since` = `next` until `changes` is empty.
    #[oai(path = "/provider/changes", method = "get")]
    async fn changes(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        /// The `next` of the previous answer; 0 (the default) for everything.
        #[oai(default, validator(minimum(value = "0")))]
        since: Query<i64>,
        /// At most this many (1–1000, 100 by default).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "1000"))
        )]
        limit: Query<i64>,
    ) -> Reply<ChangeList> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let changes = try_reply!(state.sync.changes(tenant, viewer, since.0, limit.0).await);
        let next = changes.last().map_or(since.0, |c| c.cursor);
        Reply::Ok(Json(ChangeList {
            changes: changes.into_iter().map(ChangeInfo::from).collect(),
            next,
        }))
    }
}

fn default_limit() -> i64 {
    100
}

//! Groups and teachers under /api/v1, as on «Группы и расписание» and «Педагоги»: for the
//! organization's staff, with a session (and `X-CSRF-Token`) or the organization's API
//! token. Refusals are 400 naming the field, 404 for another organization's group,
//! program or teacher, 409 for a rule (a group with applications is not deleted).

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::types::Example;
use poem_openapi::{Enum, Object, OpenApi};

use crate::api::{done, try_reply, writer, ApiTags, Done, Reply, Text};
use crate::catalog::model::Schedule;
use crate::regions::Site;
use crate::web::{region_of, Visitor};
use crate::State;

use super::bulk::BulkAction;
use super::service::{GroupForm, SessionForm, StatusChange, TeacherForm};
use super::store::{GroupRow, GroupStatus, Teacher};

pub struct GroupsApi;

#[derive(Object)]
pub struct TeacherInfo {
    pub id: i64,
    /// ФИО.
    pub name: String,
    /// Должность; may be empty.
    pub position: String,
}

impl From<Teacher> for TeacherInfo {
    fn from(t: Teacher) -> Self {
        Self {
            id: t.id,
            name: t.name,
            position: t.position,
        }
    }
}

#[derive(Object)]
pub struct TeacherRequest {
    /// ФИО, up to 200 characters, no control characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Text,
    /// Должность, up to 200 characters; empty or none for none.
    #[oai(default, nullable, validator(max_length = 200))]
    pub position: Option<Text>,
}

impl TeacherRequest {
    fn form(self) -> TeacherForm {
        TeacherForm {
            name: self.name.0,
            position: self.position.unwrap_or_default().0,
        }
    }
}

/// open: набор открыт; closed: набор закрыт; archived: в архиве (not shown to families).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum GroupStatusCode {
    Open,
    Closed,
    Archived,
}

impl From<GroupStatus> for GroupStatusCode {
    fn from(s: GroupStatus) -> Self {
        match s {
            GroupStatus::Open => GroupStatusCode::Open,
            GroupStatus::Closed => GroupStatusCode::Closed,
            GroupStatus::Archived => GroupStatusCode::Archived,
        }
    }
}

impl From<GroupStatusCode> for GroupStatus {
    fn from(s: GroupStatusCode) -> Self {
        match s {
            GroupStatusCode::Open => GroupStatus::Open,
            GroupStatusCode::Closed => GroupStatus::Closed,
            GroupStatusCode::Archived => GroupStatus::Archived,
        }
    }
}

/// One weekly session.
#[derive(Object)]
pub struct SessionInfo {
    /// 1 = Monday … 7 = Sunday.
    #[oai(validator(minimum(value = "1"), maximum(value = "7")))]
    pub weekday: i64,
    /// `HH:MM`, before `ends`.
    #[oai(validator(pattern = r"^[0-2][0-9]:[0-5][0-9]$"))]
    pub starts: String,
    /// `HH:MM`.
    #[oai(validator(pattern = r"^[0-2][0-9]:[0-5][0-9]$"))]
    pub ends: String,
    /// `YYYY-MM-DD`: the session only from this date (inside the study dates).
    #[oai(
        default,
        nullable,
        validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    )]
    pub date_from: Option<String>,
    /// `YYYY-MM-DD`: the session only up to this date.
    #[oai(
        default,
        nullable,
        validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    )]
    pub date_to: Option<String>,
}

#[derive(Object)]
pub struct GroupInfo {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub age_min: i64,
    pub age_max: i64,
    /// План приёма: never below `seats_taken`.
    pub capacity: i64,
    pub seats_taken: i64,
    /// `YYYY-MM-DD`.
    pub study_from: String,
    pub study_to: String,
    pub enroll_from: String,
    pub enroll_to: String,
    pub status: GroupStatusCode,
    /// «Набор открыт», «Набор закрыт», «В архиве».
    pub status_label: String,
    /// One of the organization's places of study.
    pub place_id: i64,
    pub teacher_ids: Vec<i64>,
    pub sessions: Vec<SessionInfo>,
    /// «Пн 15:00–16:30, Ср 15:00–16:30».
    pub schedule: String,
    /// Monthly price when paid by certificate, kopecks; none when the program does not
    /// offer it.
    #[oai(nullable)]
    pub price_certificate_kopecks: Option<i64>,
    /// Monthly price when paid by the family, kopecks.
    #[oai(nullable)]
    pub price_paid_kopecks: Option<i64>,
    /// Its version: changes with anything above (the `ETag` of the sync calls, for their
    /// `If-Match`).
    pub version: String,
}

impl From<GroupRow> for GroupInfo {
    fn from(g: GroupRow) -> Self {
        Self {
            version: g.version(),
            id: g.id,
            program_id: g.program_id,
            name: g.name,
            age_min: g.age_min,
            age_max: g.age_max,
            capacity: g.capacity,
            seats_taken: g.seats_taken,
            study_from: g.study_from.to_string(),
            study_to: g.study_to.to_string(),
            enroll_from: g.enroll_from.to_string(),
            enroll_to: g.enroll_to.to_string(),
            status: g.status.into(),
            status_label: g.status.label().to_owned(),
            place_id: g.place_id,
            teacher_ids: g.teacher_ids,
            schedule: Schedule(g.sessions.clone()).to_string(),
            sessions: g
                .sessions
                .iter()
                .map(|s| SessionInfo {
                    weekday: i64::from(s.weekday),
                    starts: s.start.format("%H:%M").to_string(),
                    ends: s.end.format("%H:%M").to_string(),
                    date_from: s.from.map(|d| d.to_string()),
                    date_to: s.to.map(|d| d.to_string()),
                })
                .collect(),
            price_certificate_kopecks: g.price_certificate.map(|m| m.kopecks()),
            price_paid_kopecks: g.price_paid.map(|m| m.kopecks()),
        }
    }
}

#[derive(Object)]
pub struct GroupRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    /// Inside the program's ages.
    #[oai(validator(minimum(value = "0"), maximum(value = "25")))]
    pub age_min: i64,
    #[oai(validator(minimum(value = "0"), maximum(value = "25")))]
    pub age_max: i64,
    /// At least the seats already taken.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub capacity: i64,
    /// `YYYY-MM-DD`, not after `study_to`.
    #[oai(validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub study_from: String,
    #[oai(validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub study_to: String,
    /// `YYYY-MM-DD`, not after `enroll_to`.
    #[oai(validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub enroll_from: String,
    #[oai(validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub enroll_to: String,
    /// One of the organization's places of study.
    pub place_id: i64,
    /// Teachers of the organization, at least one.
    #[oai(validator(min_items = 1, max_items = 20))]
    pub teacher_ids: Vec<i64>,
    /// At least one session.
    #[oai(validator(min_items = 1, max_items = 30))]
    pub sessions: Vec<SessionInfo>,
    /// Kopecks a month; required when the program is paid by certificate, else none.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub price_certificate_kopecks: Option<i64>,
    /// Kopecks a month; required when the program is paid, else none.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub price_paid_kopecks: Option<i64>,
}

fn rub(k: Option<i64>) -> String {
    k.map(|k| format!("{}.{:02}", k / 100, k % 100))
        .unwrap_or_default()
}

impl GroupRequest {
    pub(crate) fn form(self) -> GroupForm {
        GroupForm {
            name: self.name,
            age_min: self.age_min.to_string(),
            age_max: self.age_max.to_string(),
            capacity: self.capacity.to_string(),
            study_from: self.study_from,
            study_to: self.study_to,
            enroll_from: self.enroll_from,
            enroll_to: self.enroll_to,
            place_id: self.place_id.to_string(),
            teacher_ids: self.teacher_ids.iter().map(i64::to_string).collect(),
            price_certificate: rub(self.price_certificate_kopecks),
            price_paid: rub(self.price_paid_kopecks),
            sessions: self
                .sessions
                .into_iter()
                .map(|s| SessionForm {
                    weekday: s.weekday.to_string(),
                    starts: s.starts,
                    ends: s.ends,
                    date_from: s.date_from.unwrap_or_default(),
                    date_to: s.date_to.unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[derive(Object)]
pub struct StatusRequest {
    pub status: GroupStatusCode,
    /// Archiving a group with enrolled children needs `true` (the first call answers 409
    /// saying how many).
    #[oai(default)]
    pub confirm: bool,
}

/// What to do to every group named: open: «Открыть набор»; close: «Закрыть набор»;
/// window: «Задать сроки записи» (`enroll_from` and `enroll_to`).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum BulkActionCode {
    Open,
    Close,
    Window,
}

/// An action on many groups of the organization at once.
#[derive(Object)]
#[oai(example)]
pub struct BulkRequest {
    /// Groups of the organization (a number given twice counts once).
    #[oai(validator(min_items = 1, max_items = 1000))]
    pub group_ids: Vec<i64>,
    pub action: BulkActionCode,
    /// `YYYY-MM-DD`, the first day of enrollment; with `window` only.
    #[oai(default, nullable, validator(max_length = 20))]
    pub enroll_from: Option<String>,
    /// `YYYY-MM-DD`, not before `enroll_from`; with `window` only.
    #[oai(default, nullable, validator(max_length = 20))]
    pub enroll_to: Option<String>,
}

impl Example for BulkRequest {
    fn example() -> Self {
        Self {
            group_ids: vec![41, 42, 43],
            action: BulkActionCode::Window,
            enroll_from: Some("2027-08-20".into()),
            enroll_to: Some("2027-09-15".into()),
        }
    }
}

/// What the action did, and the groups as they are after it.
#[derive(Object)]
pub struct BulkReply {
    /// How many groups changed (a group that already was so is not counted).
    pub changed: i64,
    pub groups: Vec<GroupInfo>,
}

#[OpenApi(tag = "ApiTags::Groups")]
impl GroupsApi {
    /// Opens or closes enrollment, or sets the enrollment window, of many groups at once
    ///
    /// One transaction, each group by the rules of its own form, each changed group with
    /// its history row. 404 when a group is not the organization's; 400 naming the field
    /// and the group (a window that ends before it starts); 409 naming the group (a group
    /// whose study ended is not opened); in each case nothing is changed.
    #[oai(path = "/provider/groups/bulk", method = "post")]
    async fn bulk(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<BulkRequest>,
    ) -> Reply<BulkReply> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let body = body.0;
        let action = match body.action {
            BulkActionCode::Open => BulkAction::Open,
            BulkActionCode::Close => BulkAction::Close,
            BulkActionCode::Window => BulkAction::Window {
                from: body.enroll_from.unwrap_or_default(),
                to: body.enroll_to.unwrap_or_default(),
            },
        };
        let changed = try_reply!(
            state
                .groups
                .bulk(tenant, viewer, &body.group_ids, &action)
                .await
        );
        let mut groups = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for id in body.group_ids.iter().filter(|id| seen.insert(**id)) {
            let found = try_reply!(state.groups.group(tenant, viewer, *id).await);
            groups.push(found.group.into());
        }
        Reply::Ok(Json(BulkReply {
            changed: i64::try_from(changed).unwrap_or(i64::MAX),
            groups,
        }))
    }

    /// «Педагоги» of the organization
    #[oai(path = "/provider/teachers", method = "get")]
    async fn teachers(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<TeacherInfo>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let list = try_reply!(state.groups.teachers(tenant, viewer).await);
        Reply::Ok(Json(list.into_iter().map(TeacherInfo::from).collect()))
    }

    /// Adds a teacher
    #[oai(path = "/provider/teachers", method = "post")]
    async fn add_teacher(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<TeacherRequest>,
    ) -> Reply<TeacherInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let t = try_reply!(
            state
                .groups
                .save_teacher(tenant, viewer, None, &body.0.form())
                .await
        );
        Reply::Ok(Json(t.into()))
    }

    /// Renames a teacher (on every group of theirs at once)
    #[oai(path = "/provider/teachers/:id", method = "put")]
    async fn save_teacher(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<TeacherRequest>,
    ) -> Reply<TeacherInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let t = try_reply!(
            state
                .groups
                .save_teacher(tenant, viewer, Some(id.0), &body.0.form())
                .await
        );
        Reply::Ok(Json(t.into()))
    }

    /// Removes a teacher no group has
    ///
    /// 409 names the groups that still have them.
    #[oai(path = "/provider/teachers/:id", method = "delete")]
    async fn remove_teacher(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(state.groups.remove_teacher(tenant, viewer, id.0).await);
        Reply::Ok(done("Педагог удалён"))
    }

    /// The groups of a program of the organization
    #[oai(path = "/provider/programs/:id/groups", method = "get")]
    async fn program_groups(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        id: Path<i64>,
    ) -> Reply<Vec<GroupInfo>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let (_, groups) = try_reply!(state.groups.program_groups(tenant, viewer, id.0).await);
        Reply::Ok(Json(groups.into_iter().map(GroupInfo::from).collect()))
    }

    /// Adds a group to a program of the organization
    ///
    /// In effect at once (groups are not moderated); 400 names each wrong field.
    #[oai(path = "/provider/programs/:id/groups", method = "post")]
    async fn add_group(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<GroupRequest>,
    ) -> Reply<GroupInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let g = try_reply!(
            state
                .groups
                .add_group(tenant, viewer, id.0, &body.0.form())
                .await
        );
        let found = try_reply!(state.groups.group(tenant, viewer, g.id).await);
        Reply::Ok(Json(found.group.into()))
    }

    /// A group of the organization
    #[oai(path = "/provider/groups/:id", method = "get")]
    async fn group(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        id: Path<i64>,
    ) -> Reply<GroupInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let found = try_reply!(state.groups.group(tenant, viewer, id.0).await);
        Reply::Ok(Json(found.group.into()))
    }

    /// Saves a group
    #[oai(path = "/provider/groups/:id", method = "put")]
    async fn save_group(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<GroupRequest>,
    ) -> Reply<GroupInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(
            state
                .groups
                .save_group(tenant, viewer, id.0, &body.0.form())
                .await
        );
        let found = try_reply!(state.groups.group(tenant, viewer, id.0).await);
        Reply::Ok(Json(found.group.into()))
    }

    /// Opens or closes enrollment, or archives a group
    ///
    /// Archiving a group with enrolled children answers 409 with how many unless
    /// `confirm` is true.
    #[oai(path = "/provider/groups/:id/status", method = "post")]
    async fn set_status(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<StatusRequest>,
    ) -> Reply<GroupInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let change = try_reply!(
            state
                .groups
                .set_status(tenant, viewer, id.0, body.0.status.into(), body.0.confirm)
                .await
        );
        if let StatusChange::Confirm { enrolled } = change {
            return Reply::from(crate::service_error::ServiceError::Refused(format!(
                "В группе зачислено детей: {enrolled}. Чтобы перенести её в архив, \
                 подтвердите (confirm: true)."
            )));
        }
        let found = try_reply!(state.groups.group(tenant, viewer, id.0).await);
        Reply::Ok(Json(found.group.into()))
    }

    /// Deletes a group nobody applied to
    ///
    /// 409 when it has live applications or enrolled children: close or archive it.
    #[oai(path = "/provider/groups/:id", method = "delete")]
    async fn delete_group(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(state.groups.delete_group(tenant, viewer, id.0).await);
        Reply::Ok(done("Группа удалена"))
    }
}

//! Program authoring and moderation under /api/v1, as on the pages: the organization's
//! programs at `/provider/programs` (its staff, with a session and `X-CSRF-Token`, or the
//! organization's API token), the queue and the decisions at `/moderation/programs` (the
//! region's moderators).

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::types::Example;
use poem_openapi::{Object, OpenApi};

use crate::api::{done, try_reply, writer, ApiTags, Done, Reply, Text};
use crate::regions::Site;
use crate::web::page::sender;
use crate::web::{region_of, Origin, Visitor};
use crate::State;

use super::card::{Card, CardForm, FieldChange};
use super::service::Step;
use super::store::Authored;

pub struct ProgramsApi;

/// The program card. Texts are plain (no HTML), paragraphs separated by blank lines.
#[derive(Object, Clone)]
#[oai(example)]
pub struct CardBody {
    /// Полное название (up to 300 characters, one line).
    pub title: Text,
    /// Краткое название (up to 100 characters, one line).
    pub short_title: Text,
    /// Краткое описание (up to 500 characters).
    pub announce: Text,
    /// Подробное описание (up to 10 000 characters).
    pub description: Text,
    /// Цели.
    pub goals: Text,
    /// Ожидаемые результаты.
    pub results: Text,
    /// Направленность: technical | natural_science | sport | art | tourism | social.
    pub direction: Text,
    /// Профиль: an id from `/directions`, under the direction.
    pub profile_id: Text,
    /// start | basic | advanced.
    pub level: Text,
    /// general | preprofessional | sport_training.
    pub program_type: Text,
    /// 3–18.
    pub age_min: i64,
    /// 3–18, not below `age_min`.
    pub age_max: i64,
    /// Продолжительность, months: 1–120.
    pub duration_months: i64,
    /// Объём, academic hours: 1–10 000.
    pub hours: i64,
    /// full_time | blended | distance.
    pub study_form: Text,
    /// The kinds of disability (ОВЗ) the program is adapted to: hearing, vision, speech,
    /// musculoskeletal, delayed_development, autism, intellectual, complex; empty when none.
    pub ovz_kinds: Vec<Text>,
    /// One or more of free | certificate | paid (free alone).
    pub financing: Vec<Text>,
    /// Children in a group, at least: 1–100.
    pub group_min: i64,
    /// Children in a group, at most: 1–100, not below `group_min`.
    pub group_max: i64,
}

impl Example for CardBody {
    fn example() -> Self {
        Self {
            title: "Юный эколог: исследователи природы родного края".into(),
            short_title: "Юный эколог".into(),
            announce: "Наблюдаем за природой, ставим опыты, ведём дневник наблюдений.".into(),
            description: "Занятия в классе и на природе.\n\nЛетом — экспедиция.".into(),
            goals: "Развить интерес к естественным наукам.".into(),
            results: "Ребёнок ведёт наблюдения и оформляет их результаты.".into(),
            direction: "natural_science".into(),
            profile_id: "ecology".into(),
            level: "start".into(),
            program_type: "general".into(),
            age_min: 8,
            age_max: 12,
            duration_months: 9,
            hours: 72,
            study_form: "full_time".into(),
            ovz_kinds: Vec::new(),
            financing: vec![Text::from("free")],
            group_min: 5,
            group_max: 12,
        }
    }
}

impl From<&Card> for CardBody {
    fn from(c: &Card) -> Self {
        let f = CardForm::from(c);
        Self {
            title: f.title.into(),
            short_title: f.short_title.into(),
            announce: f.announce.into(),
            description: f.description.into(),
            goals: f.goals.into(),
            results: f.results.into(),
            direction: f.direction.into(),
            profile_id: f.profile_id.into(),
            level: f.level.into(),
            program_type: f.program_type.into(),
            age_min: c.age_min.into(),
            age_max: c.age_max.into(),
            duration_months: c.duration_months,
            hours: c.hours,
            study_form: f.study_form.into(),
            ovz_kinds: f.ovz_kinds.into_iter().map(Text).collect(),
            financing: f.financing.into_iter().map(Text).collect(),
            group_min: c.group_min,
            group_max: c.group_max,
        }
    }
}

impl CardBody {
    pub(crate) fn form(self) -> CardForm {
        CardForm {
            title: self.title.0,
            short_title: self.short_title.0,
            announce: self.announce.0,
            description: self.description.0,
            goals: self.goals.0,
            results: self.results.0,
            direction: self.direction.0,
            profile_id: self.profile_id.0,
            level: self.level.0,
            program_type: self.program_type.0,
            age_min: self.age_min.to_string(),
            age_max: self.age_max.to_string(),
            duration_months: self.duration_months.to_string(),
            hours: self.hours.to_string(),
            study_form: self.study_form.0,
            ovz_kinds: self.ovz_kinds.into_iter().map(|t| t.0).collect(),
            financing: self.financing.into_iter().map(|t| t.0).collect(),
            group_min: self.group_min.to_string(),
            group_max: self.group_max.to_string(),
        }
    }
}

/// A program as its organization and moderators see it.
#[derive(Object)]
pub struct AuthoredProgram {
    pub id: i64,
    pub organization_id: i64,
    pub organization: String,
    /// draft | moderation | needs_changes | published | archived: the row's status.
    pub status: String,
    /// Where the work stands, in words: «Опубликовано · изменения на модерации».
    pub status_label: String,
    /// The state of the pending edit of a published program (draft | moderation |
    /// needs_changes); none when there is none.
    #[oai(nullable)]
    pub revision_state: Option<String>,
    /// The moderator's comment on the work in hand.
    #[oai(nullable)]
    pub moderator_comment: Option<String>,
    /// The card being worked on (the pending edit's, else the program's).
    pub card: CardBody,
    /// The published card when an edit of it is pending.
    #[oai(nullable)]
    pub published_card: Option<CardBody>,
    /// Its version: changes with anything above (the `ETag` of the sync calls, for their
    /// `If-Match`).
    pub version: String,
}

impl From<&Authored> for AuthoredProgram {
    fn from(p: &Authored) -> Self {
        Self {
            id: p.id,
            organization_id: p.organization_id,
            organization: p.organization.clone(),
            status: p.status.code().to_owned(),
            status_label: p.status_text(),
            revision_state: p.revision.as_ref().map(|r| r.state.code().to_owned()),
            moderator_comment: p.comment().map(str::to_owned),
            card: CardBody::from(p.working_card()),
            published_card: p.revision.as_ref().map(|_| CardBody::from(&p.card)),
            version: p.version(),
        }
    }
}

/// One field a decision would change.
#[derive(Object)]
pub struct Change {
    /// The card field (as in `CardBody`).
    pub field: String,
    pub label: String,
    /// As published; none for a program never published.
    #[oai(nullable)]
    pub before: Option<String>,
    pub after: String,
}

impl From<FieldChange> for Change {
    fn from(c: FieldChange) -> Self {
        Self {
            field: c.field.to_owned(),
            label: c.label.to_owned(),
            before: c.before,
            after: c.after,
        }
    }
}

/// A program waiting for a decision, with what publishing it would change.
#[derive(Object)]
pub struct ReviewBody {
    pub program: AuthoredProgram,
    pub changes: Vec<Change>,
}

#[derive(Object)]
pub struct ReturnBody {
    /// What the organization must fix (required, up to 2 000 characters).
    pub comment: String,
}

/// A lifecycle button pressed through the API: the program as it is after it.
async fn step(
    state: &State,
    site: &Site,
    visitor: &Visitor,
    csrf: &Header<Option<String>>,
    id: i64,
    step: Step,
) -> Reply<AuthoredProgram> {
    let tenant = try_reply!(region_of(site));
    let viewer = try_reply!(writer(visitor, csrf));
    try_reply!(state.programs.step(tenant, viewer, id, step).await);
    let program = try_reply!(state.programs.get(tenant, viewer, id).await);
    Reply::Ok(Json(AuthoredProgram::from(&program)))
}

#[OpenApi(tag = "ApiTags::Programs")]
impl ProgramsApi {
    /// The organization's programs (organization staff)
    #[oai(path = "/provider/programs", method = "get")]
    async fn list(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<AuthoredProgram>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let programs = try_reply!(state.programs.list(tenant, viewer).await);
        Reply::Ok(Json(programs.iter().map(AuthoredProgram::from).collect()))
    }

    /// «Создать программу»: a new draft
    ///
    /// Every field is checked; 400 names each wrong one.
    #[oai(path = "/provider/programs", method = "post")]
    async fn create(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<CardBody>,
    ) -> Reply<AuthoredProgram> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let id = try_reply!(state.programs.create(tenant, viewer, &body.0.form()).await);
        let program = try_reply!(state.programs.get(tenant, viewer, id).await);
        Reply::Ok(Json(AuthoredProgram::from(&program)))
    }

    /// One of the organization's programs
    #[oai(path = "/provider/programs/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        id: Path<i64>,
    ) -> Reply<AuthoredProgram> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let program = try_reply!(state.programs.get(tenant, viewer, id.0).await);
        Reply::Ok(Json(AuthoredProgram::from(&program)))
    }

    /// Saves the card
    ///
    /// A published program stays published: the edit waits as a revision. A program on
    /// moderation or in the archive is not edited (409).
    #[oai(path = "/provider/programs/:id", method = "put")]
    async fn save(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<CardBody>,
    ) -> Reply<AuthoredProgram> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(
            state
                .programs
                .save(tenant, viewer, id.0, &body.0.form())
                .await
        );
        let program = try_reply!(state.programs.get(tenant, viewer, id.0).await);
        Reply::Ok(Json(AuthoredProgram::from(&program)))
    }

    /// «Отправить на модерацию»
    ///
    /// 400 names the fields still to fill in (a program entered before the full card).
    #[oai(path = "/provider/programs/:id/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<AuthoredProgram> {
        step(&state, &site, &visitor, &csrf, id.0, Step::Submit).await
    }

    /// «Отозвать с модерации»
    #[oai(path = "/provider/programs/:id/withdraw", method = "post")]
    async fn withdraw(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<AuthoredProgram> {
        step(&state, &site, &visitor, &csrf, id.0, Step::Withdraw).await
    }

    /// «Копировать программу»: a new draft with the same card
    #[oai(path = "/provider/programs/:id/copy", method = "post")]
    async fn copy(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<AuthoredProgram> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let copy = try_reply!(state.programs.copy(tenant, viewer, id.0).await);
        let program = try_reply!(state.programs.get(tenant, viewer, copy).await);
        Reply::Ok(Json(AuthoredProgram::from(&program)))
    }

    /// «В архив»: the program leaves the catalog
    #[oai(path = "/provider/programs/:id/archive", method = "post")]
    async fn archive(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<AuthoredProgram> {
        step(&state, &site, &visitor, &csrf, id.0, Step::Archive).await
    }

    /// «Вернуть из архива»: a draft again
    #[oai(path = "/provider/programs/:id/restore", method = "post")]
    async fn restore(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<AuthoredProgram> {
        step(&state, &site, &visitor, &csrf, id.0, Step::Restore).await
    }

    /// The moderation queue of the viewer's scope, oldest waiting first (moderators)
    #[oai(path = "/moderation/programs", method = "get")]
    async fn queue(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<AuthoredProgram>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let (_, items) = try_reply!(state.programs.queue(tenant, viewer).await);
        Reply::Ok(Json(items.iter().map(AuthoredProgram::from).collect()))
    }

    /// A program with the fields publishing it would change (moderators)
    #[oai(path = "/moderation/programs/:id", method = "get")]
    async fn review(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        id: Path<i64>,
    ) -> Reply<ReviewBody> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let review = try_reply!(state.programs.review(tenant, viewer, id.0).await);
        Reply::Ok(Json(ReviewBody {
            program: AuthoredProgram::from(&review.program),
            changes: review.changes.into_iter().map(Change::from).collect(),
        }))
    }

    /// «Опубликовать»
    #[oai(path = "/moderation/programs/:id/publish", method = "post")]
    async fn publish(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let from = try_reply!(sender(&state, &site, &origin));
        try_reply!(state.programs.publish(tenant, viewer, &from, id.0).await);
        Reply::Ok(done("Программа опубликована"))
    }

    /// «Вернуть на доработку» with a comment
    #[oai(path = "/moderation/programs/:id/return", method = "post")]
    #[allow(clippy::too_many_arguments)]
    async fn return_for_changes(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<ReturnBody>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let from = try_reply!(sender(&state, &site, &origin));
        try_reply!(
            state
                .programs
                .return_for_changes(tenant, viewer, &from, id.0, &body.0.comment)
                .await
        );
        Reply::Ok(done("Программа возвращена на доработку"))
    }
}

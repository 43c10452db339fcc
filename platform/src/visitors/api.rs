//! «Приём заявителя» under /api/v1/provider/visitors, as on the desk's pages: the families
//! the organization registered, registering one, a family's card, a child, a certificate,
//! the confirmation of the child's data, and walk-in applications («Личное обращение»).

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::accounts::service::{DeskOutcome, VisitorForm};
use crate::api::{done, error, try_reply, writer, ApiTags, Done, Reply};
use crate::children::api::ChildRequest;
use crate::regions::Site;
use crate::service_error::ServiceError;
use crate::web::page::sender;
use crate::web::{region_of, Origin, Visitor};
use crate::State;

use super::service::{DeskChild, VisitorCard, VisitorLine};

pub struct VisitorsApi;

/// The parent who came in person, and the paper consent they signed.
#[derive(Object)]
pub struct VisitorRequest {
    /// The municipality's id (see the region's `municipalities`).
    pub municipality: String,
    pub last_name: String,
    pub first_name: String,
    #[oai(nullable)]
    pub middle_name: Option<String>,
    /// A Russian mobile number, such as `+7 916 123-45-67`.
    pub phone: String,
    /// Required: the set-password link goes there, and the decisions.
    pub email: String,
    /// The number of the signed consent form (not needed to correct the data).
    #[oai(nullable)]
    pub consent_number: Option<String>,
    /// `YYYY-MM-DD` or `ДД.ММ.ГГГГ`, not in the future, within a year.
    #[oai(nullable)]
    pub consent_date: Option<String>,
    /// Who took the signature.
    #[oai(nullable)]
    pub consent_taken_by: Option<String>,
}

impl VisitorRequest {
    fn form(self) -> VisitorForm {
        VisitorForm {
            municipality: self.municipality,
            last_name: self.last_name,
            first_name: self.first_name,
            middle_name: self.middle_name.unwrap_or_default(),
            phone: self.phone,
            email: self.email,
            consent_number: self.consent_number.unwrap_or_default(),
            consent_date: self.consent_date.unwrap_or_default(),
            consent_taken_by: self.consent_taken_by.unwrap_or_default(),
        }
    }
}

/// A family the organization registered.
#[derive(Object)]
pub struct VisitorSummary {
    pub id: i64,
    pub name: String,
    /// `ДД.ММ.ГГГГ ЧЧ:ММ`, the region's time.
    pub created: String,
    /// The parent set their password: the account is theirs, the desk cannot change it.
    pub taken_over: bool,
}

impl From<VisitorLine> for VisitorSummary {
    fn from(l: VisitorLine) -> Self {
        Self {
            id: l.id,
            name: l.name,
            created: l.created,
            taken_over: l.taken_over,
        }
    }
}

#[derive(Object)]
pub struct VisitorChild {
    pub id: i64,
    pub name: String,
    /// `ДД.ММ.ГГГГ`.
    pub birth_date: String,
    #[oai(nullable)]
    pub certificate_number: Option<String>,
    pub certificate_confirmed: bool,
    /// This organization may confirm the child's data now.
    pub can_confirm: bool,
    /// Why the child cannot have a certificate.
    #[oai(nullable)]
    pub ineligible: Option<String>,
}

impl From<DeskChild> for VisitorChild {
    fn from(c: DeskChild) -> Self {
        Self {
            id: c.id,
            name: c.name,
            birth_date: c.birth_date,
            certificate_confirmed: c.certificate.as_ref().is_some_and(|x| x.confirmed),
            can_confirm: c.certificate.as_ref().is_some_and(|x| x.can_confirm),
            certificate_number: c.certificate.map(|x| x.number),
            ineligible: c.ineligible,
        }
    }
}

/// A family's card (each child shown is audited as a view of their data).
#[derive(Object)]
pub struct VisitorDetails {
    pub id: i64,
    pub name: String,
    pub municipality: String,
    pub phone: String,
    pub email: String,
    pub email_confirmed: bool,
    /// «№ … от ДД.ММ.ГГГГ, принял(а): …».
    pub consent: String,
    pub taken_over: bool,
    pub children: Vec<VisitorChild>,
    /// Ids of the family's applications to this organization.
    pub applications: Vec<i64>,
}

impl From<VisitorCard> for VisitorDetails {
    fn from(c: VisitorCard) -> Self {
        Self {
            id: c.id,
            name: c.name,
            municipality: c.municipality,
            phone: c.phone,
            email: c.email,
            email_confirmed: c.email_confirmed,
            consent: c.consent,
            taken_over: c.taken_over,
            children: c.children.into_iter().map(Into::into).collect(),
            applications: c.applications.into_iter().map(|a| a.id).collect(),
        }
    }
}

#[derive(Object)]
pub struct Created {
    pub id: i64,
}

#[derive(Object)]
pub struct IssuedCertificate {
    pub number: String,
}

/// A walk-in application: for a child of a family registered here (`visitor` and `child`),
/// or for a child found by `certificate_number` and `birth_date` (both from the documents).
#[derive(Object)]
pub struct WalkInRequest {
    pub group_id: i64,
    #[oai(nullable)]
    pub certificate_number: Option<String>,
    /// The child's birth date, `YYYY-MM-DD`, with `certificate_number`.
    #[oai(nullable)]
    pub birth_date: Option<String>,
    #[oai(nullable)]
    pub visitor: Option<i64>,
    #[oai(nullable)]
    pub child: Option<i64>,
}

#[derive(Object)]
pub struct WalkIn {
    pub id: i64,
    /// `new` or `waitlisted`.
    pub status: String,
    pub in_person: bool,
}

#[OpenApi(tag = "ApiTags::Visitors")]
impl VisitorsApi {
    /// The families the organization registered («Приём заявителя»)
    #[oai(path = "/provider/visitors", method = "get")]
    async fn list(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<VisitorSummary>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let list = try_reply!(state.visitors.list(tenant, viewer).await);
        Reply::Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// «Зарегистрировать заявителя»
    ///
    /// 409 `already_registered` when the e-mail or phone is registered in the region: whose
    /// account it is is never said.
    #[oai(path = "/provider/visitors", method = "post")]
    async fn register(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<VisitorRequest>,
    ) -> Reply<Created> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        let outcome = state
            .visitors
            .register(tenant, &sender, viewer, &body.0.form())
            .await;
        saved(try_reply!(outcome))
    }

    /// A family's card
    #[oai(path = "/provider/visitors/:id", method = "get")]
    async fn card(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        id: Path<i64>,
    ) -> Reply<VisitorDetails> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let card = try_reply!(state.visitors.card(tenant, viewer, id.0).await);
        Reply::Ok(Json(card.into()))
    }

    /// Correct the parent's data (until the parent takes the account over)
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/provider/visitors/:id", method = "put")]
    async fn edit(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<VisitorRequest>,
    ) -> Reply<Created> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        let outcome = state
            .visitors
            .edit(tenant, &sender, viewer, id.0, &body.0.form())
            .await;
        saved(try_reply!(outcome))
    }

    /// «+ Добавить ребёнка» to a family registered here
    #[oai(path = "/provider/visitors/:id/children", method = "post")]
    async fn add_child(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<ChildRequest>,
    ) -> Reply<Created> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let child = try_reply!(
            state
                .visitors
                .add_child(tenant, viewer, id.0, &body.0.form())
                .await
        );
        Reply::Ok(Json(Created { id: child }))
    }

    /// «Получить сертификат» for a child of a family registered here
    #[oai(
        path = "/provider/visitors/:id/children/:child/certificate",
        method = "post"
    )]
    async fn issue(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        child: Path<i64>,
    ) -> Reply<IssuedCertificate> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let cert = try_reply!(state.visitors.issue(tenant, viewer, id.0, child.0).await);
        Reply::Ok(Json(IssuedCertificate {
            number: cert.number,
        }))
    }

    /// «Подтвердить данные» of a child of a family registered here (an authorized
    /// organization of the certificate's municipality)
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/provider/visitors/:id/children/:child/confirm",
        method = "post"
    )]
    async fn confirm(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        child: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        try_reply!(
            state
                .visitors
                .confirm(tenant, &sender, viewer, id.0, child.0)
                .await
        );
        Reply::Ok(done("Данные ребёнка подтверждены"))
    }

    /// A walk-in application («Личное обращение») to one of the organization's groups
    #[oai(path = "/provider/visitors/applications", method = "post")]
    async fn walk_in(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<WalkInRequest>,
    ) -> Reply<WalkIn> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        let body = body.0;
        let app = match (body.certificate_number, body.visitor, body.child) {
            (Some(number), None, None) => {
                let born = body.birth_date.unwrap_or_default();
                state
                    .visitors
                    .apply_by_number(tenant, &sender, viewer, &number, &born, body.group_id)
                    .await
            }
            (None, Some(family), Some(child)) => {
                state
                    .visitors
                    .apply(tenant, &sender, viewer, family, child, body.group_id)
                    .await
            }
            (Some(_), _, _) => Err(ServiceError::field(
                "visitor",
                "укажите либо номер сертификата, либо заявителя и ребёнка (visitor и child), не то и другое",
            )),
            (None, None, _) => Err(ServiceError::field(
                "certificate_number",
                "укажите номер сертификата или заявителя и ребёнка (visitor и child)",
            )),
            (None, Some(_), None) => Err(ServiceError::field("child", "укажите ребёнка")),
        };
        let app = try_reply!(app);
        Reply::Ok(Json(WalkIn {
            id: app.id,
            status: app.status.as_str().to_owned(),
            in_person: app.in_person,
        }))
    }
}

fn saved(outcome: DeskOutcome) -> Reply<Created> {
    match outcome {
        DeskOutcome::Saved(id) => Reply::Ok(Json(Created { id })),
        DeskOutcome::AlreadyRegistered(taken) => {
            let messages: Vec<&str> = taken.iter().map(|t| t.message()).collect();
            Reply::Conflict(error("already_registered", &messages.join(" ")))
        }
    }
}

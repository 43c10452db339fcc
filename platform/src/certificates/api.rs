//! Certificates under /api/v1: the parent's certificate and its financing, the
//! organization's search and decision, the municipal admin's settings.

use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::ApiTags;
use crate::api::{done, invalid_parameters, try_reply, writer, Done, Reply};
use crate::regions::Site;
use crate::service_error::ServiceError;
use crate::web::{region_of, Origin, Visitor};
use crate::State;

use super::service::{PeriodForm, StaffQuery};
use super::views::{card, CertificateCard, StaffCard};

pub struct CertificatesApi;

/// A certificate as the parent sees it.
#[derive(Object)]
pub struct CertificateInfo {
    pub id: i64,
    /// 10 digits: region code, sequence, check digit.
    pub number: String,
    /// The child's data was confirmed in person.
    pub confirmed: bool,
    #[oai(nullable)]
    pub rejection: Option<String>,
    /// «В настоящее время финансирование сертификата не осуществляется» when absent.
    #[oai(nullable)]
    pub funding: Option<FundingInfo>,
    pub history: Vec<HistoryInfo>,
}

#[derive(Object)]
pub struct FundingInfo {
    pub period: i64,
    pub valid_from: String,
    pub valid_to: String,
    pub nominal: String,
    pub committed: String,
    pub spent: String,
    pub available: String,
}

#[derive(Object)]
pub struct HistoryInfo {
    pub date: String,
    pub kind: String,
    pub amount: String,
    pub reason: String,
}

impl From<CertificateCard> for CertificateInfo {
    fn from(c: CertificateCard) -> Self {
        Self {
            id: c.id,
            number: c.number,
            confirmed: c.confirmed,
            rejection: c.rejection,
            funding: c.funding.map(|f| FundingInfo {
                period: f.period,
                valid_from: f.valid_from,
                valid_to: f.valid_to,
                nominal: f.nominal,
                committed: f.committed,
                spent: f.spent,
                available: f.available,
            }),
            history: c
                .history
                .into_iter()
                .map(|h| HistoryInfo {
                    date: h.date,
                    kind: h.kind.to_owned(),
                    amount: h.amount,
                    reason: h.reason,
                })
                .collect(),
        }
    }
}

/// A child's data for staff to check against documents.
#[derive(Object)]
pub struct StaffCertificate {
    pub id: i64,
    pub number: String,
    pub confirmed: bool,
    #[oai(nullable)]
    pub rejection: Option<String>,
    pub child: String,
    pub birth_date: String,
    pub sex: String,
    pub snils: String,
    pub parent: String,
    pub parent_phone: String,
    pub parent_email: String,
}

impl From<StaffCard> for StaffCertificate {
    fn from(c: StaffCard) -> Self {
        Self {
            id: c.id,
            number: c.number,
            confirmed: c.confirmed,
            rejection: c.rejection,
            child: c.child,
            birth_date: c.birth_date,
            sex: c.sex.to_owned(),
            snils: c.snils,
            parent: c.parent,
            parent_phone: c.parent_phone,
            parent_email: c.parent_email,
        }
    }
}

#[derive(Object)]
pub struct RejectRequest {
    /// What did not match the documents.
    pub reason: String,
}

#[derive(Object)]
pub struct AuthorizationRequest {
    pub can_confirm: bool,
}

#[derive(Object)]
pub struct PeriodRequest {
    pub period: i64,
    pub nominal_rub: i64,
    pub budget_rub: i64,
}

async fn certificate_reply(
    state: &State,
    tenant: &crate::regions::Tenant,
    cert: super::store::Certificate,
) -> Reply<CertificateInfo> {
    match card(&state.db, &state.clock, tenant, cert).await {
        Ok(c) => Reply::Ok(Json(c.into())),
        Err(e) => ServiceError::Internal(e.into()).into(),
    }
}

#[OpenApi(tag = "ApiTags::Certificates")]
impl CertificatesApi {
    /// A child's certificate
    #[oai(path = "/me/children/:id/certificate", method = "get")]
    async fn certificate(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        id: Path<i64>,
    ) -> Reply<CertificateInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let cert = try_reply!(
            state
                .certificates
                .certificate_of_child(tenant.id, viewer.user.id, id.0)
                .await
        );
        match cert {
            Some(cert) => certificate_reply(&state, tenant, cert).await,
            None => ServiceError::NotFound.into(),
        }
    }

    /// «Получить сертификат»
    ///
    /// Issues a сертификат учёта to the child (or returns the existing one); 409 with the
    /// reason when the child's age or the account does not allow it.
    #[oai(path = "/me/children/:id/certificate", method = "post")]
    async fn issue(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<CertificateInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let cert = try_reply!(state.certificates.issue(tenant, viewer, id.0).await);
        certificate_reply(&state, tenant, cert).await
    }

    /// «Заявление на начисление номинала»
    ///
    /// Granted at once while the municipality's budget of the period has room; 409 with
    /// the reason otherwise.
    #[oai(path = "/me/children/:id/certificate/funding", method = "post")]
    async fn fund(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<CertificateInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(
            state
                .certificates
                .apply_for_funding(tenant, viewer, id.0)
                .await
        );
        let cert = try_reply!(
            state
                .certificates
                .certificate_of_child(tenant.id, viewer.user.id, id.0)
                .await
        );
        match cert {
            Some(cert) => certificate_reply(&state, tenant, cert).await,
            None => ServiceError::NotFound.into(),
        }
    }

    /// Find children by certificate number, or by name and birth date (organization staff)
    ///
    /// Only staff of an organization authorized to confirm data; only children of its
    /// municipality. Every child returned is written to the audit log.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/provider/certificates", method = "get")]
    async fn search(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        number: Query<Option<String>>,
        last_name: Query<Option<String>>,
        first_name: Query<Option<String>>,
        birth_date: Query<Option<String>>,
    ) -> Reply<Vec<StaffCertificate>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let query = StaffQuery {
            number: number.0.unwrap_or_default(),
            last_name: last_name.0.unwrap_or_default(),
            first_name: first_name.0.unwrap_or_default(),
            birth_date: birth_date.0.unwrap_or_default(),
        };
        // Every field of the search is a query parameter.
        let found = match state
            .certificates
            .staff_search(tenant, viewer, &query)
            .await
        {
            Err(ServiceError::Invalid(errors)) => {
                return Reply::Invalid(invalid_parameters(&errors))
            }
            other => try_reply!(other),
        };
        Reply::Ok(Json(
            found
                .into_iter()
                .map(|v| StaffCard::from(v).into())
                .collect(),
        ))
    }

    /// «Подтвердить данные»
    #[oai(path = "/provider/certificates/:id/confirm", method = "post")]
    async fn confirm(
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
        let sender = try_reply!(crate::web::page::sender(&state, &site, &origin));
        try_reply!(
            state
                .certificates
                .decide(tenant, &sender, viewer, id.0, None)
                .await
        );
        Reply::Ok(done("Данные подтверждены"))
    }

    /// Refuse to confirm, with the reason
    #[oai(path = "/provider/certificates/:id/reject", method = "post")]
    #[allow(clippy::too_many_arguments)]
    async fn reject(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<RejectRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(crate::web::page::sender(&state, &site, &origin));
        try_reply!(
            state
                .certificates
                .decide(tenant, &sender, viewer, id.0, Some(&body.0.reason))
                .await
        );
        Reply::Ok(done("Отказ отправлен родителю"))
    }

    /// Authorize an organization of the municipality to confirm data (municipal admin)
    #[oai(path = "/municipal/organizations/:id/authorization", method = "put")]
    async fn authorize(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<AuthorizationRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(
            state
                .certificates
                .authorize(tenant, viewer, id.0, body.0.can_confirm)
                .await
        );
        Reply::Ok(done("Сохранено"))
    }

    /// Set the nominal and budget of a period (municipal admin)
    #[oai(path = "/municipal/periods", method = "put")]
    async fn period(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<PeriodRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let form = PeriodForm {
            period: body.0.period.to_string(),
            nominal_rub: body.0.nominal_rub.to_string(),
            budget_rub: body.0.budget_rub.to_string(),
        };
        try_reply!(state.certificates.set_period(tenant, viewer, &form).await);
        Reply::Ok(done("Сохранено"))
    }
}

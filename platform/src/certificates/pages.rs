//! Certificate pages: «Получить сертификат» and «Заявление на начисление номинала» in the
//! parent's cabinet, the in-person confirmation page («Активировать сертификат»), the
//! organization's search and «Подтвердить данные», and the municipal admin's settings.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::values::Role;
use crate::children::pages::render_cabinet;
use crate::domain::{FieldError, Money};
use crate::regions::Site;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, sender, CsrfOnly};
use crate::web::{form_status, path_id, region_of, Layout, Origin, Region, Visitor, WebError};
use crate::State;

use super::service::{self, PeriodForm, StaffQuery};
use super::store;
use super::views::StaffCard;

type PageResult = Result<Response, WebError>;

/// «Получить сертификат».
#[handler]
pub async fn issue(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    match state
        .certificates
        .issue(&tenant, viewer, path_id(&raw)?)
        .await
    {
        Ok(cert) => {
            let notice = format!(
                "Сертификат учёта выдан: № {}. Теперь подтвердите данные ребёнка.",
                cert.number
            );
            render_cabinet(&state, &tenant, &visitor, layout, Some(notice), None).await
        }
        Err(ServiceError::Refused(reason)) => {
            render_cabinet(&state, &tenant, &visitor, layout, None, Some(reason)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Заявление на начисление номинала».
#[handler]
pub async fn apply_for_funding(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    match state
        .certificates
        .apply_for_funding(&tenant, viewer, path_id(&raw)?)
        .await
    {
        Ok(amount) => {
            let notice = format!(
                "Заявление удовлетворено: на сертификат зачислено {}.",
                Money::from_kopecks(amount)
            );
            render_cabinet(&state, &tenant, &visitor, layout, Some(notice), None).await
        }
        Err(ServiceError::Refused(reason)) => {
            render_cabinet(&state, &tenant, &visitor, layout, None, Some(reason)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Активировать сертификат» / «подтвердить данные»: the in-person procedure and the
/// authorized organizations of the parent's municipality.
#[handler]
pub async fn activate(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let municipality = viewer.user.municipality_id.clone().unwrap_or_default();
    let municipality_name = tenant
        .config
        .municipality(&municipality)
        .map_or_else(String::new, |m| m.name.clone());
    let orgs = crate::catalog::store::confirming(&state.db, tenant.id, Some(&municipality)).await?;
    render(
        &state,
        &visitor,
        "certificate_activate.html",
        minijinja::context! {
            layout, orgs, municipality_name, coordinator => &tenant.config.coordinator, nav => "cabinet",
        },
        StatusCode::OK,
    )
}

// ---------------------------------------------------------------- organization staff

#[handler]
pub async fn staff_search(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(query): Query<StaffQuery>,
) -> PageResult {
    let viewer = visitor.require()?;
    let searched = !(query.number.is_empty()
        && query.last_name.is_empty()
        && query.first_name.is_empty()
        && query.birth_date.is_empty());
    // Without a query only who asks is checked (the form is for authorized staff too).
    let found = if searched {
        state
            .certificates
            .staff_search(&tenant, viewer, &query)
            .await
    } else {
        state
            .certificates
            .confirming_org(&tenant, viewer)
            .await
            .map(|_| Vec::new())
    };
    let (results, errors): (Vec<StaffCard>, Vec<FieldError>) = match found {
        Ok(found) => (found.into_iter().map(StaffCard::from).collect(), Vec::new()),
        Err(ServiceError::Invalid(errors)) => (Vec::new(), errors),
        // Staff of an organization the municipality did not authorize are told why.
        Err(ServiceError::Forbidden) if viewer.user.role == Role::Provider => {
            return Err(WebError::ForbiddenBecause(
                "Ваша организация не уполномочена муниципалитетом подтверждать данные детей. \
                 Обратитесь к муниципальному администратору."
                    .into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    render(
        &state,
        &visitor,
        "provider_certificates.html",
        minijinja::context! {
            layout, form => &query, results, searched, errors => errors_map(&errors), nav => "cabinet",
        },
        form_status(&errors),
    )
}

#[handler]
pub async fn staff_certificate(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
) -> PageResult {
    let viewer = visitor.require()?;
    let view = state
        .certificates
        .staff_open(&tenant, viewer, path_id(&raw)?)
        .await?;
    let card = StaffCard::from(view);
    render(
        &state,
        &visitor,
        "provider_certificate.html",
        minijinja::context! { layout, card, errors => errors_map(&[]), nav => "cabinet" },
        StatusCode::OK,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    csrf: String,
    reason: String,
}

/// `/provider/certificates/{id}/{confirm|reject}`.
#[handler]
pub async fn staff_decide(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Path((raw, decision)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require()?;
    let id = path_id(&raw)?;
    let reject = match decision.as_str() {
        "confirm" => None,
        "reject" => Some(form.reason.as_str()),
        _ => return Err(WebError::NotFound),
    };
    let sender = sender(&state, &site, &origin)?;
    match state
        .certificates
        .decide(tenant, &sender, viewer, id, reject)
        .await
    {
        Ok(()) => Ok(Redirect::see_other(format!("/provider/certificates/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let view = state.certificates.staff_open(tenant, viewer, id).await?;
            render(
                &state,
                &visitor,
                "provider_certificate.html",
                minijinja::context! {
                    layout, card => StaffCard::from(view), errors => errors_map(&errors), nav => "cabinet",
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- municipal admin

#[derive(Serialize)]
struct PeriodRow {
    period: i64,
    nominal: String,
    budget: String,
    granted: String,
    left: String,
    nominal_rub: i64,
    budget_rub: i64,
}

async fn municipal_page(
    state: &State,
    tenant: &crate::regions::Tenant,
    visitor: &Visitor,
    layout: Layout,
    form: &PeriodForm,
    errors: &[FieldError],
    notice: Option<&str>,
) -> PageResult {
    let viewer = visitor.require()?;
    let municipality = viewer
        .user
        .admin_municipality()
        .ok_or(WebError::Forbidden)?
        .to_owned();
    let name = tenant
        .config
        .municipality(&municipality)
        .map_or(municipality.clone(), |m| m.name.clone());
    let orgs = crate::catalog::store::organizations_in(&state.db, tenant.id, &municipality).await?;
    let this_year = service::current_period(tenant.today(&state.clock));
    let mut periods = Vec::new();
    for year in [this_year, this_year + 1] {
        let (nominal, budget, granted) =
            match store::period(&state.db, tenant.id, &municipality, year).await? {
                Some(p) => (p.nominal, p.budget, p.granted),
                None => {
                    let (n, b) = service::period_defaults(tenant, &municipality);
                    (n, b, 0)
                }
            };
        periods.push(PeriodRow {
            period: year,
            nominal: Money::from_kopecks(nominal).to_string(),
            budget: Money::from_kopecks(budget).to_string(),
            granted: Money::from_kopecks(granted).to_string(),
            left: Money::from_kopecks(budget - granted).to_string(),
            nominal_rub: nominal / 100,
            budget_rub: budget / 100,
        });
    }
    let status = form_status(errors);
    render(
        state,
        visitor,
        "municipal.html",
        minijinja::context! {
            layout, name, orgs, periods, form, notice, errors => errors_map(errors),
            user => viewer.user.full_name(), nav => "cabinet",
            moderates => crate::programs::Scope::of(tenant, viewer).is_ok(),
        },
        status,
    )
}

#[handler]
pub async fn municipal(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    municipal_page(
        &state,
        &tenant,
        &visitor,
        layout,
        &PeriodForm::default(),
        &[],
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuthorizeForm {
    csrf: String,
    can_confirm: String,
}

#[handler]
pub async fn municipal_authorize(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(raw): Path<String>,
    Form(form): Form<AuthorizeForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require()?;
    state
        .certificates
        .authorize(&tenant, viewer, path_id(&raw)?, form.can_confirm == "1")
        .await?;
    Ok(Redirect::see_other("/municipal").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PeriodPost {
    csrf: String,
    #[serde(flatten)]
    period: PeriodForm,
}

#[handler]
pub async fn municipal_period(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<PeriodPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require()?;
    match state
        .certificates
        .set_period(&tenant, viewer, &form.period)
        .await
    {
        Ok(()) => {
            municipal_page(
                &state,
                &tenant,
                &visitor,
                layout,
                &PeriodForm::default(),
                &[],
                Some("Настройки периода сохранены."),
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            municipal_page(
                &state,
                &tenant,
                &visitor,
                layout,
                &form.period,
                &errors,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

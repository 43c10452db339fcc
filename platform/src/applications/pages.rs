//! Application pages: «Записаться» from a program's group, the parent's «Заявки» tab with
//! history, cancel and withdrawal, and the organization's list with filters, counts, bulk
//! decisions and the application card.

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::sessions::Viewer;
use crate::accounts::values::Role;
use crate::catalog::store as catalog;
use crate::catalog::views::GroupView;
use crate::regions::{Site, Tenant};
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, sender, CsrfOnly};
use crate::web::{form_status, path_id, region_of, Layout, Origin, Region, Visitor, WebError};
use crate::State;

use super::contracts::Terms;
use super::service::Decision;
use super::store::{self, Filter, Status};
use super::views;

type PageResult = Result<Response, WebError>;

#[derive(Serialize)]
struct ChildOption {
    id: i64,
    name: String,
}

async fn apply_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    group_id: i64,
    alert: Option<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let group = catalog::group(&state.db, tenant.id, group_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let program = catalog::published_program(&state.db, tenant.id, group.program_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let children: Vec<ChildOption> =
        crate::children::store::children(&state.db, tenant.id, viewer.user.id)
            .await?
            .into_iter()
            .map(|c| ChildOption {
                id: c.id,
                name: format!(
                    "{} {} ({})",
                    c.last_name,
                    c.first_name,
                    crate::time::day_shown(&c.birth_date)
                ),
            })
            .collect();
    let status = if alert.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let reserve = Terms::of(&group, tenant.today(&state.clock)).map(|t| t.text());
    let price = GroupView::of(&group, tenant.today(&state.clock)).price;
    render(
        state,
        visitor,
        "apply.html",
        minijinja::context! {
            layout, alert, children,
            program => program.title, program_id => program.id, ages => program.ages.to_string(),
            group => group.name, group_id, schedule => group.schedule.to_string(),
            address => group.address, free_seats => group.free_seats(), reserve, price,
        },
        status,
    )
}

/// «Записаться»: choose the child.
#[handler]
pub async fn apply_form(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
) -> PageResult {
    apply_page(&state, &tenant, &visitor, layout, path_id(&raw)?, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    csrf: String,
    child: String,
}

#[handler]
pub async fn apply(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<ApplyForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?.clone();
    let viewer = visitor.require_role(Role::Parent)?;
    let group = path_id(&raw)?;
    let child = form.child.parse::<i64>().unwrap_or(0);
    match state
        .applications
        .apply(
            &tenant,
            &sender(&state, &site, &origin)?,
            viewer,
            group,
            child,
        )
        .await
    {
        Ok(app) => Ok(
            Redirect::see_other(format!("/cabinet/applications?filed={}", app.id)).into_response(),
        ),
        Err(ServiceError::Refused(reason)) => {
            apply_page(&state, &tenant, &visitor, layout, group, Some(reason)).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let reason = errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; ");
            apply_page(&state, &tenant, &visitor, layout, group, Some(reason)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FiledQuery {
    filed: Option<String>,
    /// `cancel` or `withdraw`, with the application's number in `id`.
    done: String,
    id: String,
}

/// The parent's «Заявки» tab.
#[handler]
pub async fn parent_list(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<FiledQuery>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let applications = views::for_parent(&state.db, &tenant, viewer.user.id).await?;
    let number = q.id.parse::<i64>().ok();
    let notice = match (q.filed, q.done.as_str(), number) {
        (Some(n), _, _) => Some(format!("Заявка № {n} отправлена в организацию.")),
        (None, "cancel", Some(n)) => Some(format!("Заявка № {n} отменена.")),
        (None, "withdraw", Some(n)) => Some(format!(
            "Готово: по заявке № {n} место в группе освобождено, организация получит уведомление."
        )),
        _ => None,
    };
    render(
        &state,
        &visitor,
        "applications.html",
        minijinja::context! { layout, applications, notice, nav => "cabinet" },
        StatusCode::OK,
    )
}

/// `/cabinet/applications/{id}/{cancel|withdraw}`.
#[handler]
pub async fn parent_action(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    Path((raw, action)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Parent)?;
    let sender = sender(&state, &site, &origin)?;
    let id = path_id(&raw)?;
    match action.as_str() {
        "cancel" => {
            state
                .applications
                .cancel(tenant, &sender, viewer, id)
                .await?
        }
        "withdraw" => {
            state
                .applications
                .withdraw(tenant, &sender, viewer, id)
                .await?
        }
        _ => return Err(WebError::NotFound),
    }
    Ok(Redirect::see_other(format!("/cabinet/applications?done={action}&id={id}")).into_response())
}

/// «Отчислить из группы» asks first: the seat goes to the next in the queue at once.
#[handler]
pub async fn withdraw_confirm(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path((raw, action)): Path<(String, String)>,
) -> PageResult {
    if action != "withdraw" {
        return Err(WebError::NotFound);
    }
    let viewer = visitor.require_role(Role::Parent)?;
    let id = path_id(&raw)?;
    let a = views::for_parent(&state.db, &tenant, viewer.user.id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(WebError::NotFound)?;
    // A link kept from before: the application has moved on, and the page says where to.
    let status = if a.can_withdraw {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    render(
        &state,
        &visitor,
        "withdraw_confirm.html",
        minijinja::context! { layout, a, nav => "cabinet" },
        status,
    )
}

// ---------------------------------------------------------------- organization staff

fn staff(visitor: &Visitor) -> Result<(&Viewer, i64), WebError> {
    let viewer = visitor.require()?;
    let org = viewer.user.staff_org().ok_or(WebError::Forbidden)?;
    Ok((viewer, org))
}

/// The list's filters as typed (all optional).
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct FilterForm {
    pub program: String,
    pub group: String,
    pub status: String,
    pub from: String,
    pub to: String,
}

impl FilterForm {
    /// The filter, or the fields that are not understood.
    pub fn parse(&self) -> Result<Filter, Vec<crate::domain::FieldError>> {
        use crate::domain::FieldError;
        let mut errors = Vec::new();
        let mut int = |field: &'static str, raw: &str| -> Option<i64> {
            if raw.trim().is_empty() {
                return None;
            }
            raw.trim()
                .parse()
                .map_err(|_| errors.push(FieldError::new(field, "укажите номер")))
                .ok()
        };
        let program = int("program", &self.program);
        let group = int("group", &self.group);
        let status = match self.status.trim() {
            "" => None,
            s => match Status::parse(s) {
                Some(s) => Some(s),
                None => {
                    errors.push(FieldError::new("status", "неизвестное состояние заявки"));
                    None
                }
            },
        };
        let mut date = |field: &'static str, raw: &str| -> Option<String> {
            if raw.trim().is_empty() {
                return None;
            }
            chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map(|d| d.to_string())
                .map_err(|_| errors.push(FieldError::new(field, "дата в формате ГГГГ-ММ-ДД")))
                .ok()
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        if errors.is_empty() {
            Ok(Filter {
                program,
                group,
                status,
                from,
                to,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Serialize)]
struct StatusCount {
    status: &'static str,
    label: &'static str,
    count: i64,
}

async fn provider_list_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    form: &FilterForm,
    results: Option<Vec<(i64, Result<(), String>)>>,
) -> PageResult {
    let (_, org) = staff(visitor)?;
    let (filter, errors) = match form.parse() {
        Ok(f) => (f, Vec::new()),
        Err(errors) => (Filter::default(), errors),
    };
    let (lines, counts) = store::for_organization(&state.db, tenant.id, org, &filter, 500).await?;
    let counts: Vec<StatusCount> = Status::ALL
        .iter()
        .map(|s| StatusCount {
            status: s.as_str(),
            label: s.label(),
            count: counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n),
        })
        .collect();
    let rows: Vec<views::ProviderLine> = lines
        .into_iter()
        .map(|l| views::ProviderLine::new(tenant, l))
        .collect();
    let results: Option<Vec<BTreeMap<&str, String>>> = results.map(|r| {
        r.into_iter()
            .map(|(id, outcome)| {
                let mut m = BTreeMap::new();
                m.insert("id", id.to_string());
                m.insert("result", outcome.err().unwrap_or_else(|| "готово".into()));
                m
            })
            .collect()
    });
    let status = form_status(&errors);
    render(
        state,
        visitor,
        "provider_applications.html",
        minijinja::context! {
            layout, rows, counts, form, results, errors => errors_map(&errors), nav => "cabinet",
        },
        status,
    )
}

#[handler]
pub async fn provider_list(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(form): Query<FilterForm>,
) -> PageResult {
    provider_list_page(&state, &tenant, &visitor, layout, &form, None).await
}

/// The bulk form: `action`, `comment`, and one `id` per ticked application.
#[handler]
pub async fn provider_bulk(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    visitor.check_csrf(value("csrf"))?;
    let tenant = region_of(&site)?;
    let (viewer, _) = staff(&visitor)?;
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let comment = value("comment");
    let decision = match value("action") {
        "confirm" => Decision::Confirm,
        "reject" => Decision::Reject(comment),
        "enroll" => Decision::Enroll,
        _ => {
            return Err(WebError::BadRequest(
                "Выберите действие: подтвердить, отклонить или зачислить.".into(),
            ))
        }
    };
    if ids.is_empty() {
        return Err(WebError::BadRequest(
            "Отметьте заявки, к которым применить действие.".into(),
        ));
    }
    let sender = sender(&state, &site, &origin)?;
    let results = state
        .applications
        .decide_many(tenant, &sender, viewer, &ids, decision)
        .await?;
    provider_list_page(
        &state,
        tenant,
        &visitor,
        layout,
        &FilterForm::default(),
        Some(results),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    /// The decision just taken: confirm, reject or enroll.
    done: String,
}

#[handler]
pub async fn provider_card(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = match q.done.as_str() {
        "confirm" => Some("Заявка подтверждена. Родитель получит письмо."),
        "reject" => Some("Заявка отклонена. Родитель получит письмо с причиной."),
        "enroll" => Some("Ребёнок зачислен в группу. Родитель получит письмо."),
        _ => None,
    };
    let (viewer, _) = staff(&visitor)?;
    let app = state
        .applications
        .organizations(&tenant, viewer, path_id(&raw)?)
        .await?;
    let card = views::provider_card(&state.db, &state.clock, &tenant, viewer, app).await?;
    render(
        &state,
        &visitor,
        "provider_application.html",
        minijinja::context! { layout, card, notice, errors => errors_map(&[]), nav => "cabinet" },
        StatusCode::OK,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    csrf: String,
    comment: String,
}

/// `/provider/applications/{id}/{confirm|reject|enroll}`.
#[handler]
pub async fn provider_decide(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    Path((raw, action)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let (viewer, _) = staff(&visitor)?;
    let id = path_id(&raw)?;
    let decision = match action.as_str() {
        "confirm" => Decision::Confirm,
        "reject" => Decision::Reject(&form.comment),
        "enroll" => Decision::Enroll,
        _ => return Err(WebError::NotFound),
    };
    let sender = sender(&state, &site, &origin)?;
    state
        .applications
        .decide(tenant, &sender, viewer, id, decision)
        .await?;
    Ok(Redirect::see_other(format!("/provider/applications/{id}?done={action}")).into_response())
}

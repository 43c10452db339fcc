//! The cabinet's «Дети» tab: each child with their certificate, «+ Добавить ребёнка», and
//! the child's form (add, edit). Works without JavaScript; a wrong field comes back with
//! its message.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::values::{age_on, Role, Sex, Snils};
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{form_status, path_id, Layout, Region, Visitor, WebError};
use crate::State;

use super::service::ChildForm;
use super::store::{self, Child};

#[derive(Serialize)]
struct ChildCard {
    id: i64,
    name: String,
    birth_date: String,
    age: String,
    sex: &'static str,
    snils: Option<String>,
    certificate: crate::certificates::views::ChildCertificate,
}

fn child_card(child: Child, today: chrono::NaiveDate) -> ChildCard {
    let born = chrono::NaiveDate::parse_from_str(&child.birth_date, "%Y-%m-%d").ok();
    let age = born.map(|b| age_on(b, today)).unwrap_or_default();
    ChildCard {
        id: child.id,
        name: child.full_name(),
        birth_date: born.map_or(child.birth_date.clone(), crate::time::day),
        age: format!(
            "{age} {}",
            crate::domain::plural(age.into(), "год", "года", "лет")
        ),
        sex: Sex::parse(&child.sex).map_or("", Sex::label),
        snils: child.snils_shown(),
        certificate: Default::default(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
}

/// «Личный кабинет», tab «Дети».
#[handler]
pub async fn cabinet(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let notice = q.saved.map(|_| "Данные ребёнка сохранены.".to_owned());
    render_cabinet(&state, &tenant, &visitor, layout, notice, None).await
}

/// The «Дети» tab with each child's certificate; `alert` is a refusal to show (then the
/// status is 409).
pub async fn render_cabinet(
    state: &State,
    tenant: &Arc<Tenant>,
    visitor: &Visitor,
    layout: Layout,
    notice: Option<String>,
    alert: Option<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let children = store::children(&state.db, tenant.id, viewer.user.id).await?;
    let births: Vec<(i64, String)> = children
        .iter()
        .map(|c| (c.id, c.birth_date.clone()))
        .collect();
    let mut certificates = crate::certificates::views::for_parent(
        &state.db,
        &state.clock,
        tenant,
        viewer.user.id,
        &births,
    )
    .await?;
    let children: Vec<_> = children
        .into_iter()
        .map(|c| {
            let id = c.id;
            let mut card = child_card(c, tenant.today(&state.clock));
            card.certificate = certificates.remove(&id).unwrap_or_default();
            card
        })
        .collect();
    let status = if alert.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    render(
        state,
        visitor,
        "cabinet.html",
        minijinja::context! { layout, children, notice, alert, nav => "cabinet" },
        status,
    )
}

fn child_form_page(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    id: Option<i64>,
    form: &ChildForm,
    errors: &[FieldError],
) -> PageResult {
    let (title, action) = match id {
        None => (
            "Добавить ребёнка".to_owned(),
            "/cabinet/children/new".to_owned(),
        ),
        Some(id) => (
            "Данные ребёнка".to_owned(),
            format!("/cabinet/children/{id}"),
        ),
    };
    render(
        state,
        visitor,
        "child_form.html",
        minijinja::context! {
            layout, title, action, form, errors => errors_map(errors), nav => "cabinet",
        },
        form_status(errors),
    )
}

fn child_id(raw: &str) -> Result<Option<i64>, WebError> {
    match raw {
        "new" => Ok(None),
        id => path_id(id).map(Some),
    }
}

#[handler]
pub async fn child_page(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let id = child_id(&raw)?;
    let form = match id {
        None => ChildForm::default(),
        Some(id) => {
            // Another parent's child is simply not found.
            let child = store::child_of(&state.db, tenant.id, viewer.user.id, id)
                .await?
                .ok_or(WebError::NotFound)?;
            ChildForm {
                last_name: child.last_name,
                first_name: child.first_name,
                middle_name: child.middle_name.unwrap_or_default(),
                birth_date: child.birth_date,
                sex: child.sex,
                snils: child
                    .snils
                    .and_then(|s| Snils::parse(&s).ok())
                    .map(|s| s.display())
                    .unwrap_or_default(),
                ovz: if child.ovz { "1" } else { "" }.to_owned(),
            }
        }
    };
    child_form_page(&state, &visitor, layout, id, &form, &[])
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChildFormPost {
    csrf: String,
    #[serde(flatten)]
    child: ChildForm,
}

#[handler]
pub async fn save_child(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<ChildFormPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    let id = child_id(&raw)?;
    match state.children.save(&tenant, viewer, id, &form.child).await {
        Ok(_) => Ok(Redirect::see_other("/cabinet?saved=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            child_form_page(&state, &visitor, layout, id, &form.child, &errors)
        }
        Err(e) => Err(e.into()),
    }
}

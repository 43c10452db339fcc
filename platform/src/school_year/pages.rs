//! «Новый учебный год» in the provider cabinet: the organization's programs as check
//! boxes («Отметить все» is a link, so no script is needed) and one button that copies the
//! marked ones. A refusal comes back on the same page with the boxes as they were marked.

use std::collections::BTreeSet;

use poem::http::StatusCode;
use poem::web::{Data, Form, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::values::Role;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{form_status, Layout, Region, Visitor, WebError};
use crate::State;

#[derive(Serialize)]
struct Row {
    id: i64,
    title: String,
    status: String,
    groups: i64,
    year: String,
    copy: Option<i64>,
    checked: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    /// «Отметить все».
    all: Option<String>,
    /// After a copy: how many programs and groups it made.
    copied: Option<usize>,
    groups: Option<usize>,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown<'a> {
    picked: Option<&'a BTreeSet<i64>>,
    all: bool,
    notice: Option<String>,
    refusal: Option<String>,
    errors: &'a [FieldError],
}

async fn page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    shown: Shown<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let rows: Vec<Row> = state
        .new_year
        .candidates(tenant, viewer)
        .await?
        .into_iter()
        .map(|c| Row {
            id: c.program.id,
            title: c.program.working_card().title.clone(),
            status: c.program.status_text(),
            groups: c.groups,
            year: c.year.label(),
            copy: c.copy,
            // «Отметить все» leaves out what is copied already: it would be refused.
            checked: match shown.picked {
                Some(picked) => picked.contains(&c.program.id),
                None => shown.all && c.copy.is_none(),
            },
        })
        .collect();
    let status = if shown.refusal.is_some() {
        StatusCode::CONFLICT
    } else {
        form_status(shown.errors)
    };
    render(
        state,
        visitor,
        "provider_new_year.html",
        minijinja::context! {
            layout, rows, notice => shown.notice, refusal => shown.refusal,
            errors => errors_map(shown.errors), nav => "cabinet",
        },
        status,
    )
}

/// «Новый учебный год».
#[handler]
pub async fn show(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let notice = q.copied.map(|n| {
        format!(
            "Скопировано программ: {n}, групп: {}. Новые черновики — в списке «Программы»: \
             проверьте их и отправьте на модерацию.",
            q.groups.unwrap_or(0)
        )
    });
    let shown = Shown {
        all: q.all.is_some(),
        notice,
        ..Shown::default()
    };
    page(&state, &tenant, &visitor, layout, shown).await
}

/// Copies the marked programs (`program_ids`, repeated).
#[handler]
pub async fn copy(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let mut csrf = String::new();
    let mut ids = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "csrf" => csrf = value,
            "program_ids" => ids.push(
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| WebError::BadRequest("Неизвестная программа".into()))?,
            ),
            _ => {}
        }
    }
    visitor.check_csrf(&csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let picked: BTreeSet<i64> = ids.iter().copied().collect();
    match state.new_year.copy(&tenant, viewer, &ids).await {
        Ok(done) => {
            let groups: usize = done.iter().map(|c| c.groups).sum();
            Ok(Redirect::see_other(format!(
                "/provider/programs/new-year?copied={}&groups={groups}",
                done.len()
            ))
            .into_response())
        }
        Err(ServiceError::Refused(message)) => {
            let shown = Shown {
                picked: Some(&picked),
                refusal: Some(message),
                ..Shown::default()
            };
            page(&state, &tenant, &visitor, layout, shown).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let shown = Shown {
                picked: Some(&picked),
                errors: &errors,
                ..Shown::default()
            };
            page(&state, &tenant, &visitor, layout, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

//! The staff cabinets: `/provider` (organization staff), `/admin` (regional admin),
//! `/operator` (platform operator, base domain only); the municipal admin's is with the
//! certificates (`certificates::pages::municipal`). Each
//! checks the role and shows only its own scope; anyone else gets 403.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{handler, IntoResponse, Response};
use serde::Serialize;

use crate::regions::Site;
use crate::web::{Layout, Visitor, WebError};
use crate::State;

use super::sessions::Viewer;
use super::store;
use super::values::Role;

#[derive(Serialize)]
struct Section {
    title: String,
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    empty: &'static str,
}

#[derive(Serialize)]
struct Who {
    name: String,
    role: &'static str,
}

fn page(
    state: &State,
    layout: Layout,
    viewer: &Viewer,
    title: &str,
    sections: Vec<Section>,
) -> Result<Response, WebError> {
    let user = Who {
        name: viewer.user.full_name(),
        role: viewer.user.role.label(),
    };
    let html = state.templates.render(
        "staff.html",
        minijinja::context! {
            layout, title, user, sections, home => viewer.user.role.home(), nav => "cabinet",
        },
    )?;
    Ok(poem::web::Html(html)
        .with_status(StatusCode::OK)
        .into_response())
}

fn internal(e: impl Into<anyhow::Error>) -> WebError {
    WebError::Internal(e.into())
}

#[handler]
pub async fn provider(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
) -> Result<Response, WebError> {
    let Site::Region(tenant) = site else {
        return Err(WebError::NotARegion);
    };
    let viewer = visitor.require_role(Role::Provider)?;
    let org_id = viewer.user.organization_id.ok_or(WebError::Forbidden)?;
    let org = crate::catalog::store::organization(&state.db, tenant.id, org_id)
        .await
        .map_err(internal)?
        .ok_or(WebError::NotFound)?;
    let programs = crate::catalog::store::published_programs_of(&state.db, tenant.id, org_id)
        .await
        .map_err(internal)?;
    let sections = vec![
        Section {
            title: "Организация".into(),
            head: vec!["Название", "Адрес", "Телефон", "Подтверждает данные детей"],
            rows: vec![vec![
                org.name.clone(),
                org.address.clone(),
                org.phone.clone(),
                if org.can_confirm { "да" } else { "нет" }.into(),
            ]],
            empty: "",
        },
        Section {
            title: "Опубликованные программы".into(),
            head: vec!["№", "Программа", "Возраст"],
            rows: programs
                .iter()
                .map(|p| vec![p.id.to_string(), p.title.clone(), p.ages.to_string()])
                .collect(),
            empty: "Опубликованных программ нет.",
        },
    ];
    page(
        &state,
        layout,
        viewer,
        &format!("Кабинет организации: {}", org.short_name),
        sections,
    )
}

#[handler]
pub async fn regional(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
) -> Result<Response, WebError> {
    let Site::Region(tenant) = site else {
        return Err(WebError::NotARegion);
    };
    let viewer = visitor.require_role(Role::Regional)?;
    let counts = store::count_by_role(&state.db, tenant.id)
        .await
        .map_err(internal)?;
    let audit = store::audit_rows(&state.db, tenant.id, 50)
        .await
        .map_err(internal)?;
    let sections = vec![
        Section {
            title: "Учётные записи".into(),
            head: vec!["Роль", "Количество"],
            rows: counts
                .into_iter()
                .map(|(role, n)| vec![role.label().to_owned(), n.to_string()])
                .collect(),
            empty: "Учётных записей нет.",
        },
        Section {
            title: "Журнал действий (последние 50)".into(),
            head: vec!["Когда", "Кто", "Действие", "Объект", "Подробности"],
            rows: audit
                .into_iter()
                .map(|r| {
                    vec![
                        crate::time::shown_in(&r.at, tenant.config.time_zone),
                        r.actor_id.map_or("—".into(), |a| format!("user:{a}")),
                        r.action,
                        r.subject,
                        r.detail,
                    ]
                })
                .collect(),
            empty: "Записей нет.",
        },
    ];
    page(
        &state,
        layout,
        viewer,
        &format!("Кабинет региона: {}", tenant.config.region_name),
        sections,
    )
}

#[handler]
pub async fn operator(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
) -> Result<Response, WebError> {
    if !matches!(site, Site::Apex) {
        return Err(WebError::NotFound);
    }
    let viewer = visitor.require_role(Role::Operator)?;
    let mut rows = Vec::new();
    for tenant in state.registry.tenants() {
        let counts = store::count_by_role(&state.db, tenant.id)
            .await
            .map_err(internal)?;
        let total: i64 = counts.iter().map(|(_, n)| n).sum();
        rows.push(vec![
            tenant.config.code.to_string(),
            tenant.config.region_name.clone(),
            tenant.slug().to_owned(),
            total.to_string(),
        ]);
    }
    let sections = vec![Section {
        title: "Регионы платформы".into(),
        head: vec!["Код", "Регион", "Идентификатор", "Учётных записей"],
        rows,
        empty: "Регионов нет: добавьте их командой navigator tenant apply.",
    }];
    page(
        &state,
        layout,
        viewer,
        "Кабинет оператора платформы",
        sections,
    )
}

//! The provider cabinet's «Группы и расписание» and «Педагоги»: plain HTML forms that work
//! without JavaScript. The schedule editor is rows of weekday, start, end and optional
//! dates, with empty rows to add more; a wrong field comes back with its message beside it.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::history;
use crate::accounts::values::Role;
use crate::catalog::model::Financing;
use crate::domain::FieldError;
use crate::organizations::store as places;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::day as dmy;
use crate::web::page::{errors_map, render, CsrfOnly, PageResult};
use crate::web::{form_status, path_id, Layout, Region, Visitor, WebError};
use crate::State;

use super::bulk::BulkAction;
use super::service::{GroupForm, SessionForm, StatusChange, TeacherForm};
use super::store::{GroupRow, GroupStatus, ProgramInfo};

/// Empty schedule rows under the filled ones, to add sessions without scripts.
const EMPTY_ROWS: usize = 3;
/// The most schedule rows a form may send.
const MAX_ROWS: usize = 30;
const WEEKDAYS: [&str; 7] = [
    "Понедельник",
    "Вторник",
    "Среда",
    "Четверг",
    "Пятница",
    "Суббота",
    "Воскресенье",
];

#[derive(Serialize)]
struct ProgramView {
    id: i64,
    title: String,
    age_min: i64,
    age_max: i64,
    certificate: bool,
    paid: bool,
    groups: i64,
}

impl ProgramView {
    fn of(p: &ProgramInfo, groups: i64) -> Self {
        Self {
            id: p.id,
            title: p.title.clone(),
            age_min: p.age_min,
            age_max: p.age_max,
            certificate: p.financing.contains(&Financing::Certificate),
            paid: p.financing.contains(&Financing::Paid),
            groups,
        }
    }
}

#[derive(Serialize)]
struct GroupLine {
    id: i64,
    name: String,
    status: &'static str,
    status_label: &'static str,
    ages: String,
    seats: String,
    study: String,
    enroll: String,
    schedule: String,
    /// Marked for an action on many groups.
    checked: bool,
}

impl From<&GroupRow> for GroupLine {
    fn from(g: &GroupRow) -> Self {
        Self {
            id: g.id,
            name: g.name.clone(),
            status: g.status.code(),
            status_label: g.status.label(),
            ages: format!("{}–{} лет", g.age_min, g.age_max),
            seats: format!("{} из {}", g.seats_taken, g.capacity),
            study: format!("с {} по {}", dmy(g.study_from), dmy(g.study_to)),
            enroll: format!("с {} по {}", dmy(g.enroll_from), dmy(g.enroll_to)),
            checked: false,
            schedule: crate::catalog::model::Schedule(g.sessions.clone()).to_string(),
        }
    }
}

#[derive(Serialize)]
struct Row {
    i: usize,
    weekday: String,
    starts: String,
    ends: String,
    date_from: String,
    date_to: String,
}

#[derive(Serialize)]
struct Choice {
    id: String,
    label: String,
    checked: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
}

fn notice(q: &NoticeQuery) -> Option<&'static str> {
    q.saved.as_deref().map(|what| match what {
        "status" => "Статус группы изменён.",
        "added" => "Группа добавлена.",
        "deleted" => "Группа удалена.",
        "teacher" => "Педагог сохранён.",
        "removed" => "Педагог удалён.",
        _ => "Группа сохранена.",
    })
}

/// «Группы и расписание»: the organization's programs with their groups.
#[handler]
pub async fn overview(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let programs: Vec<ProgramView> = state
        .groups
        .programs(&tenant, viewer)
        .await?
        .iter()
        .map(|(p, n)| ProgramView::of(p, *n))
        .collect();
    render(
        &state,
        &visitor,
        "provider_groups.html",
        minijinja::context! { layout, programs, nav => "cabinet" },
        StatusCode::OK,
    )
}

/// What a program's groups page shows besides the list: the boxes marked, the bulk form
/// as typed, and the outcome of the last action.
#[derive(Default)]
struct BulkShown<'a> {
    picked: Option<&'a [i64]>,
    all: bool,
    form: Option<&'a BulkPost>,
    notice: Option<String>,
    refusal: Option<String>,
    errors: &'a [FieldError],
}

async fn groups_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    program: i64,
    shown: BulkShown<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let (program, groups) = state.groups.program_groups(tenant, viewer, program).await?;
    let lines: Vec<GroupLine> = groups
        .iter()
        .map(|g| GroupLine {
            checked: match shown.picked {
                Some(picked) => picked.contains(&g.id),
                None => shown.all && g.status != GroupStatus::Archived,
            },
            ..GroupLine::from(g)
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
        "provider_program_groups.html",
        minijinja::context! {
            layout, program => ProgramView::of(&program, lines.len() as i64), groups => lines,
            notice => shown.notice, refusal => shown.refusal, form => shown.form,
            errors => errors_map(shown.errors), nav => "cabinet",
        },
        status,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupsQuery {
    saved: Option<String>,
    /// «Отметить все».
    all: Option<String>,
    /// After a bulk action (`saved=bulk`): how many groups it changed, and which action.
    n: Option<usize>,
    action: Option<String>,
}

/// A program's groups, with «Добавить группу» and the actions on the marked groups.
#[handler]
pub async fn program_groups(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Query(q): Query<GroupsQuery>,
) -> PageResult {
    let notice = match (q.saved.as_deref(), q.action.as_deref()) {
        (Some("bulk"), Some(action)) => {
            BulkAction::parse(action, "", "").map(|a| a.done(q.n.unwrap_or(0)))
        }
        (saved, _) => notice(&NoticeQuery {
            saved: saved.map(str::to_owned),
        })
        .map(str::to_owned),
    };
    let shown = BulkShown {
        all: q.all.is_some(),
        notice,
        ..BulkShown::default()
    };
    groups_page(&state, &tenant, &visitor, layout, path_id(&id)?, shown).await
}

/// The form of the actions on many groups, as posted.
#[derive(Serialize, Default)]
pub struct BulkPost {
    program_id: String,
    group_ids: Vec<String>,
    action: String,
    enroll_from: String,
    enroll_to: String,
}

impl BulkPost {
    fn parse(pairs: Vec<(String, String)>) -> (String, Self) {
        let mut csrf = String::new();
        let mut post = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => csrf = value,
                "program_id" => post.program_id = value,
                "group_ids" => post.group_ids.push(value),
                "action" => post.action = value,
                "enroll_from" => post.enroll_from = value,
                "enroll_to" => post.enroll_to = value,
                _ => {}
            }
        }
        (csrf, post)
    }
}

/// «Открыть набор», «Закрыть набор», «Задать сроки записи» for the marked groups of a
/// program's page; back to that page, or the page again with the group the rules refused.
#[handler]
pub async fn bulk(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (csrf, post) = BulkPost::parse(pairs);
    visitor.check_csrf(&csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let program = path_id(post.program_id.trim())?;
    let action = BulkAction::parse(post.action.trim(), &post.enroll_from, &post.enroll_to)
        .ok_or_else(|| WebError::BadRequest("Выберите действие с группами".into()))?;
    let ids = post
        .group_ids
        .iter()
        .map(|raw| raw.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| WebError::NotFound)?;
    match state.groups.bulk(&tenant, viewer, &ids, &action).await {
        Ok(n) => Ok(Redirect::see_other(format!(
            "/provider/programs/{program}/groups?saved=bulk&action={}&n={n}",
            post.action.trim()
        ))
        .into_response()),
        Err(ServiceError::Refused(message)) => {
            let shown = BulkShown {
                picked: Some(&ids),
                form: Some(&post),
                refusal: Some(message),
                ..BulkShown::default()
            };
            groups_page(&state, &tenant, &visitor, layout, program, shown).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let shown = BulkShown {
                picked: Some(&ids),
                form: Some(&post),
                errors: &errors,
                ..BulkShown::default()
            };
            groups_page(&state, &tenant, &visitor, layout, program, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the group form shows besides the typed values.
struct FormPage<'a> {
    program: &'a ProgramInfo,
    group: Option<&'a GroupRow>,
    form: &'a GroupForm,
    errors: &'a [FieldError],
    notice: Option<&'static str>,
    confirm: Option<i64>,
}

async fn form_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    page: FormPage<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let org = viewer.user.staff_org().ok_or(WebError::Forbidden)?;
    let place_list: Vec<Choice> = places::places(&state.db, tenant.id, org)
        .await
        .map_err(ServiceError::from)?
        .iter()
        .map(|p| Choice {
            id: p.id.to_string(),
            label: p.address.clone(),
            checked: page.form.place_id.trim() == p.id.to_string(),
        })
        .collect();
    let teachers: Vec<Choice> = state
        .groups
        .teachers(tenant, viewer)
        .await?
        .iter()
        .map(|t| Choice {
            id: t.id.to_string(),
            label: if t.position.is_empty() {
                t.name.clone()
            } else {
                format!("{}, {}", t.name, t.position)
            },
            checked: page
                .form
                .teacher_ids
                .iter()
                .any(|v| v.trim() == t.id.to_string()),
        })
        .collect();
    let mut rows: Vec<Row> = page
        .form
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s)| Row {
            i,
            weekday: s.weekday.clone(),
            starts: s.starts.clone(),
            ends: s.ends.clone(),
            date_from: s.date_from.clone(),
            date_to: s.date_to.clone(),
        })
        .collect();
    let filled = rows.len();
    rows.extend((filled..filled + EMPTY_ROWS).map(|i| Row {
        i,
        weekday: String::new(),
        starts: String::new(),
        ends: String::new(),
        date_from: String::new(),
        date_to: String::new(),
    }));
    let weekdays: Vec<(String, &str)> = WEEKDAYS
        .iter()
        .enumerate()
        .map(|(i, d)| ((i + 1).to_string(), *d))
        .collect();
    let history = match page.group {
        Some(g) => history::lines(
            &state.groups.history(tenant, g).await?,
            tenant.config.time_zone,
        ),
        None => Vec::new(),
    };
    let group = page.group.map(|g| {
        minijinja::context! {
            id => g.id, status => g.status.code(), status_label => g.status.label(),
            seats_taken => g.seats_taken, name => g.name.clone(),
        }
    });
    render(
        state,
        visitor,
        "provider_group.html",
        minijinja::context! {
            layout, program => ProgramView::of(page.program, 0), group, form => page.form,
            errors => errors_map(page.errors), places => place_list, teachers, rows, weekdays,
            notice => page.notice, confirm => page.confirm, history, nav => "cabinet",
        },
        form_status(page.errors),
    )
}

/// The form of a new group of a program.
#[handler]
pub async fn new_group(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let program = state.groups.program(&tenant, viewer, path_id(&id)?).await?;
    let form = GroupForm {
        age_min: program.age_min.to_string(),
        age_max: program.age_max.to_string(),
        ..GroupForm::default()
    };
    let page = FormPage {
        program: &program,
        group: None,
        form: &form,
        errors: &[],
        notice: None,
        confirm: None,
    };
    form_page(&state, &tenant, &visitor, layout, page).await
}

/// The form as posted: its fields, the teachers' checkboxes (`teacher_ids`, repeated) and
/// the schedule rows (`s{row}_weekday`, `_starts`, `_ends`, `_from`, `_to`).
fn parse_post(pairs: Vec<(String, String)>) -> (String, GroupForm) {
    let mut csrf = String::new();
    let mut form = GroupForm::default();
    let mut rows: Vec<SessionForm> = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "csrf" => csrf = value,
            "name" => form.name = value,
            "age_min" => form.age_min = value,
            "age_max" => form.age_max = value,
            "capacity" => form.capacity = value,
            "study_from" => form.study_from = value,
            "study_to" => form.study_to = value,
            "enroll_from" => form.enroll_from = value,
            "enroll_to" => form.enroll_to = value,
            "place_id" => form.place_id = value,
            "teacher_ids" => form.teacher_ids.push(value),
            "price_certificate" => form.price_certificate = value,
            "price_paid" => form.price_paid = value,
            other => {
                let Some((row, part)) = other
                    .strip_prefix('s')
                    .and_then(|rest| rest.split_once('_'))
                else {
                    continue;
                };
                let Some(row) = row.parse::<usize>().ok().filter(|r| *r < MAX_ROWS) else {
                    continue;
                };
                if rows.len() <= row {
                    rows.resize_with(row + 1, SessionForm::default);
                }
                let cell = &mut rows[row];
                match part {
                    "weekday" => cell.weekday = value,
                    "starts" => cell.starts = value,
                    "ends" => cell.ends = value,
                    "from" => cell.date_from = value,
                    "to" => cell.date_to = value,
                    _ => {}
                }
            }
        }
    }
    // Rows the visitor left empty are dropped, so the page shows the filled ones first.
    form.sessions = rows
        .into_iter()
        .filter(|r| {
            !(r.starts.trim().is_empty()
                && r.ends.trim().is_empty()
                && r.date_from.trim().is_empty()
                && r.date_to.trim().is_empty())
        })
        .collect();
    (csrf, form)
}

/// Adds a group to a program.
#[handler]
pub async fn add_group(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (csrf, form) = parse_post(pairs);
    visitor.check_csrf(&csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let program = path_id(&id)?;
    match state
        .groups
        .add_group(&tenant, viewer, program, &form)
        .await
    {
        Ok(g) => Ok(
            Redirect::see_other(format!("/provider/groups/{}?saved=added", g.id)).into_response(),
        ),
        Err(ServiceError::Invalid(errors)) => {
            let program = state.groups.program(&tenant, viewer, program).await?;
            let page = FormPage {
                program: &program,
                group: None,
                form: &form,
                errors: &errors,
                notice: None,
                confirm: None,
            };
            form_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A group's form with its status buttons.
#[handler]
pub async fn show_group(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let found = state.groups.group(&tenant, viewer, path_id(&id)?).await?;
    let form = GroupForm::from(&found.group);
    let page = FormPage {
        program: &found.program,
        group: Some(&found.group),
        form: &form,
        errors: &[],
        notice: notice(&q),
        confirm: None,
    };
    form_page(&state, &tenant, &visitor, layout, page).await
}

/// Saves a group.
#[handler]
pub async fn save_group(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (csrf, form) = parse_post(pairs);
    visitor.check_csrf(&csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    match state.groups.save_group(&tenant, viewer, id, &form).await {
        Ok(_) => {
            Ok(Redirect::see_other(format!("/provider/groups/{id}?saved=group")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let found = state.groups.group(&tenant, viewer, id).await?;
            let page = FormPage {
                program: &found.program,
                group: Some(&found.group),
                form: &form,
                errors: &errors,
                notice: None,
                confirm: None,
            };
            form_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusPost {
    csrf: String,
    status: String,
    confirm: String,
}

/// «Закрыть набор», «Открыть набор», «Архивировать» (with its confirmation).
#[handler]
pub async fn set_status(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(post): Form<StatusPost>,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    let status = GroupStatus::parse(post.status.trim())
        .ok_or_else(|| WebError::BadRequest("Неизвестный статус группы".into()))?;
    let confirmed = post.confirm == "1";
    match state
        .groups
        .set_status(&tenant, viewer, id, status, confirmed)
        .await?
    {
        StatusChange::Done => {
            Ok(Redirect::see_other(format!("/provider/groups/{id}?saved=status")).into_response())
        }
        StatusChange::Confirm { enrolled } => {
            let found = state.groups.group(&tenant, viewer, id).await?;
            let form = GroupForm::from(&found.group);
            let page = FormPage {
                program: &found.program,
                group: Some(&found.group),
                form: &form,
                errors: &[],
                notice: None,
                confirm: Some(enrolled),
            };
            form_page(&state, &tenant, &visitor, layout, page).await
        }
    }
}

/// «Удалить» a group nobody applied to.
#[handler]
pub async fn delete_group(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let program = state
        .groups
        .delete_group(&tenant, viewer, path_id(&id)?)
        .await?;
    Ok(
        Redirect::see_other(format!("/provider/programs/{program}/groups?saved=deleted"))
            .into_response(),
    )
}

#[derive(Serialize)]
struct TeacherLine {
    id: i64,
    name: String,
    position: String,
}

async fn teachers_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    form: &TeacherForm,
    errors: &[FieldError],
    notice: Option<&'static str>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let teachers: Vec<TeacherLine> = state
        .groups
        .teachers(tenant, viewer)
        .await?
        .into_iter()
        .map(|t| TeacherLine {
            id: t.id,
            name: t.name,
            position: t.position,
        })
        .collect();
    render(
        state,
        visitor,
        "provider_teachers.html",
        minijinja::context! {
            layout, teachers, form, errors => errors_map(errors), notice, nav => "cabinet",
        },
        form_status(errors),
    )
}

/// «Педагоги»: the list, rename and remove, and the form to add one.
#[handler]
pub async fn show_teachers(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    teachers_page(
        &state,
        &tenant,
        &visitor,
        layout,
        &TeacherForm::default(),
        &[],
        notice(&q),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TeacherPost {
    csrf: String,
    #[serde(flatten)]
    teacher: TeacherForm,
}

/// Adds a teacher (`/provider/teachers`) or renames one (`/provider/teachers/:id`).
async fn save_teacher_as(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    id: Option<i64>,
    post: TeacherPost,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    match state
        .groups
        .save_teacher(tenant, viewer, id, &post.teacher)
        .await
    {
        Ok(_) => Ok(Redirect::see_other("/provider/teachers?saved=teacher").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            teachers_page(state, tenant, visitor, layout, &post.teacher, &errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub async fn add_teacher(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(post): Form<TeacherPost>,
) -> PageResult {
    save_teacher_as(&state, &tenant, &visitor, layout, None, post).await
}

#[handler]
pub async fn rename_teacher(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(post): Form<TeacherPost>,
) -> PageResult {
    let id = path_id(&id)?;
    save_teacher_as(&state, &tenant, &visitor, layout, Some(id), post).await
}

#[handler]
pub async fn remove_teacher(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    state
        .groups
        .remove_teacher(&tenant, viewer, path_id(&id)?)
        .await?;
    Ok(Redirect::see_other("/provider/teachers?saved=removed").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posted_rows_and_teachers() {
        let pairs = [
            ("csrf", "t"),
            ("teacher_ids", "3"),
            ("teacher_ids", "5"),
            ("s0_weekday", "1"),
            ("s0_starts", "15:00"),
            ("s0_ends", "16:30"),
            ("s1_weekday", "1"),
            ("s1_starts", ""),
            ("s1_ends", ""),
            ("s2_weekday", "3"),
            ("s2_starts", "10:00"),
            ("s2_ends", "11:00"),
            ("s2_to", "2026-12-31"),
            ("s999_weekday", "1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (csrf, form) = parse_post(pairs);
        assert_eq!(csrf, "t");
        assert_eq!(form.teacher_ids, ["3", "5"]);
        assert_eq!(form.sessions.len(), 2);
        assert_eq!(form.sessions[1].weekday, "3");
        assert_eq!(form.sessions[1].date_to, "2026-12-31");
    }
}

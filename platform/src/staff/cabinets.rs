//! The admins' side: «Пригласить сотрудника» for one organization (the registry itself is
//! `administration`'s), from the municipal cabinet (`/municipal/organizations/{id}/staff`, organizations of the admin's
//! municipality) or the regional one (`/admin/organizations/{id}/staff`, any of the region).

use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::Deserialize;

use crate::accounts::service::Invitation;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{form_status, path_id, Cabinet, Layout, Origin, Region, Visitor};
use crate::State;

use super::views;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
}

/// The invitation form as typed, its errors, a notice.
struct InvitePage<'a> {
    form: &'a Invitation,
    errors: &'a [FieldError],
    notice: Option<&'a str>,
}

async fn org_staff_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    id: i64,
    page: InvitePage<'_>,
) -> PageResult {
    let InvitePage {
        form,
        errors,
        notice,
    } = page;
    let viewer = visitor.require()?;
    let (org, members) = state.staff.for_admin(tenant, viewer, id).await?;
    let members = views::members(&members, None, tenant.config.time_zone);
    render(
        state,
        visitor,
        "org_staff.html",
        minijinja::context! {
            layout, members, form, errors => errors_map(errors), notice,
            org_id => org.id, org_name => org.name, home => viewer.user.role.home(),
            nav => "cabinet",
        },
        form_status(errors),
    )
}

/// The staff of an organization and «Пригласить сотрудника», for its admins.
#[handler]
pub async fn org_staff(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    // The service reaches organizations by the viewer's role; this refuses a cabinet's
    // path opened by the other cabinet's admin.
    _cabinet: Cabinet,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let notice = q
        .saved
        .map(|_| "Приглашение отправлено: сотрудник получит письмо со ссылкой для установки пароля (действует 72 часа).");
    org_staff_page(
        &state,
        &tenant,
        &visitor,
        layout,
        id,
        InvitePage {
            form: &Invitation::default(),
            errors: &[],
            notice,
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InvitePost {
    csrf: String,
    #[serde(flatten)]
    invitation: Invitation,
}

/// An admin's «Пригласить сотрудника».
#[handler]
#[allow(clippy::too_many_arguments)] // a handler's extractors
pub async fn invite_org_staff(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    origin: Origin,
    _cabinet: Cabinet,
    Path(id): Path<String>,
    Form(form): Form<InvitePost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require()?;
    let id = path_id(&id)?;
    let sender = tenant.sender(&origin.site_url());
    match state
        .staff
        .invite_as_admin(&tenant, &sender, viewer, id, &form.invitation)
        .await
    {
        Ok(_) => Ok(Redirect::see_other(format!(
            "{}/organizations/{id}/staff?saved=invited",
            viewer.user.role.home()
        ))
        .into_response()),
        Err(ServiceError::Invalid(errors)) => {
            org_staff_page(
                &state,
                &tenant,
                &visitor,
                layout,
                id,
                InvitePage {
                    form: &form.invitation,
                    errors: &errors,
                    notice: None,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

//! «В избранное» (`/programs/{id}/favourite`: the state and one button) and the cabinet's
//! «Избранное» tab (cards of the kept programs with «Убрать из избранного»).

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::values::Role;
use crate::catalog::read;
use crate::catalog::views::ProgramCard;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{render, CsrfOnly, PageResult};
use crate::web::{path_id, Layout, Region, Visitor, WebError};
use crate::State;

async fn status_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    program: i64,
    alert: Option<String>,
) -> PageResult {
    // Cards are the same for everyone, so staff follow «В избранное» too: they are told whose
    // it is rather than refused.
    if let Some(staff) = visitor
        .viewer
        .as_ref()
        .filter(|v| v.user.role != Role::Parent)
    {
        let program = crate::catalog::store::published_program(&state.db, tenant.id, program)
            .await?
            .ok_or(WebError::NotFound)?;
        return render(
            state,
            visitor,
            "favourite.html",
            minijinja::context! {
                layout, program_id => program.id, title => program.title,
                not_a_parent => staff.user.role.label(),
            },
            StatusCode::OK,
        );
    }
    let viewer = visitor.require_role(Role::Parent)?;
    let (title, kept) = state.favourites.status(tenant, viewer, program).await?;
    let status = if alert.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    render(
        state,
        visitor,
        "favourite.html",
        minijinja::context! { layout, program_id => program, title, kept, alert },
        status,
    )
}

/// Whether the program is kept, with the one button that changes it.
#[handler]
pub async fn page(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
) -> PageResult {
    status_page(&state, &tenant, &visitor, layout, path_id(&raw)?, None).await
}

/// «Добавить в избранное».
#[handler]
pub async fn add(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    let program = path_id(&raw)?;
    match state.favourites.add(&tenant, viewer, program).await {
        Ok(_) => {
            Ok(Redirect::see_other(format!("/cabinet/favourites?added={program}")).into_response())
        }
        Err(ServiceError::Refused(why)) => {
            status_page(&state, &tenant, &visitor, layout, program, Some(why)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Убрать из избранного».
#[handler]
pub async fn remove(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(raw): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    let program = path_id(&raw)?;
    state.favourites.remove(&tenant, viewer, program).await?;
    Ok(Redirect::see_other("/cabinet/favourites?removed=1").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TabQuery {
    added: String,
    removed: String,
}

/// A kept program without a card: it left the catalog, or (just published) the search
/// index has not caught up with it yet.
#[derive(Serialize)]
struct Gone {
    id: i64,
    title: String,
    published: bool,
}

/// The cabinet's «Избранное».
#[handler]
pub async fn tab(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<TabQuery>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let kept = state.favourites.list(&tenant, viewer).await?;
    let index = read::index(&state, &tenant).await?;
    let today = tenant.today(&state.clock);
    let mut cards: Vec<ProgramCard> = Vec::new();
    let mut gone: Vec<Gone> = Vec::new();
    for k in kept {
        match index.get(k.program_id).filter(|_| k.published) {
            Some(doc) => cards.push(ProgramCard::of(doc, &index, &tenant, today)),
            None => gone.push(Gone {
                id: k.program_id,
                title: k.title,
                published: k.published,
            }),
        }
    }
    let added = q
        .added
        .parse::<i64>()
        .ok()
        .and_then(|id| cards.iter().find(|c| c.id == id))
        .map(|c| format!("Программа «{}» добавлена в избранное.", c.title));
    let notice = added
        .or_else(|| (!q.removed.is_empty()).then(|| "Программа убрана из избранного.".to_owned()));
    render(
        &state,
        &visitor,
        "cabinet_favourites.html",
        minijinja::context! { layout, cards, gone, notice },
        StatusCode::OK,
    )
}

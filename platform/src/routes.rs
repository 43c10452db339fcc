//! Every route of the server: the region sites' pages, the API with its spec and docs,
//! and the probes, behind the middlewares of the web kernel.

use poem::{get, post, Endpoint, EndpointExt, IntoResponse, Route};
use poem_openapi::OpenApiService;

use crate::accounts::{cabinets, pages as accounts};
use crate::administration::pages as administration;
use crate::applications::pages as applications;
use crate::audit_log::pages as audit_log;
use crate::certificates::pages as certificates;
use crate::children::pages as children;
use crate::exports::pages as exports;
use crate::favourites::pages as favourites;
use crate::groups::pages as groups;
use crate::organizations::pages as organizations;
use crate::photos::pages as photos;
use crate::programs::pages::{authoring as programs, moderation};
use crate::region_settings::pages as region_settings;
use crate::reviews::pages as reviews;
use crate::school_year::pages as new_year;
use crate::sheets::pages as sheets;
use crate::staff::{cabinets as staff_admin, pages as staff};
use crate::statistics::pages as statistics;
use crate::timetable::pages as timetable;
use crate::visitors::pages as visitors;
use crate::web::{assets, AllowedMethods, BodyLimit, Expensive, RequestLog, SiteResolver, State};
use crate::{api, catalog, health, regions};

/// The body of «Загрузить»: the largest file the import takes and the form around it, so
/// that a file just over the limit gets the import's own message, not a bare 413.
const IMPORT_BODY: usize = crate::sheets::parse::MAX_BYTES + 64 * 1024;

/// Every route of the server. Every route under the site takes bodies up to the forms'
/// limit; one that takes files says `.with(BodyLimit::uploads())`. Those that hash a
/// password or search are `Expensive`: bounded in flight per client address.
pub fn routes(state: State) -> impl Endpoint {
    let site = Route::new()
        .at("/", get(regions::pages::home))
        .at("/branding/logo", get(regions::pages::logo))
        .at("/programs", get(catalog::pages::programs.with(Expensive)))
        .at("/programs/:id", get(catalog::pages::program))
        .at("/programs/:id/reviews", get(catalog::pages::reviews))
        .at(
            "/programs/:id/review",
            get(reviews::review_form).post(reviews::review_post),
        )
        .at(
            "/programs/:id/favourite",
            get(favourites::page).post(favourites::add),
        )
        .at("/programs/:id/favourite/remove", post(favourites::remove))
        .at("/cabinet/favourites", get(favourites::tab))
        .at("/cabinet/timetable", get(timetable::tab))
        .at("/cabinet/timetable/:child/feed", post(timetable::subscribe))
        .at(
            "/cabinet/timetable/:child/feed/delete",
            post(timetable::unsubscribe),
        )
        .at("/calendar/:file", get(timetable::calendar))
        .at("/organizations/:id", get(catalog::pages::organization))
        .at("/map", get(catalog::pages::map.with(Expensive)))
        .at("/static/*file", get(assets::serve))
        .at("/favicon.ico", get(assets::favicon))
        .at("/look", get(crate::web::look::choose))
        .at("/media/:key", get(photos::media))
        .at(
            "/register",
            get(accounts::register_page).post(accounts::register.with(Expensive)),
        )
        .at("/verify/email", get(accounts::verify_email))
        .at("/verify/resend", post(accounts::resend))
        .at(
            "/login",
            get(accounts::login_page).post(accounts::login.with(Expensive)),
        )
        .at("/logout", post(accounts::logout))
        .at(
            "/password/forgot",
            get(accounts::forgot_page).post(accounts::forgot),
        )
        .at(
            "/password/reset",
            get(accounts::reset_page).post(accounts::reset.with(Expensive)),
        )
        .at("/cabinet", get(children::cabinet))
        .at(
            "/cabinet/children/:id",
            get(children::child_page).post(children::save_child),
        )
        .at("/cabinet/profile", get(accounts::profile))
        .at(
            "/cabinet/profile/:what",
            post(accounts::update_profile.with(Expensive)),
        )
        .at("/privacy", get(accounts::privacy))
        .at("/help", get(crate::help::pages::help))
        .at("/terms", get(accounts::terms))
        .at("/provider", get(cabinets::provider))
        .at("/municipal", get(certificates::municipal))
        .at(
            "/municipal/organizations/:id",
            post(certificates::municipal_authorize),
        )
        .at("/municipal/periods", post(certificates::municipal_period))
        .at(
            "/cabinet/children/:id/certificate",
            post(certificates::issue),
        )
        .at(
            "/cabinet/children/:id/funding",
            post(certificates::apply_for_funding),
        )
        .at("/certificate/activate", get(certificates::activate))
        .at(
            "/apply/:group",
            get(applications::apply_form).post(applications::apply),
        )
        .at("/cabinet/applications", get(applications::parent_list))
        .at(
            "/cabinet/applications/:id/:action",
            get(applications::withdraw_confirm).post(applications::parent_action),
        )
        .at("/provider/applications", get(applications::provider_list))
        .at("/provider/reviews", get(reviews::provider_list))
        .at(
            "/provider/reviews/:id/answer",
            post(reviews::provider_answer),
        )
        .at(
            "/provider/applications/bulk",
            post(applications::provider_bulk),
        )
        .at(
            "/provider/applications/:id",
            get(applications::provider_card),
        )
        .at(
            "/provider/applications/:id/:action",
            post(applications::provider_decide),
        )
        .at(
            "/provider/profile",
            get(organizations::show_profile).post(organizations::save_profile),
        )
        .at(
            "/provider/profile/logo",
            post(organizations::upload_logo.with(BodyLimit::uploads())),
        )
        .at(
            "/provider/profile/logo/delete",
            post(organizations::remove_logo),
        )
        .at(
            "/provider/programs/:id/cover",
            get(photos::show_cover).post(photos::upload_cover.with(BodyLimit::uploads())),
        )
        .at(
            "/provider/programs/:id/cover/delete",
            post(photos::remove_cover),
        )
        .at(
            "/provider/profile/places/:id",
            get(organizations::show_place).post(organizations::save_place),
        )
        .at(
            "/provider/profile/places/:id/delete",
            post(organizations::remove_place),
        )
        .at("/provider/programs", get(programs::list))
        .at(
            "/provider/sheets/import",
            get(sheets::import_page).post(sheets::check.with(BodyLimit::bytes(IMPORT_BODY))),
        )
        .at("/provider/sheets/import/apply", post(sheets::apply))
        .at("/provider/sheets/:file", get(sheets::download))
        .at(
            "/provider/programs/new",
            get(programs::new_form).post(programs::create),
        )
        .at(
            "/provider/programs/new-year",
            get(new_year::show).post(new_year::copy),
        )
        .at(
            "/provider/programs/:id",
            get(programs::show).post(programs::save),
        )
        .at("/provider/programs/:id/:action", post(programs::act))
        .at("/municipal/moderation", get(moderation::municipal_queue))
        .at("/municipal/reviews", get(reviews::municipal_list))
        .at(
            "/municipal/reviews/:id/:decision",
            post(reviews::municipal_decide),
        )
        .at(
            "/municipal/moderation/:id",
            get(moderation::municipal_review),
        )
        .at(
            "/municipal/moderation/:id/:decision",
            post(moderation::municipal_decide),
        )
        .at("/admin/moderation", get(moderation::regional_queue))
        .at("/admin/reviews", get(reviews::regional_list))
        .at(
            "/admin/reviews/:id/:decision",
            post(reviews::regional_decide),
        )
        .at("/admin/moderation/:id", get(moderation::regional_review))
        .at(
            "/admin/moderation/:id/:decision",
            post(moderation::regional_decide),
        )
        .at("/provider/groups", get(groups::overview))
        .at("/provider/programs/:id/groups", get(groups::program_groups))
        .at(
            "/provider/programs/:id/groups/new",
            get(groups::new_group).post(groups::add_group),
        )
        .at(
            "/provider/groups/:id",
            get(groups::show_group).post(groups::save_group),
        )
        .at("/provider/groups/bulk", post(groups::bulk))
        .at("/provider/groups/:id/status", post(groups::set_status))
        .at("/provider/groups/:id/delete", post(groups::delete_group))
        .at(
            "/provider/teachers",
            get(groups::show_teachers).post(groups::add_teacher),
        )
        .at("/provider/teachers/:id", post(groups::rename_teacher))
        .at(
            "/provider/teachers/:id/delete",
            post(groups::remove_teacher),
        )
        .at(
            "/provider/visitors",
            get(visitors::desk).post(visitors::register),
        )
        .at(
            "/provider/visitors/sign-in-link",
            post(visitors::sign_in_link),
        )
        .at(
            "/provider/visitors/find",
            get(visitors::find).post(visitors::apply_by_number),
        )
        .at(
            "/provider/visitors/applications/:id/print",
            get(visitors::print),
        )
        .at(
            "/provider/visitors/:id",
            get(visitors::card).post(visitors::edit),
        )
        .at("/provider/visitors/:id/resend", post(visitors::resend))
        .at(
            "/provider/visitors/:id/children",
            get(visitors::child_page).post(visitors::add_child),
        )
        .at(
            "/provider/visitors/:id/children/:child/:action",
            post(visitors::child_action),
        )
        .at("/provider/certificates", get(certificates::staff_search))
        .at(
            "/provider/certificates/:id",
            get(certificates::staff_certificate),
        )
        .at(
            "/provider/certificates/:id/:decision",
            post(certificates::staff_decide),
        )
        .at(
            "/provider/staff",
            get(staff::show_staff).post(staff::invite),
        )
        .at("/provider/staff/:id/remove", post(staff::remove))
        .at(
            "/provider/tokens",
            get(staff::show_tokens).post(staff::create_token),
        )
        .at("/provider/tokens/:id/revoke", post(staff::revoke_token))
        .at("/admin/organizations", get(administration::registry))
        .at("/municipal/organizations", get(administration::registry))
        .at(
            "/admin/organizations/export.xlsx",
            get(administration::export_xlsx),
        )
        .at(
            "/municipal/organizations/export.xlsx",
            get(administration::export_xlsx),
        )
        .at(
            "/admin/organizations/export.csv",
            get(administration::export_csv),
        )
        .at(
            "/municipal/organizations/export.csv",
            get(administration::export_csv),
        )
        .at(
            "/admin/organizations/new",
            get(administration::new_form).post(administration::create),
        )
        .at(
            "/municipal/organizations/new",
            get(administration::new_form).post(administration::create),
        )
        .at(
            "/admin/organizations/:id/edit",
            get(administration::edit_form).post(administration::edit),
        )
        .at(
            "/municipal/organizations/:id/edit",
            get(administration::edit_form).post(administration::edit),
        )
        .at(
            "/admin/organizations/:id/deactivate",
            post(administration::deactivate),
        )
        .at(
            "/municipal/organizations/:id/deactivate",
            post(administration::deactivate),
        )
        .at(
            "/admin/organizations/:id/reactivate",
            post(administration::reactivate),
        )
        .at(
            "/municipal/organizations/:id/reactivate",
            post(administration::reactivate),
        )
        .at(
            "/admin/staff",
            get(administration::staff).post(administration::invite),
        )
        .at("/admin/staff/:id/remove", post(administration::remove))
        .at(
            "/admin/organizations/:id/staff",
            get(staff_admin::org_staff).post(staff_admin::invite_org_staff),
        )
        .at(
            "/municipal/organizations/:id/staff",
            get(staff_admin::org_staff).post(staff_admin::invite_org_staff),
        )
        .at("/admin/audit", get(audit_log::log))
        .at("/admin/audit/children/:id", get(audit_log::child))
        .at("/municipal/audit", get(audit_log::log))
        .at("/municipal/audit/children/:id", get(audit_log::child))
        .at("/admin/programs", get(exports::programs))
        .at("/municipal/programs", get(exports::programs))
        .at("/admin/exports", get(exports::exports))
        .at("/admin/exports/:table", get(exports::download))
        .at("/municipal/exports", get(exports::exports))
        .at("/municipal/exports/:table", get(exports::download))
        .at("/admin/settings", get(region_settings::overview))
        .at("/admin/settings/download", get(region_settings::download))
        .at(
            "/admin/settings/municipalities/new",
            get(region_settings::new_municipality).post(region_settings::add_municipality),
        )
        .at(
            "/admin/settings/municipalities/:id",
            get(region_settings::show_municipality).post(region_settings::save_municipality),
        )
        .at(
            "/admin/settings/municipalities/:id/remove",
            post(region_settings::remove_municipality),
        )
        .at(
            "/admin/settings/:section",
            get(region_settings::show_section).post(region_settings::save_section),
        )
        .at(
            "/admin/dictionaries",
            get(region_settings::dictionaries).post(region_settings::add_profile),
        )
        .at(
            "/admin/dictionaries/:id",
            post(region_settings::rename_profile),
        )
        .at(
            "/admin/dictionaries/:id/retire",
            post(region_settings::retire_profile),
        )
        .at("/admin", get(cabinets::regional))
        .at("/admin/statistics", get(statistics::home))
        .at("/admin/statistics/:dashboard", get(statistics::page))
        .at(
            "/admin/statistics/:dashboard/:file",
            get(statistics::download),
        )
        .at("/municipal/statistics", get(statistics::home))
        .at("/municipal/statistics/:dashboard", get(statistics::page))
        .at(
            "/municipal/statistics/:dashboard/:file",
            get(statistics::download),
        )
        .at("/operator", get(cabinets::operator))
        .nest("/api", api());
    Route::new()
        // Probes come from load balancers that address the server by IP: no region needed.
        // They read no body, so there is nothing of one to limit.
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        // The body limit inside the resolver, so that its 413 is a page or JSON like any error.
        .nest("/", site.with(BodyLimit::forms()).with(SiteResolver))
        .with(RequestLog)
        .data(state)
}

/// Routes under `/api`.
fn api() -> Route {
    let service = OpenApiService::new(
        (
            regions::api::RegionsApi,
            catalog::api::CatalogApi,
            crate::accounts::api::AccountsApi,
            crate::children::api::ChildrenApi,
            crate::certificates::api::CertificatesApi,
            crate::applications::api::ApplicationsApi,
            crate::organizations::api::OrganizationsApi,
            crate::programs::api::ProgramsApi,
            crate::groups::api::GroupsApi,
            crate::photos::api::PhotosApi,
            crate::sheets::api::SheetsApi,
            crate::school_year::api::NewYearApi,
            crate::staff::api::StaffApi,
            crate::visitors::api::VisitorsApi,
            // A tuple of at most 16: the families' additions nest as one.
            (
                crate::reviews::api::ReviewsApi,
                crate::favourites::api::FavouritesApi,
            ),
            crate::sync::api::SyncApi,
        ),
        "Навигатор дополнительного образования детей — API",
        env!("CARGO_PKG_VERSION"),
    )
    .server("/api/v1");
    let docs = service.swagger_ui();
    let spec = api::with_payload_too_large(&api::with_parameter_schemas(
        &service.spec(),
        &catalog::query::parameter_schemas(),
        &api::request_field_schemas(),
    ));
    let allowed = AllowedMethods::from_spec(&spec, "/api/v1");
    Route::new()
        .at(
            "/openapi.json",
            get(poem::endpoint::make_sync(move |_| {
                spec.clone()
                    .with_content_type("application/json; charset=utf-8")
            })),
        )
        .nest("/docs", docs)
        .nest("/v1", service.with(allowed))
}

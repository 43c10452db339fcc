//! «Новый учебный год» under /api/v1: `POST /provider/programs/new-year` copies the
//! organization's programs with their groups into the next school year, as the page does.
//! For its staff, with a session (and `X-CSRF-Token`) or the organization's API token.

use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::types::Example;
use poem_openapi::{Object, OpenApi};

use crate::api::{try_reply, writer, ApiTags, Reply};
use crate::regions::Site;
use crate::web::{region_of, Visitor};
use crate::State;

use super::service::{Copied, MAX_PROGRAMS};

pub struct NewYearApi;

// The request's validator spells the service's limit as a literal.
const _: () = assert!(MAX_PROGRAMS == 500);

/// The programs to copy.
#[derive(Object)]
#[oai(example)]
pub struct NewYearRequest {
    /// Programs of the organization (a number given twice is copied once). Each becomes a
    /// new draft with its groups that are not archived: study dates, enrollment window and
    /// the schedule's dates a year on (29 February becomes 28 February), no seats taken,
    /// the same teachers, place, prices and weekly times.
    #[oai(validator(min_items = 1, max_items = 500))]
    pub program_ids: Vec<i64>,
}

impl Example for NewYearRequest {
    fn example() -> Self {
        Self {
            program_ids: vec![15, 16],
        }
    }
}

/// One program copied.
#[derive(Object)]
pub struct CopiedProgram {
    /// The program copied (unchanged).
    pub program_id: i64,
    /// The new draft.
    pub copy_id: i64,
    /// The school year of the copy: «2027/28».
    pub school_year: String,
    /// Groups copied with it.
    pub groups: i64,
}

/// What «Новый учебный год» made.
#[derive(Object)]
#[oai(example)]
pub struct NewYearSummary {
    pub programs_copied: i64,
    pub groups_copied: i64,
    pub programs: Vec<CopiedProgram>,
}

impl Example for NewYearSummary {
    fn example() -> Self {
        Self {
            programs_copied: 1,
            groups_copied: 2,
            programs: vec![CopiedProgram {
                program_id: 15,
                copy_id: 31,
                school_year: "2027/28".into(),
                groups: 2,
            }],
        }
    }
}

fn summary(done: &[Copied]) -> NewYearSummary {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    NewYearSummary {
        programs_copied: count(done.len()),
        groups_copied: count(done.iter().map(|c| c.groups).sum()),
        programs: done
            .iter()
            .map(|c| CopiedProgram {
                program_id: c.program_id,
                copy_id: c.copy_id,
                school_year: c.year.label(),
                groups: count(c.groups),
            })
            .collect(),
    }
}

#[OpenApi(tag = "ApiTags::Programs")]
impl NewYearApi {
    /// «Новый учебный год»: copies programs with their groups into the next school year
    ///
    /// One transaction: 404 when a program is not the organization's, 409 when one was
    /// already copied for that school year (the message names it) or a group's dates cannot
    /// be moved, 400 naming the group when a copied group breaks a group rule; in each
    /// case nothing is changed.
    #[oai(path = "/provider/programs/new-year", method = "post")]
    async fn new_year(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<NewYearRequest>,
    ) -> Reply<NewYearSummary> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let done = try_reply!(
            state
                .new_year
                .copy(tenant, viewer, &body.0.program_ids)
                .await
        );
        Reply::Ok(Json(summary(&done)))
    }
}

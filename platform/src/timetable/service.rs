//! The rules of the timetable: a parent sees their own children's; a feed belongs to one
//! child of the parent who made it, and its address is a secret shown once.

use std::collections::HashMap;

use serde::Serialize;

use crate::accounts::secrets::{digest, random_token};
use crate::accounts::sessions::Viewer;
use crate::catalog::store as catalog;
use crate::children::store as children;
use crate::db::Db;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::{day_in, to_db, Clock};

use super::ical::{calendar, Feed};
use super::store;
use super::week::{monday_of, week, Day, Lesson};

type Result<T> = std::result::Result<T, ServiceError>;

#[derive(Clone)]
pub struct Timetable {
    db: Db,
    clock: Clock,
}

/// One child's week in the cabinet.
#[derive(Debug, Clone, Serialize)]
pub struct ChildWeek {
    pub child_id: i64,
    pub name: String,
    /// Enrolled in at least one group.
    pub enrolled: bool,
    pub days: Vec<Day>,
    /// When the child's calendar address was made (ДД.ММ.ГГГГ), if there is one.
    pub feed_since: Option<String>,
}

impl Timetable {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// The lessons of the groups the parent's children (one child, when given) are
    /// enrolled in, by child.
    async fn lessons(
        &self,
        tenant: &Tenant,
        parent: i64,
        child: Option<i64>,
    ) -> Result<HashMap<i64, Vec<Lesson>>> {
        let enrollments = store::enrollments(&self.db, tenant.id, parent, child).await?;
        let mut ids: Vec<i64> = enrollments.iter().map(|e| e.group_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let groups: HashMap<i64, _> = catalog::groups(&self.db, tenant.id, &ids)
            .await?
            .into_iter()
            .map(|g| (g.id, g))
            .collect();
        let mut by_child: HashMap<i64, Vec<Lesson>> = HashMap::new();
        for e in enrollments {
            let Some(group) = groups.get(&e.group_id) else {
                continue;
            };
            let lessons = by_child.entry(e.child_id).or_default();
            for (session_no, session) in group.schedule.0.iter().enumerate() {
                lessons.push(Lesson {
                    session_no,
                    group_id: group.id,
                    program_id: e.program_id,
                    program: e.program.clone(),
                    group: group.name.clone(),
                    address: group.address.clone(),
                    teachers: group.teachers.clone(),
                    session: *session,
                    study_from: group.study_from,
                    study_to: group.study_to,
                });
            }
        }
        Ok(by_child)
    }

    /// Each of the parent's children with the lessons of the week `weeks` from this one.
    pub async fn weeks(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        weeks: i64,
    ) -> Result<(String, Vec<ChildWeek>)> {
        let parent = viewer.parent()?;
        let today = tenant.today(&self.clock);
        let shift = chrono::Duration::weeks(weeks.clamp(-60, 60)); // as the pages offer
        let monday = monday_of(today) + shift;
        let lessons = self.lessons(tenant, parent.id, None).await?;
        let feeds: HashMap<i64, String> = store::feeds_of(&self.db, tenant.id, parent.id)
            .await?
            .into_iter()
            .collect();
        let zone = tenant.config.time_zone;
        let title = format!(
            "{} — {}",
            crate::time::day(monday),
            crate::time::day(monday + chrono::Duration::days(6))
        );
        let children = children::children(&self.db, tenant.id, parent.id).await?;
        Ok((
            title,
            children
                .into_iter()
                .map(|c| {
                    let mine = lessons.get(&c.id).map_or(&[][..], Vec::as_slice);
                    ChildWeek {
                        child_id: c.id,
                        name: format!("{} {}", c.first_name, c.last_name),
                        enrolled: !mine.is_empty(),
                        days: week(mine, monday, today),
                        feed_since: feeds.get(&c.id).map(|at| day_in(at, zone)),
                    }
                })
                .collect(),
        ))
    }

    /// Makes (or replaces) the child's calendar address; returns its secret token, which
    /// is not kept and cannot be shown again.
    #[tracing::instrument(skip(self, tenant, viewer), fields(tenant = %tenant.id))]
    pub async fn new_feed(&self, tenant: &Tenant, viewer: &Viewer, child: i64) -> Result<String> {
        let parent = viewer.parent()?;
        children::child_of(&self.db, tenant.id, parent.id, child)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let token = random_token();
        let at = to_db(self.clock.now());
        store::set_feed(&self.db, tenant.id, child, &digest(&token), &at).await?;
        Ok(token)
    }

    /// «Отключить»: the child's address stops working.
    pub async fn delete_feed(&self, tenant: &Tenant, viewer: &Viewer, child: i64) -> Result<()> {
        let parent = viewer.parent()?;
        children::child_of(&self.db, tenant.id, parent.id, child)
            .await?
            .ok_or(ServiceError::NotFound)?;
        store::delete_feed(&self.db, tenant.id, child).await?;
        Ok(())
    }

    /// The feed of the address `token` on the region's `host`; `None` for an unknown one.
    pub async fn feed(&self, tenant: &Tenant, host: &str, token: &str) -> Result<Option<String>> {
        let Some((child, parent)) = store::feed_owner(&self.db, tenant.id, &digest(token)).await?
        else {
            return Ok(None);
        };
        let Some(c) = children::child_of(&self.db, tenant.id, parent, child).await? else {
            return Ok(None);
        };
        let lessons = self.lessons(tenant, parent, Some(child)).await?;
        let mine = lessons.get(&child).map_or(&[][..], Vec::as_slice);
        let name = format!("Расписание: {}", c.first_name);
        Ok(Some(calendar(&Feed {
            name: &name,
            zone: tenant.config.time_zone,
            host,
            child_id: child,
            lessons: mine,
            now: self.clock.now(),
        })))
    }
}

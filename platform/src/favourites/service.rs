//! The rules of «Избранное»: a parent's own list, of the region's published programs, of
//! a bounded size.

use crate::accounts::sessions::Viewer;
use crate::catalog::store as catalog;
use crate::db::Db;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::{to_db, Clock};

use super::store::{self, Kept};

type Result<T> = std::result::Result<T, ServiceError>;

/// How many programs a parent may keep: a list, not a copy of the catalog.
pub const MAX_KEPT: i64 = 300;

#[derive(Clone)]
pub struct Favourites {
    db: Db,
    clock: Clock,
}

impl Favourites {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// The published program's title and whether the parent keeps it; `NotFound` when it
    /// is not published in the region.
    pub async fn status(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        program: i64,
    ) -> Result<(String, bool)> {
        let parent = viewer.parent()?;
        let p = catalog::published_program(&self.db, tenant.id, program)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let kept = store::contains(&self.db, tenant.id, parent.id, program).await?;
        Ok((p.title, kept))
    }

    /// «В избранное»: keeps a published program (again is no change).
    #[tracing::instrument(skip(self, tenant, viewer), fields(tenant = %tenant.id))]
    pub async fn add(&self, tenant: &Tenant, viewer: &Viewer, program: i64) -> Result<String> {
        let (title, kept) = self.status(tenant, viewer, program).await?;
        if kept {
            return Ok(title);
        }
        let parent = viewer.parent()?;
        if store::count(&self.db, tenant.id, parent.id).await? >= MAX_KEPT {
            return Err(ServiceError::Refused(format!(
                "В избранном уже {MAX_KEPT} программ: уберите те, что больше не нужны."
            )));
        }
        let at = to_db(self.clock.now());
        store::add(&self.db, tenant.id, parent.id, program, &at).await?;
        Ok(title)
    }

    /// «Убрать из избранного» (a program not kept is no change; it need not be published).
    pub async fn remove(&self, tenant: &Tenant, viewer: &Viewer, program: i64) -> Result<()> {
        let parent = viewer.parent()?;
        store::remove(&self.db, tenant.id, parent.id, program).await?;
        Ok(())
    }

    /// The parent's kept programs, the latest first.
    pub async fn list(&self, tenant: &Tenant, viewer: &Viewer) -> Result<Vec<Kept>> {
        let parent = viewer.parent()?;
        Ok(store::of_user(&self.db, tenant.id, parent.id).await?)
    }
}

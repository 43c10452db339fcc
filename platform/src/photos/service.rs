//! What staff may do with their organization's photos: set or remove its logo and the cover
//! of one of its programs; and which stored files a region's host may serve. An upload is
//! decoded and re-encoded off the async threads, at most two at a time per process (each
//! may hold up to ~200 MB of pixels); its files are stored before the transaction that
//! points to them, so a row never names a missing file (a file no row names is harmless:
//! its key is unguessable, and a later upload of the same picture reuses it). Every change
//! bumps the region's catalog version in its transaction and is in the audit log.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::catalog::store::bump_version;
use crate::db::{Db, DbError};
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::storage::{FileStore, Key};
use crate::time::Clock;

use super::renditions::{self, Refusal, Rendition};
use super::store::{self, ProgramCover};

/// Decodes running at once in a process.
const DECODING_AT_ONCE: usize = 2;

#[derive(Clone)]
pub struct Photos {
    db: Db,
    clock: Clock,
    files: Arc<dyn FileStore>,
    decoding: Arc<Semaphore>,
}

/// The files of a cover, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverKeys {
    pub page: Key,
    pub card: Key,
}

/// Which photo an upload is, for the field its error names and the log.
#[derive(Debug, Clone, Copy)]
enum Purpose {
    Logo,
    Cover,
}

impl Purpose {
    fn field(self) -> &'static str {
        match self {
            Purpose::Logo => "logo",
            Purpose::Cover => "cover",
        }
    }
}

impl Photos {
    pub fn new(db: Db, clock: Clock, files: Arc<dyn FileStore>) -> Self {
        Self {
            db,
            clock,
            files,
            decoding: Arc::new(Semaphore::new(DECODING_AT_ONCE)),
        }
    }

    /// Where the files are (`sitegen` copies them from there).
    pub fn files(&self) -> &Arc<dyn FileStore> {
        &self.files
    }

    /// The organization the viewer works for: only its staff change its photos.
    fn own(viewer: &Viewer) -> Result<i64, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)
    }

    /// Runs `make` on a blocking thread once a decoding slot is free.
    async fn render<T: Send + 'static>(
        &self,
        purpose: Purpose,
        make: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let _slot = self
            .decoding
            .acquire()
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?;
        tokio::task::spawn_blocking(make)
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?
            .map_err(|refusal| {
                tracing::info!(?purpose, ?refusal, "upload refused");
                ServiceError::field(purpose.field(), refusal.message())
            })
    }

    async fn store(&self, file: Rendition) -> Result<Key, ServiceError> {
        Ok(self.files.put(file.media, file.bytes).await?)
    }

    /// The organization's program `id` with its cover (any status: a draft has a cover too).
    pub async fn program(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<ProgramCover, ServiceError> {
        let org = Self::own(viewer)?;
        store::program_cover(&self.db, tenant.id, org, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Makes `upload` the organization's logo.
    #[tracing::instrument(skip(self, tenant, viewer, upload), fields(bytes = upload.len()))]
    pub async fn set_logo(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        upload: Vec<u8>,
    ) -> Result<Key, ServiceError> {
        let org = Self::own(viewer)?;
        let file = self
            .render(Purpose::Logo, move || renditions::logo(&upload))
            .await?;
        let key = self.store(file).await?;
        self.write_logo(tenant, viewer, org, Some(&key)).await?;
        Ok(key)
    }

    /// Removes the organization's logo (none: nothing changes).
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn remove_logo(&self, tenant: &Tenant, viewer: &Viewer) -> Result<(), ServiceError> {
        let org = Self::own(viewer)?;
        self.write_logo(tenant, viewer, org, None).await
    }

    async fn write_logo(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        org: i64,
        logo: Option<&Key>,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let old = store::logo_in(&mut tx, tenant.id, org)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if old.as_deref() == logo.map(Key::as_str) {
            return Ok(());
        }
        if let Some(key) = logo {
            store::add_media(&mut tx, tenant.id, key, now).await?;
        }
        if !store::set_logo(&mut tx, tenant.id, org, logo, now).await? {
            return Err(ServiceError::NotFound);
        }
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "organization.logo",
                subject: &crate::organizations::subject(org),
                detail: &logo.map_or_else(
                    || "логотип удалён".to_owned(),
                    |k| format!("логотип загружен (файл {k})"),
                ),
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// Makes `upload` the cover of the organization's program `id`. Another organization's
    /// program is not found, and its upload not even decoded.
    #[tracing::instrument(skip(self, tenant, viewer, upload), fields(bytes = upload.len()))]
    pub async fn set_cover(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        upload: Vec<u8>,
    ) -> Result<CoverKeys, ServiceError> {
        self.program(tenant, viewer, id).await?;
        let files = self
            .render(Purpose::Cover, move || renditions::cover(&upload))
            .await?;
        let keys = CoverKeys {
            page: self.store(files.page).await?,
            card: self.store(files.card).await?,
        };
        self.write_cover(tenant, viewer, id, Some(&keys)).await?;
        Ok(keys)
    }

    /// Removes the cover of the organization's program `id` (none: nothing changes).
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn remove_cover(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<(), ServiceError> {
        self.write_cover(tenant, viewer, id, None).await
    }

    async fn write_cover(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        cover: Option<&CoverKeys>,
    ) -> Result<(), ServiceError> {
        let org = Self::own(viewer)?;
        let old = self.program(tenant, viewer, id).await?;
        if old.cover.as_deref() == cover.map(|c| c.page.as_str()) {
            return Ok(());
        }
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        if let Some(keys) = cover {
            store::add_media(&mut tx, tenant.id, &keys.page, now).await?;
            store::add_media(&mut tx, tenant.id, &keys.card, now).await?;
        }
        let pair = cover.map(|c| (&c.page, &c.card));
        if !store::set_cover(&mut tx, tenant.id, org, id, pair, now).await? {
            return Err(ServiceError::NotFound);
        }
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "program.cover",
                subject: &format!("program:{id}"),
                detail: &cover.map_or_else(
                    || "обложка удалена".to_owned(),
                    |c| format!("обложка загружена (файл {})", c.page),
                ),
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// The bytes of `key` if the region stored that file; `None` otherwise (whatever other
    /// regions stored).
    #[tracing::instrument(skip(self, tenant))]
    pub async fn media(&self, tenant: &Tenant, key: &Key) -> Result<Option<Vec<u8>>, ServiceError> {
        if !store::has_media(&self.db, tenant.id, key).await? {
            return Ok(None);
        }
        Ok(self.files.get(key).await?)
    }
}

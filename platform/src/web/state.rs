//! What every handler can reach: the process's connections and the capabilities' shared
//! pieces, made once at start-up.

use std::sync::Arc;

use crate::accounts::secrets::Hasher;
use crate::accounts::service::Accounts;
use crate::accounts::sessions::Sessions;
use crate::administration::Administration;
use crate::applications::service::Applications;
use crate::cache::Cache;
use crate::catalog::Catalog;
use crate::certificates::service::Certificates;
use crate::children::Children;
use crate::db::Db;
use crate::favourites::Favourites;
use crate::groups::Groups;
use crate::mail::worker::Worker;
use crate::mail::{Mailer, Outbox};
use crate::organizations::Organizations;
use crate::photos::Photos;
use crate::programs::Programs;
use crate::region_settings::RegionSettings;
use crate::regions::Registry;
use crate::reviews::Reviews;
use crate::school_year::NewYear;
use crate::settings::Settings;
use crate::sheets::Sheets;
use crate::staff::{Staff, Tokens};
use crate::statistics::Statistics;
use crate::storage::{FileStore, LocalStore};
use crate::sync::CatalogSync;
use crate::templates::Templates;
use crate::time::Clock;
use crate::timetable::Timetable;
use crate::visitors::Visitors;

use super::InFlight;

/// What every handler can reach. Nothing in it is the only copy of shared state: the
/// registry is a cache of the database, reloaded when the shared version moves.
pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub cache: Cache,
    /// Sessions, in a store of their own in-process (the same Redis as `cache` in
    /// production), so that cached pages never evict a session.
    pub sessions: Sessions,
    pub mailer: Mailer,
    pub hasher: Hasher,
    pub registry: Arc<Registry>,
    pub catalog: Arc<Catalog>,
    pub templates: Arc<Templates>,
    /// The one clock: every rule reads the time from it, tests set it.
    pub clock: Clock,
    pub accounts: Accounts,
    pub children: Children,
    pub organizations: Organizations,
    pub groups: Groups,
    /// Logos and covers, and the file store they are kept in.
    pub photos: Photos,
    pub certificates: Certificates,
    pub applications: Applications,
    pub programs: Programs,
    /// The spreadsheet round trip of an organization's programs and groups.
    pub sheets: Sheets,
    /// «Новый учебный год»: programs copied with their groups into the next school year.
    pub new_year: NewYear,
    /// The organizations' staff (invitations, removals) and their API tokens.
    pub staff: Staff,
    /// The region's administrators: the organizations registry and the admin accounts.
    pub administration: Administration,
    /// Catalog sync of the organizations' own systems by their ids.
    pub sync: CatalogSync,
    pub tokens: Tokens,
    /// «Настройки региона» and the profile dictionary of the regional admin.
    pub region_settings: RegionSettings,
    /// The dashboards' snapshots and the one computation at a time.
    pub statistics: Statistics,
    /// «Приём заявителя»: families registered and applications recorded in person.
    pub visitors: Visitors,
    /// Families' reviews of programs and their moderation.
    pub reviews: Reviews,
    /// The parents' «Избранное».
    pub favourites: Favourites,
    /// The children's weeks and calendar feeds.
    pub timetable: Timetable,
    /// Requests running on the expensive paths, by client address (see `in_flight`).
    pub in_flight: InFlight,
}

pub type State = Arc<AppState>;

impl AppState {
    /// Connects to the database (migrating it) and the cache, and loads the regions.
    pub async fn connect(settings: Settings) -> anyhow::Result<State> {
        // First, so that a bad DKIM key or SMTP address stops the start-up before anything
        // is touched.
        let mailer = Mailer::new(
            settings.smtp_url.as_deref(),
            settings.mail_dir(),
            settings.smtp_timeout,
            settings.dkim.as_ref(),
        )?;
        let db = Db::connect_waiting(&settings.database_url(), settings.database_wait).await?;
        db.migrate().await?;
        let clock = Clock::system();
        let cache = Cache::new(settings.redis_url.as_deref(), &settings.redis_prefix)?;
        let session_store = cache.sibling();
        let hasher = Hasher::new(settings.hash_concurrency);
        let registry = Arc::new(Registry::load(&db, settings.base_domain.clone()).await?);
        let catalog = Catalog::new(db.clone(), cache.clone());
        catalog.refresh_versions().await?;
        let templates = Arc::new(Templates::new());
        let outbox = Outbox::new(templates.clone(), mailer.clone(), clock.clone());
        let files: Arc<dyn FileStore> = Arc::new(LocalStore::new(settings.files_dir()));
        let accounts = Accounts::new(
            db.clone(),
            outbox.clone(),
            hasher.clone(),
            session_store.clone(),
            settings.rate_limits.clone(),
            clock.clone(),
        );
        let children = Children::new(db.clone(), clock.clone());
        let certificates = Certificates::new(db.clone(), outbox.clone(), clock.clone());
        let applications = Applications::new(db.clone(), outbox.clone(), clock.clone());
        let visitors = Visitors::new(
            db.clone(),
            clock.clone(),
            accounts.clone(),
            children.clone(),
            certificates.clone(),
            applications.clone(),
        );
        Ok(Arc::new(AppState {
            sessions: Sessions::new(
                session_store.clone(),
                settings.sessions,
                db.clone(),
                clock.clone(),
            ),
            staff: Staff::new(db.clone(), accounts.clone(), clock.clone()),
            administration: Administration::new(db.clone(), accounts.clone(), clock.clone()),
            sync: CatalogSync::new(db.clone(), clock.clone()),
            tokens: Tokens::new(db.clone(), clock.clone()),
            accounts,
            children,
            visitors,
            organizations: Organizations::new(db.clone(), clock.clone()),
            groups: Groups::new(db.clone(), clock.clone()),
            photos: Photos::new(db.clone(), clock.clone(), files.clone()),
            sheets: Sheets::new(db.clone(), clock.clone(), files),
            new_year: NewYear::new(db.clone(), clock.clone()),
            region_settings: RegionSettings::new(db.clone(), cache.clone(), clock.clone()),
            statistics: Statistics::new(db.clone(), clock.clone()),
            reviews: Reviews::new(db.clone(), clock.clone()),
            favourites: Favourites::new(db.clone(), clock.clone()),
            timetable: Timetable::new(db.clone(), clock.clone()),
            certificates,
            applications,
            programs: Programs::new(db.clone(), clock.clone(), outbox),
            in_flight: InFlight::new(settings.limits.expensive_per_client),
            settings,
            db,
            cache,
            mailer,
            hasher,
            registry,
            catalog,
            templates,
            clock,
        }))
    }
}

impl AppState {
    /// The outbox worker of this process.
    pub fn mail_worker(&self) -> Worker {
        Worker {
            db: self.db.clone(),
            mailer: self.mailer.clone(),
            retry_base: self.settings.mail_retry_base,
            poll: self.settings.mail_poll,
            clock: self.clock.clone(),
        }
    }
}

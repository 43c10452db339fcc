//! What a run reads from the database: one consistent picture of the region's published
//! catalog, and for the pages to re-render, everything they show.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use platform::catalog::read::REVIEWS_SHOWN;
use platform::catalog::reviews::{self, ReviewView};
use platform::catalog::store::{
    self, Group, GroupLocation, ListedProgram, Organization, Profile, Program,
};
use platform::db::Db;
use platform::domain::LatLon;
use platform::storage::{FileStore, Key};

use crate::error::SitegenError;
use platform::tenant_id::TenantId;

/// The published catalog of one region at `version`.
pub struct Snapshot {
    /// The catalog version read before anything else: every change up to it is in the
    /// data (later ones may be too; a next run redoes them, which is harmless).
    pub version: i64,
    pub profiles: Vec<Profile>,
    /// By id.
    pub organizations: Vec<Organization>,
    /// Published programs, by id.
    pub programs: Vec<ListedProgram>,
    /// Group locations of published programs, by id.
    pub locations: Vec<GroupLocation>,
    /// Places of study (организации's места обучения): (organization, address, point), by
    /// organization, then in the order added. Read whole every run: the organization
    /// pages' signatures carry them, so a changed place re-renders its organization's page.
    pub places: Vec<(i64, String, LatLon)>,
    /// Programs whose page this run renders, with their groups (by id).
    pub details: Vec<(Program, Vec<Group>)>,
    /// The newest published reviews of each program that has any, as its page shows them.
    pub reviews: HashMap<i64, Vec<ReviewView>>,
    /// The bytes of the photos this run copies (see [`Snapshot::fetch_media`]), by key.
    pub media: BTreeMap<String, Vec<u8>>,
}

/// Which program pages to render: all, or those changed since a catalog version.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    ChangedSince(i64),
}

impl Snapshot {
    #[tracing::instrument(skip(db))]
    pub async fn read(
        db: &Db,
        tenant: TenantId,
        zone: chrono_tz::Tz,
        scope: Scope,
    ) -> Result<Self, SitegenError> {
        let version = store::version(db, tenant).await?;
        let wanted = match scope {
            Scope::All => None,
            Scope::ChangedSince(v) => Some(store::programs_changed_since(db, tenant, v).await?),
        };
        let shown = REVIEWS_SHOWN as usize;
        let (catalog, locations, places, profiles, details, reviews) = tokio::try_join!(
            async {
                Ok::<_, SitegenError>(
                    store::published_catalog(db, tenant, store::Descriptions::Without).await?,
                )
            },
            async { Ok(store::group_locations(db, tenant).await?) },
            async { Ok(store::places_of_region(db, tenant).await?) },
            async { Ok(store::profiles(db, tenant).await?) },
            Self::details(db, tenant, wanted.as_deref()),
            async {
                let ids = wanted.as_deref();
                Ok(reviews::published_by_program(db, tenant, zone, ids, shown).await?)
            },
        )?;
        let mut organizations = catalog.organizations;
        organizations.sort_by_key(|o| o.id);
        let mut listed = catalog.programs;
        listed.sort_by_key(|p| p.id);
        let published: HashSet<i64> = listed.iter().map(|p| p.id).collect();
        let mut locations: Vec<GroupLocation> = locations
            .into_iter()
            .filter(|g| published.contains(&g.program_id))
            .collect();
        locations.sort_by_key(|g| g.id);
        Ok(Self {
            version,
            profiles,
            organizations,
            programs: listed,
            locations,
            places,
            details,
            reviews,
            media: BTreeMap::new(),
        })
    }

    /// Every photo the copy's pages show: covers of the published programs (the page's and
    /// the card's) and logos of the organizations.
    pub fn media_keys(&self) -> BTreeSet<&str> {
        let covers = self
            .programs
            .iter()
            .flat_map(|p| [p.cover.as_deref(), p.cover_card.as_deref()]);
        let logos = self.organizations.iter().map(|o| o.logo.as_deref());
        covers.chain(logos).flatten().collect()
    }

    /// Reads from `files` the photos the copy shows that `have` (what the folder holds
    /// already: a key names its bytes for ever) does not.
    #[tracing::instrument(skip_all)]
    pub async fn fetch_media(
        &mut self,
        files: &dyn FileStore,
        have: impl Fn(&str) -> bool,
    ) -> Result<(), SitegenError> {
        let wanted: Vec<String> = self
            .media_keys()
            .into_iter()
            .filter(|k| !have(k))
            .map(str::to_owned)
            .collect();
        for raw in wanted {
            let failed = |message: String| SitegenError::Media {
                key: raw.clone(),
                message,
            };
            let key = Key::parse(&raw).ok_or_else(|| failed("не ключ файла".to_owned()))?;
            let bytes = files
                .get(&key)
                .await
                .map_err(|e| failed(e.to_string()))?
                .ok_or_else(|| failed("нет в хранилище файлов".to_owned()))?;
            self.media.insert(raw, bytes);
        }
        Ok(())
    }

    /// Leaves out programs whose organization is not in the snapshot: a program moved to an
    /// organization created after the organizations were read. Its change is newer than
    /// `version`, so the next run shows it.
    pub fn drop_orphans(&mut self) {
        let orgs: HashSet<i64> = self.organizations.iter().map(|o| o.id).collect();
        self.programs.retain(|p| orgs.contains(&p.organization_id));
        self.details
            .retain(|(p, _)| orgs.contains(&p.organization_id));
        let programs: HashSet<i64> = self.programs.iter().map(|p| p.id).collect();
        self.locations.retain(|g| programs.contains(&g.program_id));
        self.details.retain(|(p, _)| programs.contains(&p.id));
    }

    /// Published programs (all, or those of `ids`) with their groups.
    pub async fn details(
        db: &Db,
        tenant: TenantId,
        ids: Option<&[i64]>,
    ) -> Result<Vec<(Program, Vec<Group>)>, SitegenError> {
        let (programs, groups) = tokio::try_join!(
            store::published_programs(db, tenant, ids),
            store::groups_of_programs(db, tenant, ids),
        )?;
        let mut by_program: HashMap<i64, Vec<Group>> = HashMap::new();
        for g in groups {
            by_program.entry(g.program_id).or_default().push(g);
        }
        Ok(programs
            .into_iter()
            .map(|p| {
                let groups = by_program.remove(&p.id).unwrap_or_default();
                (p, groups)
            })
            .collect())
    }
}

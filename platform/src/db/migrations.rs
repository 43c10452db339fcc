//! The migrations are compiled into the binary, so a deployed `navigator` needs no files
//! beside it: one list of names, a file per dialect for each.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::Backend;

/// The one list of migrations: each name is a file in both `migrations/sqlite/` and
/// `migrations/postgres/`, so a migration cannot be added to one dialect only.
macro_rules! migrations {
    ($($version:literal => $name:literal),* $(,)?) => {
        const SQLITE: &[(i64, &str, &str)] = &[$(($version, $name, include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/../migrations/sqlite/", $name, ".sql"
        )))),*];
        const POSTGRES: &[(i64, &str, &str)] = &[$(($version, $name, include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/../migrations/postgres/", $name, ".sql"
        )))),*];
    };
}

migrations!(
    1 => "0001_tenants",
    2 => "0002_catalog",
    3 => "0003_accounts",
    4 => "0004_certificates",
    5 => "0005_applications",
    6 => "0006_api_tokens",
    7 => "0007_catalog_changes",
    8 => "0008_children_confirmed",
    9 => "0009_platform_keys",
    10 => "0010_outbox_failure",
    11 => "0011_organization_profile",
    12 => "0012_program_card",
    13 => "0013_groups_schedules",
    14 => "0014_photos",
    15 => "0015_catalog_resets",
    16 => "0016_staff_tokens",
    17 => "0017_catalog_sync",
    18 => "0018_school_year",
    19 => "0019_statistics",
    21 => "0021_organization_deactivation",
    22 => "0022_audit_filters",
    23 => "0023_assisted_registration",
    24 => "0024_reviews",
    25 => "0025_favourites",
    26 => "0026_calendar_feeds",
    27 => "0027_application_mail",
);

pub fn migrator(backend: Backend) -> Migrator {
    let list = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let migrations: Vec<Migration> = list
        .iter()
        .map(|(version, name, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*name),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }
}

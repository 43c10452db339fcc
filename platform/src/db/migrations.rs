//! The migrations are compiled into the binary, one list per dialect, so a deployed
//! `navigator` needs no files beside it. Both lists must describe the same schema.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::Backend;

macro_rules! migrations {
    ($dialect:literal: $($version:literal => $name:literal),* $(,)?) => {
        &[$(($version, $name, include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/../migrations/", $dialect, "/", $name, ".sql"
        )))),*]
    };
}

const SQLITE: &[(i64, &str, &str)] = migrations!("sqlite":
    1 => "0001_tenants",
    2 => "0002_catalog",
    3 => "0003_accounts",
    4 => "0004_certificates",
    5 => "0005_applications",
    6 => "0006_api_tokens",
    7 => "0007_catalog_changes",
);

const POSTGRES: &[(i64, &str, &str)] = migrations!("postgres":
    1 => "0001_tenants",
    2 => "0002_catalog",
    3 => "0003_accounts",
    4 => "0004_certificates",
    5 => "0005_applications",
    6 => "0006_api_tokens",
    7 => "0007_catalog_changes",
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

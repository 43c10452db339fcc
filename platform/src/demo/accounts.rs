//! Demo accounts: one of each role per region and a platform operator, with one known
//! password, so a developer can log in to every cabinet right after `serve --demo`.

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::accounts::secrets::Hasher;
use crate::accounts::store::{self, NewUser};
use crate::accounts::values::{Password, Role};
use crate::db::Db;
use crate::regions::Tenant;
use crate::tenant_id::TenantId;

/// The password of every demo account (printed; never use demo data in production).
pub const DEMO_PASSWORD: &str = "navigator-demo-2026";

/// Creates the demo accounts that do not exist yet and prints every login.
pub async fn ensure(
    db: &Db,
    tenants: &[std::sync::Arc<Tenant>],
    now: DateTime<Utc>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let password = Password::parse(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    let hash = Hasher::new(1).hash(&password).await?;
    let mut logins = Vec::new();
    for tenant in tenants {
        let slug = tenant.slug();
        // The first organization authorized to confirm children's data, so the demo staff
        // can walk the certificate through; parent and municipal admin share its
        // municipality (the parent then sees it on the activation page).
        let authorized: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, municipality_id FROM organizations WHERE tenant_id = $1 \
             AND can_confirm = 1 ORDER BY id LIMIT 1",
        )
        .bind(tenant.id)
        .fetch_optional(db.pool())
        .await?;
        let first_org = match &authorized {
            Some((id, _)) => Some(*id),
            None => crate::catalog::store::organization(db, tenant.id, 1)
                .await?
                .map(|o| o.id),
        };
        let municipality = authorized.map(|(_, m)| m).or_else(|| {
            tenant
                .config
                .municipalities
                .first()
                .map(|m| m.id.as_str().to_owned())
        });
        let roles = [
            (Role::Parent, "parent", None, municipality.clone()),
            (Role::Provider, "provider", first_org, None),
            (Role::Municipal, "municipal", None, municipality.clone()),
            (Role::Regional, "regional", None, None),
        ];
        for (role, name, org, mun) in roles {
            if role == Role::Provider && org.is_none() {
                continue;
            }
            let email = format!("{name}@{slug}.demo.navigator.local");
            let user = demo_user(&email, role, org, mun.as_deref(), &hash);
            ensure_one(db, tenant.id, &user, now).await?;
            logins.push((tenant.config.region_name.clone(), role, email));
        }
    }
    let email = "operator@demo.navigator.local".to_owned();
    let operator = demo_user(&email, Role::Operator, None, None, &hash);
    ensure_one(db, TenantId::PLATFORM, &operator, now).await?;
    logins.push(("платформа (основной домен)".into(), Role::Operator, email));
    writeln!(
        out,
        "Демонстрационные учётные записи (пароль {DEMO_PASSWORD}):"
    )?;
    for (region, role, email) in logins {
        writeln!(out, "  {region}: {} — {email}", role.label())?;
    }
    Ok(())
}

fn demo_user<'a>(
    email: &'a str,
    role: Role,
    organization: Option<i64>,
    municipality: Option<&'a str>,
    hash: &'a str,
) -> NewUser<'a> {
    NewUser {
        email,
        password_hash: Some(hash),
        role,
        organization_id: organization,
        municipality_id: municipality,
        last_name: "Демонстрационный",
        first_name: role
            .label()
            .split_whitespace()
            .next()
            .unwrap_or("Пользователь"),
        middle_name: None,
        phone: Some("+79000000000"),
        birth_date: None,
    }
}

/// Creates the account with its address confirmed, unless it exists.
async fn ensure_one(
    db: &Db,
    tenant: TenantId,
    new: &NewUser<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    if let Some(id) = store::insert_user(&mut tx, tenant, new, now).await? {
        store::confirm_email(&mut tx, tenant, id, new.email, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

//! `navigator token add`: an API token for an organization's system, acting as one of its
//! staff.

use std::io::Write;

use crate::accounts::values::Role;
use crate::db::Db;
use crate::regions;
use crate::settings::Settings;
use crate::time::Clock;

use super::context::region_by_slug;

/// `navigator token add`: prints a new token once; only its digest is stored.
pub(super) async fn add(
    db: &Db,
    settings: &Settings,
    slug: &str,
    email: &str,
    name: &str,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    use crate::accounts::{secrets, store};
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let tenant = region_by_slug(&registry, slug)?;
    let user = store::user_by_email(db, tenant.id, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("--email: в регионе нет учётной записи {email}"))?;
    if user.role != Role::Provider {
        anyhow::bail!(
            "--email: {email} — не сотрудник организации (роль {})",
            user.role
        );
    }
    let token = secrets::random_token();
    let now = Clock::system().now();
    let mut tx = db.begin().await?;
    store::insert_api_token(
        &mut tx,
        tenant.id,
        &secrets::digest(&token),
        user.id,
        name,
        now,
    )
    .await?;
    store::audit(
        &mut tx,
        tenant.id,
        &crate::accounts::store::Audit {
            actor: None,
            action: "api_token_grant",
            subject: &format!("user:{}", user.id),
            detail: name,
            ip: None,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    writeln!(
        out,
        "Токен API для {} (организация № {}):",
        user.email,
        user.organization_id.unwrap_or_default()
    )?;
    writeln!(out, "{token}")?;
    writeln!(
        out,
        "Передавайте его в заголовке Authorization: Bearer …; показывается один раз."
    )?;
    Ok(())
}

//! `navigator token add`: an API token for an organization's system, acting as one of its
//! staff. Issued by `staff::Tokens::issue`, as in the cabinet.

use std::io::Write;

use crate::db::Db;
use crate::regions;
use crate::service_error::ServiceError;
use crate::settings::Settings;
use crate::staff::Tokens;
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
    use crate::accounts::store;
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let tenant = region_by_slug(&registry, slug)?;
    let user = store::user_by_email(db, tenant.id, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("--email: в регионе нет учётной записи {email}"))?;
    if user.staff_org().is_none() {
        anyhow::bail!(
            "--email: {email} — не сотрудник организации (роль {})",
            user.role
        );
    }
    let tokens = Tokens::new(db.clone(), Clock::system());
    let issued = match tokens.issue(tenant.id, &user, name, None).await {
        Ok(issued) => issued,
        Err(ServiceError::Invalid(errors)) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  --{}: {}", e.field, e.message))
                .collect();
            anyhow::bail!("токен не создан:\n{}", lines.join("\n"));
        }
        Err(e) => return Err(e.into()),
    };
    writeln!(
        out,
        "Токен API № {} для {} (организация № {}):",
        issued.id,
        user.email,
        user.organization_id.unwrap_or_default()
    )?;
    writeln!(out, "{}", issued.secret)?;
    writeln!(
        out,
        "Передавайте его в заголовке Authorization: Bearer …; показывается один раз."
    )?;
    Ok(())
}

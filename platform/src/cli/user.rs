//! `navigator user add`: a staff account of a region (or an operator of the platform), with
//! the mail that lets its owner set a password.

use std::io::Write;

use crate::accounts::service::StaffAccount;
use crate::service_error::ServiceError;
use crate::settings::Settings;
use crate::web::AppState;

use super::context::region_by_slug;

/// `navigator user add`: the account is created, the set-password mail written to the
/// outbox and sent at once (a running server would send it within a second too).
pub(super) async fn add(
    settings: Settings,
    region: Option<&str>,
    account: &StaffAccount,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let local = settings.base_domain.as_ascii() == "localhost";
    let state = AppState::connect(settings).await?;
    let tenant = match region {
        None => None,
        Some(slug) => Some(region_by_slug(&state.registry, slug)?),
    };
    let site_url = match &tenant {
        Some(t) if local => format!("http://{}.localhost:8080", t.slug()),
        Some(t) => format!(
            "https://{}",
            t.config
                .hosts
                .first()
                .cloned()
                .unwrap_or_else(|| state.settings.base_domain.subdomain(&t.config.slug))
        ),
        None if local => "http://localhost:8080".to_owned(),
        None => format!("https://{}", state.settings.base_domain),
    };
    let sender = match &tenant {
        Some(t) => t.sender(&site_url),
        None => crate::mail::Sender::platform(&state.settings.base_domain, &site_url),
    };
    let user = match state
        .accounts
        .add_staff(tenant.as_deref(), &sender, account, None)
        .await
    {
        Ok(user) => user,
        Err(ServiceError::Invalid(errors)) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  --{}: {}", e.field.replace('_', "-"), e.message))
                .collect();
            anyhow::bail!("учётная запись не создана:\n{}", lines.join("\n"));
        }
        Err(e) => return Err(e.into()),
    };
    state.mail_worker().run_once().await?;
    writeln!(
        out,
        "Создан: {} ({}), № {}. Ссылка для установки пароля отправлена на {}.",
        user.full_name(),
        user.role.label(),
        user.id,
        user.email
    )?;
    Ok(())
}

//! `navigator billing run`: the month's charges of a region's certificate contracts.

use std::io::Write;

use crate::settings::Settings;
use crate::web::AppState;

use super::context::region_by_slug;

/// `navigator billing run`: each active contract is debited once for the month.
pub(super) async fn run(
    settings: Settings,
    slug: &str,
    month: &str,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let state = AppState::connect(settings).await?;
    let tenant = region_by_slug(&state.registry, slug)?;
    let billing = match state.applications.billing_run(&tenant, month).await {
        Ok(b) => b,
        Err(crate::service_error::ServiceError::Invalid(_)) => {
            anyhow::bail!("--month: «{month}» — ожидается месяц в формате ГГГГ-ММ")
        }
        Err(e) => return Err(e.into()),
    };
    writeln!(
        out,
        "{}, {month}: списано по {} договорам на {}; уже были списаны ранее: {}",
        tenant.config.region_name,
        billing.charged,
        crate::domain::Money::from_kopecks(billing.amount),
        billing.already
    )?;
    Ok(())
}

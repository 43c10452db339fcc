//! `navigator certificates report`: a region's certificates by municipality for a period.

use std::io::Write;

use crate::db::Db;
use crate::regions;
use crate::settings::Settings;

use super::context::region_by_slug;

/// `navigator certificates report`: one line per municipality of the region.
pub(super) async fn report(
    db: &Db,
    settings: &Settings,
    slug: &str,
    period: i64,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let tenant = region_by_slug(&registry, slug)?;
    let lines = crate::certificates::store::report(db, tenant.id, period).await?;
    let rub = |k: i64| crate::domain::Money::from_kopecks(k).to_string();
    writeln!(
        out,
        "{} — сертификаты, период {period}",
        tenant.config.region_name
    )?;
    writeln!(
        out,
        "{:<32} {:>8} {:>12} {:>16} {:>18} {:>18}",
        "муниципалитет",
        "выдано",
        "подтверждено",
        "профинансировано",
        "бюджет использован",
        "бюджет остаток"
    )?;
    let mut total = crate::certificates::store::ReportLine::default();
    for m in &tenant.config.municipalities {
        let line = lines
            .iter()
            .find(|l| l.municipality_id == m.id.as_str())
            .cloned()
            .unwrap_or_default();
        let budget = if line.budget > 0 || line.granted > 0 {
            line.budget
        } else {
            crate::certificates::service::period_defaults(&tenant, m.id.as_str()).1
        };
        writeln!(
            out,
            "{:<32} {:>8} {:>12} {:>16} {:>18} {:>18}",
            m.name,
            line.issued,
            line.confirmed,
            line.funded,
            rub(line.granted),
            rub(budget - line.granted)
        )?;
        total.issued += line.issued;
        total.confirmed += line.confirmed;
        total.funded += line.funded;
        total.granted += line.granted;
        total.budget += budget;
    }
    writeln!(
        out,
        "{:<32} {:>8} {:>12} {:>16} {:>18} {:>18}",
        "итого",
        total.issued,
        total.confirmed,
        total.funded,
        rub(total.granted),
        rub(total.budget - total.granted)
    )?;
    Ok(())
}

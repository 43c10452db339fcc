//! `navigator serve`: the server bound and run, after loading the demo regions with
//! `--demo`.

use std::io::Write;
use std::path::Path;

use crate::app::Application;
use crate::cache::Cache;
use crate::settings::Settings;
use crate::web::AppState;

use super::context::connect;
use super::demo::{demo_accounts, fill_demo, first_activity};
use super::tenant::apply_dir;

pub(super) async fn run(
    settings: Settings,
    demo: bool,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    if demo {
        let db = connect(&settings).await?;
        let cache = Cache::new(settings.redis_url.as_deref(), &settings.redis_prefix)?;
        apply_dir(
            &db,
            &cache,
            &settings,
            Path::new(tenants::SAMPLE_REGIONS_DIR),
            out,
        )
        .await?;
        fill_demo(&db, &settings, None, None, out).await?;
        demo_accounts(&db, &settings, out).await?;
        first_activity(&db, &settings, out).await?;
        db.close().await;
    }
    let state = AppState::connect(settings).await?;
    let app = Application::bind(state.clone()).await?;
    let port = app.local_addr().port();
    writeln!(out, "Навигатор слушает http://{}/", app.local_addr())?;
    writeln!(out, "  Список регионов: http://localhost:{port}/")?;
    for tenant in state.registry.tenants() {
        writeln!(
            out,
            "  {}: http://{}.localhost:{port}/",
            tenant.config.region_name,
            tenant.slug()
        )?;
    }
    writeln!(out, "  API: http://localhost:{port}/api/docs")?;
    out.flush()?;
    app.run().await?;
    Ok(())
}

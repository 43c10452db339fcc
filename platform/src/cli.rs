//! The `navigator` command line: `serve`, `migrate`, `tenant apply|list`, `user add`,
//! `demo`.
//!
//! Storage flags are global and read from the environment too, so every subcommand that
//! touches the database takes them the same way.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tenants::Host;

use crate::accounts::service::StaffAccount;
use crate::accounts::values::Role;
use crate::app::Application;
use crate::cache::Cache;
use crate::catalog::model::ProgramStatus;
use crate::db::Db;
use crate::regions::{self, Applied};
use crate::service_error::ServiceError;
use crate::settings::Settings;
use crate::telemetry;
use crate::web::AppState;
use crate::{catalog, demo};

#[derive(Parser, Debug)]
#[command(
    name = "navigator",
    version,
    about = "Навигатор дополнительного образования детей: сервер регионов и команды оператора"
)]
pub struct Cli {
    #[command(flatten)]
    storage: StorageArgs,
    /// Формат журнала: text или json
    #[arg(long, env = "NAVIGATOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
struct StorageArgs {
    /// База данных: sqlite://путь или postgres://…; по умолчанию SQLite-файл в --data-dir
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Redis для кеша и сессий; без него — кеш в памяти процесса
    #[arg(long, env = "REDIS_URL", global = true)]
    redis_url: Option<String>,
    /// Префикс ключей Redis (несколько установок на одном Redis)
    #[arg(
        long,
        env = "NAVIGATOR_REDIS_PREFIX",
        default_value = "navigator:",
        global = true
    )]
    redis_prefix: String,
    /// Почтовый сервер smtp:// или smtps://; без него письма пишутся в DATA_DIR/mail
    #[arg(long, env = "SMTP_URL", global = true, value_parser = parse_smtp_url)]
    smtp_url: Option<String>,
    /// Папка для файла SQLite и писем
    #[arg(
        long,
        env = "NAVIGATOR_DATA_DIR",
        default_value = "data",
        global = true
    )]
    data_dir: PathBuf,
    /// Основной домен: на нём список регионов, на {регион}.{домен} — сайты регионов
    #[arg(long, env = "NAVIGATOR_BASE_DOMAIN", default_value = "localhost", global = true, value_parser = parse_host)]
    base_domain: Host,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Запустить сервер
    Serve {
        /// Адрес и порт
        #[arg(long, env = "NAVIGATOR_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Загрузить демонстрационные регионы (tenants/regions) перед запуском
        #[arg(long)]
        demo: bool,
        /// Доверять X-Forwarded-Host/-Proto (только за своим обратным прокси)
        #[arg(long, env = "NAVIGATOR_TRUST_PROXY")]
        trust_proxy: bool,
    },
    /// Применить миграции базы данных
    Migrate,
    /// Регионы платформы
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Учётные записи сотрудников
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Токены API для систем организаций
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Оплата обучения по сертификатам
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// Сертификаты
    Certificates {
        #[command(subcommand)]
        command: CertificatesCommand,
    },
    /// Программы каталога
    Program {
        #[command(subcommand)]
        command: ProgramCommand,
    },
    /// Загрузить демонстрационные регионы и заполнить их каталоги
    Demo {
        /// Папка с файлами регионов
        #[arg(long, default_value = tenants::SAMPLE_REGIONS_DIR)]
        regions_dir: PathBuf,
        /// Сколько программ создать в каждом регионе (заменяет его каталог); без флага —
        /// по умолчанию, и только в регионах с пустым каталогом
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200_000))]
        programs: Option<u32>,
        /// Только этот регион (slug)
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ProgramCommand {
    /// Сменить статус программы (модерация): только «published» видна в каталоге
    Status {
        /// Регион (slug)
        #[arg(long)]
        region: String,
        /// Номер программы в каталоге региона
        #[arg(long)]
        id: i64,
        /// draft, moderation, needs_changes, published или archived
        #[arg(long, value_parser = parse_status)]
        status: ProgramStatus,
    },
}

fn parse_status(raw: &str) -> Result<ProgramStatus, String> {
    ProgramStatus::parse(raw)
        .ok_or_else(|| format!("«{raw}»: ожидается одно из {}", ProgramStatus::codes()))
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Выдать токен API, действующий от имени сотрудника организации (в пределах его организации)
    Add {
        /// Регион (slug)
        #[arg(long)]
        region: String,
        /// Адрес сотрудника организации (роль provider)
        #[arg(long)]
        email: String,
        /// Для чего токен (например, «1С школы»)
        #[arg(long, default_value = "API")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
enum BillingCommand {
    /// Списать с сертификатов плату за месяц по действующим договорам (повторный запуск ничего не меняет)
    Run {
        /// Регион (slug)
        #[arg(long)]
        region: String,
        /// Месяц, ГГГГ-ММ
        #[arg(long)]
        month: String,
    },
}

#[derive(Subcommand, Debug)]
enum CertificatesCommand {
    /// Отчёт по муниципалитетам: выдано, подтверждено, профинансировано, бюджет
    Report {
        /// Регион (slug)
        #[arg(long)]
        region: String,
        /// Период (год)
        #[arg(long, value_parser = clap::value_parser!(i64).range(2000..=2100))]
        period: i64,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Создать учётную запись сотрудника и отправить ему ссылку для установки пароля
    Add {
        /// Регион (slug); не указывается для оператора платформы
        #[arg(long)]
        region: Option<String>,
        /// Адрес электронной почты (логин)
        #[arg(long)]
        email: String,
        /// provider, municipal, regional или operator
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Организация (номер в каталоге региона) — для роли provider
        #[arg(long)]
        organization: Option<i64>,
        /// Муниципалитет (id из файла региона) — для роли municipal
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long, default_value = "Сотрудник")]
        last_name: String,
        #[arg(long, default_value = "Новый")]
        first_name: String,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw)
}

#[derive(Subcommand, Debug)]
enum TenantCommand {
    /// Создать или обновить регионы из файлов настроек
    Apply {
        /// Файлы регионов (.toml)
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Показать все регионы
    List,
}

fn parse_host(raw: &str) -> Result<Host, String> {
    Host::parse(raw)
}

fn parse_smtp_url(raw: &str) -> Result<String, String> {
    match raw.split("://").next() {
        Some("smtp" | "smtps") if raw.contains("://") => Ok(raw.to_owned()),
        _ => Err(format!(
            "«{}»: ожидается smtp://хост:порт или smtps://хост:порт",
            crate::db::redact(raw)
        )),
    }
}

impl Cli {
    fn settings(&self) -> Settings {
        let s = &self.storage;
        let mut settings = Settings::local(s.data_dir.clone());
        settings.database_url = s.database_url.clone();
        settings.redis_url = s.redis_url.clone();
        settings.redis_prefix = s.redis_prefix.clone();
        settings.smtp_url = s.smtp_url.clone();
        settings.base_domain = s.base_domain.clone();
        if let Command::Serve {
            listen,
            trust_proxy,
            ..
        } = &self.command
        {
            settings.listen = *listen;
            settings.trust_proxy = *trust_proxy;
        }
        settings
    }
}

/// The binary's entry point: parse, run, report.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(matches!(cli.log_format, LogFormat::Json));
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = runtime.block_on(run(cli, &mut std::io::stdout()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ошибка: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parses `args` (including the program name) and runs the command; what the command
/// prints goes to `out`. Tests call this to drive the CLI in-process.
pub async fn run_args<I, T>(args: I, out: &mut (dyn Write + Send)) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run(Cli::try_parse_from(args)?, out).await
}

async fn run(cli: Cli, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let settings = cli.settings();
    match cli.command {
        Command::Serve { demo, .. } => serve(settings, demo, out).await,
        Command::Migrate => {
            let db = connect(&settings).await?;
            writeln!(out, "Миграции применены ({:?}).", db.backend())?;
            Ok(())
        }
        Command::Tenant {
            command: TenantCommand::Apply { files },
        } => {
            let db = connect(&settings).await?;
            let cache = Cache::new(settings.redis_url.as_deref(), &settings.redis_prefix)?;
            apply_files(&db, &cache, &settings, &files, out).await
        }
        Command::Tenant {
            command: TenantCommand::List,
        } => {
            let db = connect(&settings).await?;
            list(&db, out).await
        }
        Command::User {
            command:
                UserCommand::Add {
                    region,
                    email,
                    role,
                    organization,
                    municipality,
                    last_name,
                    first_name,
                },
        } => {
            let account = StaffAccount {
                email,
                role,
                organization,
                municipality,
                last_name,
                first_name,
            };
            add_user(settings, region.as_deref(), &account, out).await
        }
        Command::Token {
            command:
                TokenCommand::Add {
                    region,
                    email,
                    name,
                },
        } => {
            let db = connect(&settings).await?;
            token_add(&db, &settings, &region, &email, &name, out).await
        }
        Command::Billing {
            command: BillingCommand::Run { region, month },
        } => billing_run(settings, &region, &month, out).await,
        Command::Certificates {
            command: CertificatesCommand::Report { region, period },
        } => {
            let db = connect(&settings).await?;
            certificates_report(&db, &settings, &region, period, out).await
        }
        Command::Program {
            command: ProgramCommand::Status { region, id, status },
        } => {
            let db = connect(&settings).await?;
            program_status(&db, &settings, &region, id, status, out).await
        }
        Command::Demo {
            regions_dir,
            programs,
            region,
        } => {
            let db = connect(&settings).await?;
            let cache = Cache::new(settings.redis_url.as_deref(), &settings.redis_prefix)?;
            apply_dir(&db, &cache, &settings, &regions_dir, out).await?;
            fill_demo(
                &db,
                &settings,
                programs.map(|n| n as usize),
                region.as_deref(),
                out,
            )
            .await?;
            demo_accounts(&db, &settings, out).await
        }
    }
}

/// The region `slug` of the registry, or the error every `--region` flag gives.
fn region_by_slug(
    registry: &regions::Registry,
    slug: &str,
) -> anyhow::Result<std::sync::Arc<regions::Tenant>> {
    registry
        .by_slug(slug)
        .ok_or_else(|| anyhow::anyhow!("--region: региона «{slug}» нет"))
}

async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url()).await?;
    db.migrate().await?;
    Ok(db)
}

async fn apply_files(
    db: &Db,
    cache: &Cache,
    settings: &Settings,
    files: &[PathBuf],
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    for region in regions::apply_files(db, cache, &settings.base_domain, files).await? {
        let word = match region.outcome {
            Applied::Created => "создан",
            Applied::Updated => "обновлён",
            Applied::Unchanged => "без изменений",
        };
        writeln!(out, "{}: {word} ({})", region.slug, region.region_name)?;
    }
    Ok(())
}

async fn apply_dir(
    db: &Db,
    cache: &Cache,
    settings: &Settings,
    dir: &Path,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    apply_files(db, cache, settings, &regions::region_files(dir)?, out).await
}

/// Fills regions with demo catalogs: `programs` replaces each catalog; without it, only
/// empty catalogs get the default size.
async fn fill_demo(
    db: &Db,
    settings: &Settings,
    programs: Option<usize>,
    only: Option<&str>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let tenants = registry.tenants();
    if let Some(slug) = only {
        if !tenants.iter().any(|t| t.slug() == slug) {
            let known: Vec<&str> = tenants.iter().map(|t| t.slug()).collect();
            anyhow::bail!("--region: региона «{slug}» нет; есть: {}", known.join(", "));
        }
    }
    for tenant in tenants
        .iter()
        .filter(|t| only.is_none_or(|s| s == t.slug()))
    {
        let size = match programs {
            Some(n) => n,
            None if catalog::store::count_programs(db, tenant.id).await? == 0 => {
                demo::DEFAULT_PROGRAMS
            }
            None => continue,
        };
        let started = std::time::Instant::now();
        let filled = demo::fill(
            db,
            tenant,
            size,
            tenant.today(&crate::time::Clock::system()),
        )
        .await?;
        writeln!(
            out,
            "{}: каталог — {} программ, {} организаций, {} групп ({:.1} с)",
            tenant.slug(),
            filled.programs,
            filled.organizations,
            filled.groups,
            started.elapsed().as_secs_f64()
        )?;
    }
    Ok(())
}

async fn demo_accounts(
    db: &Db,
    settings: &Settings,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    demo::accounts::ensure(db, &registry.tenants(), out).await
}

/// `navigator user add`: the account is created, the set-password mail written to the
/// outbox and sent at once (a running server would send it within a second too).
async fn add_user(
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
        .add_staff(tenant.as_deref(), &sender, account)
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

/// `navigator token add`: prints a new token once; only its digest is stored.
async fn token_add(
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
    let mut tx = db.begin().await?;
    store::insert_api_token(
        &mut tx,
        tenant.id,
        &secrets::digest(&token),
        user.id,
        name,
        crate::time::Clock::system().now(),
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
            at: crate::time::Clock::system().now(),
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

/// `navigator billing run`: each active contract is debited once for the month.
async fn billing_run(
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

/// `navigator certificates report`: one line per municipality of the region.
async fn program_status(
    db: &Db,
    settings: &Settings,
    slug: &str,
    id: i64,
    status: ProgramStatus,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let tenant = region_by_slug(&registry, slug)?;
    if !catalog::store::set_status(db, tenant.id, id, status).await? {
        anyhow::bail!("--id: в каталоге региона «{slug}» нет программы {id}");
    }
    writeln!(out, "Программа {id}: статус «{}»", status.label())?;
    Ok(())
}

async fn certificates_report(
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

async fn list(db: &Db, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let tenants = regions::list_summaries(db).await?;
    if tenants.is_empty() {
        writeln!(
            out,
            "Регионов нет. Добавьте: navigator tenant apply tenants/regions/smolensk.toml"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<14} {:>3}  {:<28} {:>5}  {:>4}  {:<20}  название",
        "регион", "код", "хосты", "муниц", "рев", "изменён"
    )?;
    for t in tenants {
        writeln!(
            out,
            "{:<14} {:>3}  {:<28} {:>5}  {:>4}  {:<20}  {}",
            t.slug,
            t.code,
            t.hosts.join(","),
            t.municipalities,
            t.revision,
            t.updated_at.get(..19).unwrap_or(&t.updated_at),
            t.name
        )?;
    }
    Ok(())
}

async fn serve(settings: Settings, demo: bool, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
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

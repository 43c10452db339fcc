//! The `navigator` command line: `serve`, `migrate`, `tenant apply|list`, `user add`,
//! `token add`, `billing run`, `certificates report`, `program status`, `demo`.
//!
//! Storage flags are global and read from the environment too, so every subcommand that
//! touches the database takes them the same way.
//!
//! This file holds the flags and subcommands and hands each command to the file named for
//! it; what the commands share (settings, the database, `--region`) is in [`context`].

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tenants::Host;

use crate::accounts::service::StaffAccount;
use crate::accounts::values::Role;
use crate::cache::Cache;
use crate::catalog::model::ProgramStatus;
use crate::telemetry;

use context::connect;

mod billing;
mod certificates;
mod context;
mod demo;
mod migrate;
mod program;
mod serve;
mod tenant;
mod token;
mod user;

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
    /// Наибольшее время одной отправки письма, в секундах (от подключения до ответа сервера)
    #[arg(long, env = "NAVIGATOR_SMTP_TIMEOUT", default_value_t = 60, global = true,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    smtp_timeout: u64,
    /// Селектор ключа DKIM (запись {селектор}._domainkey.{домен} в DNS); вместе с --dkim-domain и --dkim-key-file
    #[arg(long, env = "NAVIGATOR_DKIM_SELECTOR", global = true)]
    dkim_selector: Option<String>,
    /// Домен подписи DKIM (d=), домен адресов отправителей или их родительский
    #[arg(long, env = "NAVIGATOR_DKIM_DOMAIN", global = true)]
    dkim_domain: Option<String>,
    /// Файл закрытого ключа DKIM в PEM (RSA или Ed25519); без него письма не подписываются
    #[arg(long, env = "NAVIGATOR_DKIM_KEY_FILE", global = true)]
    dkim_key_file: Option<PathBuf>,
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

/// What one request or one client may take of the server (`RequestLimits`).
#[derive(Args, Debug)]
struct LimitArgs {
    /// Наибольший размер тела запроса форм и JSON: 65536, 64KiB, 1MiB; больше — ответ 413
    #[arg(long, env = "NAVIGATOR_BODY_LIMIT", default_value = "64KiB", value_parser = crate::settings::parse_size)]
    body_limit: usize,
    /// Наибольший размер тела запроса там, где загружают файлы
    #[arg(long, env = "NAVIGATOR_UPLOAD_BODY_LIMIT", default_value = "10MiB", value_parser = crate::settings::parse_size)]
    upload_body_limit: usize,
    /// Сколько запросов входа, регистрации, смены пароля и поиска один адрес может выполнять
    /// одновременно (остальным — 429 с Retry-After); 0 — без ограничения
    #[arg(long, env = "NAVIGATOR_EXPENSIVE_PER_CLIENT", default_value_t = 8)]
    expensive_per_client: usize,
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
        /// Доверять X-Forwarded-Host/-Proto/-For (только за своим обратным прокси)
        #[arg(long, env = "NAVIGATOR_TRUST_PROXY")]
        trust_proxy: bool,
        /// Сколько ждать соединения с базой данных, мс; дольше — ответ 503
        #[arg(
            long,
            env = "NAVIGATOR_DATABASE_WAIT_MS",
            default_value_t = 1000,
            value_parser = clap::value_parser!(u64).range(50..=30_000)
        )]
        database_wait_ms: u64,
        #[command(flatten)]
        limits: LimitArgs,
        /// Шаблон адреса подложки карты, https://…/{z}/{x}/{y}.png (без него — демо: серверы
        /// OpenStreetMap, иначе карта без подложки)
        #[arg(long, env = "NAVIGATOR_MAP_TILES", requires = "map_attribution")]
        map_tiles: Option<String>,
        /// Подпись об авторских правах подложки карты
        #[arg(long, env = "NAVIGATOR_MAP_ATTRIBUTION", requires = "map_tiles")]
        map_attribution: Option<String>,
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
        /// Сколько заявок создать в каждом регионе вместе с семьями и детьми (по семье на
        /// десять заявок, по два ребёнка в семье) — объём для замеров статистики; заменяет
        /// прежние созданные так заявки
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5_000_000))]
        applications: Option<u32>,
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
    let settings = cli.settings()?;
    match cli.command {
        Command::Serve { demo, .. } => serve::run(settings, demo, out).await,
        Command::Migrate => migrate::run(&settings, out).await,
        Command::Tenant {
            command: TenantCommand::Apply { files },
        } => {
            let db = connect(&settings).await?;
            let cache = Cache::new(settings.redis_url.as_deref(), &settings.redis_prefix)?;
            tenant::apply_files(&db, &cache, &settings, &files, out).await
        }
        Command::Tenant {
            command: TenantCommand::List,
        } => {
            let db = connect(&settings).await?;
            tenant::list(&db, out).await
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
            user::add(settings, region.as_deref(), &account, out).await
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
            token::add(&db, &settings, &region, &email, &name, out).await
        }
        Command::Billing {
            command: BillingCommand::Run { region, month },
        } => billing::run(settings, &region, &month, out).await,
        Command::Certificates {
            command: CertificatesCommand::Report { region, period },
        } => {
            let db = connect(&settings).await?;
            certificates::report(&db, &settings, &region, period, out).await
        }
        Command::Program {
            command: ProgramCommand::Status { region, id, status },
        } => {
            let db = connect(&settings).await?;
            program::set_status(&db, &settings, &region, id, status, out).await
        }
        Command::Demo {
            regions_dir,
            programs,
            applications,
            region,
        } => {
            let size = demo::Size {
                programs,
                applications,
            };
            demo::run(&settings, &regions_dir, size, region.as_deref(), out).await
        }
    }
}

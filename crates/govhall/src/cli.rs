//! The command line: `serve`, `demo`, `migrate`, `user add`, `import items`,
//! `export items`. Each command opens the store, does its work through the
//! library crates and reports in plain words; long work shows progress.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use domain::access::{Actor, Permission, Role, authorize};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use web::{App, Clock, Config};

#[derive(Parser)]
#[command(
    name = "govhall",
    version,
    about = "政务服务中心一体化平台 — government service center platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the pages and the API.
    Serve(ServeArgs),
    /// Load the demo data if it is absent, print the demo accounts, then serve.
    Demo(DemoArgs),
    /// Apply database migrations and exit.
    Migrate(StoreArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import from Excel.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export to Excel.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Check the tamper-evident case trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain of every case event and every case's state
    /// from its events; report the first broken link and exit non-zero.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Args, Clone)]
struct StoreArgs {
    /// `sqlite://path` or `postgres://user:pass@host/db`; default: SQLite in the data directory.
    #[arg(long, env = "GOVHALL_DATABASE_URL")]
    database_url: Option<String>,
    /// Where the SQLite database and uploaded files live.
    #[arg(long, env = "GOVHALL_DATA_DIR", default_value = "govhall-data")]
    data_dir: PathBuf,
}

impl StoreArgs {
    fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                std::fs::create_dir_all(&self.data_dir)
                    .with_context(|| format!("creating {}", self.data_dir.display()))?;
                Ok(format!(
                    "sqlite://{}",
                    self.data_dir.join("govhall.db").display()
                ))
            }
        }
    }

    async fn open(&self) -> anyhow::Result<store::Store> {
        web::open_store(&self.database_url()?).await
    }
}

#[derive(Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "GOVHALL_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Start the server clock at this instant (RFC 3339, e.g. 2026-09-30T09:00:00+08:00);
    /// it then advances normally. For training, demos and acceptance checks.
    #[arg(long, value_parser = parse_instant)]
    now: Option<DateTime<Utc>>,
    /// Mark cookies Secure (when served behind HTTPS).
    #[arg(long, env = "GOVHALL_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Minutes between runs of the supervision worker (电子监察), which also
    /// runs at start; 0 turns it off.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=60))]
    supervise_minutes: u64,
}

#[derive(Args, Clone)]
struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// Also write this many days of history before now when the demo data is
    /// first loaded: cases accepted and concluded (some late, some still
    /// running), ratings, complaints and the supervision worker's records,
    /// so the desks, figures, scores and the big screen have data.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=366))]
    history_days: u32,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// applicant, clerk, approver, chief_rep, admin, supervisor or leader.
        #[arg(long)]
        role: String,
        /// Department (full name, short name or id); required for clerk, approver, chief_rep.
        #[arg(long)]
        department: Option<String>,
        #[arg(long, default_value = "")]
        display_name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a department return (事项报送表) as draft items; nothing is written if any row is wrong.
    Items {
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Export the catalogue to an Excel file.
    Items {
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.to_utc())
        .map_err(|e| {
            format!("expected an RFC 3339 instant such as 2026-09-30T09:00:00+08:00 ({e})")
        })
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("GOVHALL_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => serve(args, None).await,
        Command::Demo(args) => serve(args.serve, Some(args.history_days)).await,
        Command::Migrate(args) => {
            args.open().await?;
            println!("数据库已是最新版本 (migrations applied)");
            Ok(())
        }
        Command::User(UserCommand::Add {
            username,
            role,
            department,
            display_name,
            store,
        }) => {
            add_user(
                &store,
                &username,
                &role,
                department.as_deref(),
                &display_name,
            )
            .await
        }
        Command::Import(ImportCommand::Items { file, store }) => import_items(&store, &file).await,
        Command::Export(ExportCommand::Items { file, store }) => export_items(&store, &file).await,
        Command::Audit(AuditCommand::Verify { store }) => verify_audit(&store).await,
    }
}

fn clock(now: Option<DateTime<Utc>>) -> Clock {
    match now {
        Some(t) => Clock::starting_at(t),
        None => Clock::system(),
    }
}

async fn serve(args: ServeArgs, demo_history: Option<u32>) -> anyhow::Result<()> {
    let clock = clock(args.now);
    if let Some(t) = args.now {
        tracing::warn!(start = %t.with_timezone(&web::clock::shanghai()).to_rfc3339(), "server clock set by --now; it advances from there");
    }
    let database_url = args.store.database_url()?;
    let store = web::open_store(&database_url).await?;
    if let Some(days) = demo_history {
        load_demo(&store, clock.now(), days).await?;
    }
    let app = App::with_store(
        Config {
            addr: args.addr,
            database_url: database_url.clone(),
            data_dir: args.store.data_dir.clone(),
            clock,
            secure_cookies: args.secure_cookies,
            supervise_every: (args.supervise_minutes > 0)
                .then(|| std::time::Duration::from_secs(60 * args.supervise_minutes)),
        },
        store,
    )
    .await?;
    let addr = app.local_addr();
    tracing::info!(%addr, database = %web::redact_url(&database_url), "govhall is serving");
    println!("govhall 已启动: http://{addr}/  (API 文档: http://{addr}/api/docs)");
    app.run_until(shutdown_signal()).await
}

async fn load_demo(
    store: &store::Store,
    now: DateTime<Utc>,
    history_days: u32,
) -> anyhow::Result<()> {
    let bar = progress_bar();
    let hash = |p: &str| web::auth::hash_password(p);
    let report = |done: u64, total: u64, what: &str| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(what.to_string());
    };
    let outcome = demo::load(store, now, &hash, &report).await?;
    bar.finish_and_clear();
    match outcome {
        demo::Outcome::Loaded { departments, items } => {
            println!("已载入演示数据：{departments}个部门，{items}个事项");
            if history_days > 0 {
                let bar = progress_bar();
                let report = |done: u64, total: u64, what: &str| {
                    bar.set_length(total);
                    bar.set_position(done);
                    bar.set_message(what.to_string());
                };
                let h = demo::load_history(store, now, history_days, &report).await?;
                bar.finish_and_clear();
                println!(
                    "已生成最近{history_days}天的历史数据：{}件办件，{}条评价，{}件投诉",
                    h.cases, h.ratings, h.complaints
                );
            }
        }
        demo::Outcome::AlreadyPresent => println!("演示数据已存在，未重复载入"),
    }
    println!("演示账号（密码均为 {}）：", demo::DEMO_PASSWORD);
    for a in demo::ACCOUNTS {
        let dept = a.department.map(|d| format!("，{d}")).unwrap_or_default();
        println!(
            "  {:<11} {}（{}{}）",
            a.username,
            a.display_name,
            a.role.label(),
            dept
        );
    }
    Ok(())
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:4} [{bar:40}] {pos}/{len} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// The command line acts as the system administrator.
fn system_actor() -> Actor {
    Actor {
        user_id: 0,
        username: "system".into(),
        role: Role::Admin,
        department_id: None,
    }
}

async fn add_user(
    args: &StoreArgs,
    username: &str,
    role: &str,
    department: Option<&str>,
    display_name: &str,
) -> anyhow::Result<()> {
    let store = args.open().await?;
    let department_id = match department {
        None => None,
        Some(d) => {
            let found = match d.parse::<i64>() {
                Ok(id) => store.department(id).await?,
                Err(_) => store.department_by_name(d).await?,
            };
            Some(
                found
                    .with_context(|| format!("no department named {d}"))?
                    .id,
            )
        }
    };
    let password = read_password()?;
    let request = web::api_types::NewUserRequest {
        username: username.into(),
        display_name: display_name.into(),
        password: password.clone(),
        role: role.into(),
        department_id,
    };
    let (username, role) =
        web::api_types::parse_new_user(&request).map_err(|e| anyhow::anyhow!(e.body().message))?;
    let user = store
        .create_user(
            &store::NewUser {
                username,
                display_name: display_name.trim().into(),
                password_hash: web::auth::hash_password(&password)?,
                role,
                department_id: if role.needs_department() {
                    department_id
                } else {
                    None
                },
            },
            Utc::now(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict { message, .. } => anyhow::anyhow!(message),
            e => e.into(),
        })?;
    println!("已创建用户 {}（{}）", user.username, user.role.label());
    Ok(())
}

/// One line from standard input; prompts when a person is typing.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("密码（至少8位，输入后回车）: ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!(
            "no password on standard input (pipe it in: echo 'secret-pass' | govhall user add …)"
        );
    }
    Ok(password)
}

async fn import_items(args: &StoreArgs, file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let store = args.open().await?;
    let state = web::cli_state(store, Clock::system()).await?;
    let grant = authorize(&system_actor(), Permission::ImportExport)?;
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(format!("导入 {}", file.display()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = web::catalogue::import_return(&state, &grant, &bytes, Utc::now()).await;
    spinner.finish_and_clear();
    match result {
        Ok(ids) => {
            println!("导入成功：新增{}个草稿事项", ids.len());
            Ok(())
        }
        Err(web::error::AppError::InvalidRows { message, rows }) => {
            eprintln!("{message}");
            for r in rows {
                eprintln!("  第{}行 [{}] {}", r.row, r.field, r.message);
            }
            bail!("nothing was imported")
        }
        Err(e) => bail!("{}", e.body().message),
    }
}

async fn export_items(args: &StoreArgs, file: &Path) -> anyhow::Result<()> {
    let store = args.open().await?;
    let state = web::cli_state(store, Clock::system()).await?;
    let grant = authorize(&system_actor(), Permission::ReadCatalogue)?;
    let bytes = web::catalogue::export_catalogue(&state, &grant)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
    std::fs::write(file, bytes).with_context(|| format!("writing {}", file.display()))?;
    println!("已导出事项目录到 {}", file.display());
    Ok(())
}

async fn verify_audit(args: &StoreArgs) -> anyhow::Result<()> {
    let store = args.open().await?;
    let bar = progress_bar();
    bar.set_message("校验");
    let report = store
        .verify_audit(|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    match report.broken {
        None => {
            println!(
                "审计链完整：{} 条办件过程记录，{} 个办件的状态均与其过程一致 (audit trail intact)",
                report.events, report.cases
            );
            Ok(())
        }
        Some(b) => {
            println!("审计链断裂 (audit trail BROKEN)");
            println!("  办件编号 case:  {}", b.case_no);
            println!("  过程序号 seq:   {}", b.seq);
            println!("  记录编号 event: {}", b.event_id);
            println!("  原因 reason:    {}", b.reason);
            bail!("the audit trail is broken at event {}", b.event_id)
        }
    }
}

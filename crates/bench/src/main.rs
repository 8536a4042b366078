//! `govhall-bench`: the case benchmark of the project.
//!
//! It starts the real `govhall demo` server as a separate process on a fresh
//! SQLite file (or a fresh PostgreSQL database), signs in as the demo clerk
//! and, for each concurrency level, lets N clients loop over "submit a window
//! application, then accept it" for a fixed time. Per level it reports
//! accepted cases per second, the latency of one accepted case (both
//! requests), errors, the server's memory and where the CPU time went.
//!
//! `main` only parses the arguments and starts the runtime; [`run`] does the
//! work, and the modules below each own one part of it.

mod cli;
mod load;
mod postgres;
mod procfs;
mod report;
mod server;
mod workload;

use anyhow::Context;
use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

fn main() -> ExitCode {
    let args = cli::Args::parse();
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
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Sets up the database and the server, runs every level, reports, and
/// cleans up whatever happened in between.
async fn run(args: cli::Args) -> anyhow::Result<()> {
    let server_bin = server::resolve_binary(args.server_bin.as_deref())?;
    let database = match &args.database_url {
        Some(url) => {
            let db = postgres::FreshDatabase::create(url).await?;
            eprintln!("created database {}", db.name());
            Some(db)
        }
        None => None,
    };
    let outcome = bench(&args, &server_bin, database.as_ref()).await;
    if let Some(db) = database {
        let name = db.name().to_string();
        match db.drop_database().await {
            Ok(()) => eprintln!("dropped database {name}"),
            Err(e) => eprintln!("warning: could not drop database {name}: {e:#}"),
        }
    }
    outcome
}

async fn bench(
    args: &cli::Args,
    server_bin: &std::path::Path,
    database: Option<&postgres::FreshDatabase>,
) -> anyhow::Result<()> {
    let data_dir = match &args.tmp_dir {
        Some(parent) => tempfile::Builder::new()
            .prefix("govhall-bench.")
            .tempdir_in(parent),
        None => tempfile::Builder::new().prefix("govhall-bench.").tempdir(),
    }
    .context("creating the server's data directory")?;

    // Other work on the machine skews every figure: measure it before starting.
    let background_busy = procfs::busy_share(std::time::Duration::from_secs(1)).await;
    if let Some(share) = background_busy.filter(|s| *s > 10.0) {
        eprintln!(
            "warning: the machine was {share:.0}% busy before the run; the figures will be low"
        );
    }

    let mut server = server::Server::start(&server::ServerConfig {
        binary: server_bin.to_path_buf(),
        data_dir: data_dir.path().to_path_buf(),
        database_url: database.map(|d| d.url().to_string()),
        now: args.now.clone(),
    })?;
    eprintln!(
        "started {} (pid {}) on {}; loading the demo data…",
        server_bin.display(),
        server.pid(),
        server.base_url()
    );
    let health = server.wait_ready(args.startup_timeout).await?;
    eprintln!("server ready: backend {}", health.database);

    let workload = Arc::new(
        workload::Workload::prepare(
            server.base_url(),
            &args.username,
            &args.password,
            args.department_id,
            args.item_id,
        )
        .await?,
    );
    eprintln!(
        "item {} “{}” (department {}), {} required material(s) on paper",
        workload.item.id,
        workload.item.name,
        workload.item.department_id,
        workload.item.required_materials.len()
    );
    let sequence = Arc::new(AtomicU64::new(0));
    workload
        .trial(&sequence)
        .await
        .context("the trial case (submit + accept) failed before any load")?;

    let disk = procfs::Disk::of_path(data_dir.path());
    let mut results = Vec::new();
    for &clients in &args.clients {
        procfs::reset_peak_memory(server.pid());
        let result = load::run_level(
            workload.clone(),
            &load::LevelConfig {
                clients: clients as usize,
                warmup: args.warmup,
                duration: args.duration,
                server_pid: server.pid(),
                disk: disk.clone(),
            },
            sequence.clone(),
        )
        .await?;
        server.check_alive()?;
        eprintln!("{}", report::level_line(&result));
        if let Some(e) = &result.first_error {
            eprintln!("  first error: {e}");
        }
        if result.accepted == 0 {
            anyhow::bail!(
                "no case was accepted with {clients} client(s); first error: {}",
                result.first_error.as_deref().unwrap_or("none")
            );
        }
        results.push(result);
    }

    let backend_settings = match database {
        Some(db) => db.settings().await.unwrap_or_else(|e| {
            eprintln!("warning: could not read the PostgreSQL settings: {e:#}");
            Vec::new()
        }),
        None => Vec::new(),
    };
    let info = report::RunInfo::gather(report::RunInputs {
        backend: health.database.clone(),
        backend_settings,
        server_bin: server_bin.to_path_buf(),
        data_dir: data_dir.path().to_path_buf(),
        disk: disk.as_ref().map(|d| d.name().to_string()),
        item: format!("{} “{}”", workload.item.id, workload.item.name),
        warmup: args.warmup,
        duration: args.duration,
        note: args.note.clone(),
        background_busy,
    });
    server.stop();

    let section = report::section(&info, &results);
    println!("{section}");
    if let Some(path) = &args.markdown {
        report::append(path, &section)?;
        eprintln!("appended to {}", path.display());
    }
    Ok(())
}

//! `govhall-bench-supervision`: electronic supervision and dashboards at the
//! size of a province.
//!
//! Builds a fresh database (SQLite in a temporary directory, or a fresh
//! PostgreSQL database), loads the demo center, writes N synthetic cases with
//! set-based SQL (most concluded over the past years, a share still running,
//! ratings on half the concluded), then measures, in process against the
//! store:
//!
//! 1. the full warning rebuild (`Store::rewatch`: thresholds of every running
//!    case from the calendar and the settings);
//! 2. the refresh after the clock moves one working day (the worker's
//!    `run_supervision`, which records the warnings that began);
//! 3. the latency of the warning list (first page of 50, by level and
//!    department) and of the dashboard aggregates (warning counts per
//!    department, the month's ratings per department), p50/p99 over many calls.

// Shared with `govhall-bench`, which uses all of it.
#[allow(dead_code)]
#[path = "postgres.rs"]
mod postgres;

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::Parser;
use domain::access::{Actor, Permission, Role, authorize};
use domain::stats::StatsGroup;
use domain::supervision::WarningLevel;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use store::{SyntheticPlan, WarningQuery};

#[derive(Debug, Parser)]
#[command(name = "govhall-bench-supervision", version)]
struct Args {
    /// A PostgreSQL URL allowed to create databases; a fresh one is made and
    /// dropped. Default: SQLite in a temporary directory.
    #[arg(long)]
    database_url: Option<String>,
    /// How many cases to generate.
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// Cases still running, in thousandths.
    #[arg(long, default_value_t = 20)]
    running_permille: u64,
    /// Cases are spread over this many days before today.
    #[arg(long, default_value_t = 1825)]
    days: u64,
    /// The day the data is generated for (a working day).
    #[arg(long, default_value = "2026-11-27")]
    today: NaiveDate,
    /// Calls per measured query.
    #[arg(long, default_value_t = 300)]
    samples: usize,
    /// Rows per generating statement.
    #[arg(long, default_value_t = 100_000)]
    batch: u64,
    /// Where the temporary SQLite directory is made.
    #[arg(long)]
    tmp_dir: Option<PathBuf>,
    /// Append the results as a Markdown section to this file.
    #[arg(long)]
    markdown: Option<PathBuf>,
    #[arg(long)]
    note: Option<String>,
    /// Keep the SQLite database in this file, and when it exists already,
    /// measure it again instead of generating (its thresholds and warning
    /// history are cleared first, so the rebuild measures the same work).
    #[arg(long)]
    keep: Option<PathBuf>,
    /// With --database-url: use that database itself instead of a fresh one,
    /// and keep it: generate into it when it holds no synthetic cases yet,
    /// measure it again (as --keep does) when it does.
    #[arg(long)]
    reuse_database: bool,
}

struct Timing {
    name: &'static str,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn timing(name: &'static str, mut samples: Vec<Duration>) -> Timing {
    samples.sort_unstable();
    let at = |p: f64| {
        let i = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i]
    };
    Timing {
        name,
        p50: at(0.50),
        p99: at(0.99),
        max: *samples.last().unwrap_or(&Duration::ZERO),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let tmp = match &args.tmp_dir {
        Some(d) => tempfile::tempdir_in(d)?,
        None => tempfile::tempdir()?,
    };
    let fresh = match &args.database_url {
        Some(url) if !args.reuse_database => Some(postgres::FreshDatabase::create(url).await?),
        _ => None,
    };
    let url = match (&fresh, &args.database_url, &args.keep) {
        (Some(db), _, _) => db.url().to_string(),
        (None, Some(url), _) => url.clone(),
        (None, None, Some(file)) => format!("sqlite://{}", file.display()),
        (None, None, None) => format!("sqlite://{}/bench.db", tmp.path().display()),
    };
    let reuse = match &args.database_url {
        Some(_) if args.reuse_database => {
            web::open_store(&url).await?.synthetic_case_count().await? > 0
        }
        Some(_) => false,
        None => args.keep.as_ref().is_some_and(|f| f.exists()),
    };
    let outcome = bench(&args, &url, tmp.path(), reuse).await;
    if let Some(db) = fresh {
        db.drop_database().await.ok();
    }
    outcome
}

async fn bench(args: &Args, url: &str, dir: &std::path::Path, reuse: bool) -> anyhow::Result<()> {
    let backend = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let store = web::open_store(url).await?;
    let now: DateTime<Utc> = args.today.and_hms_opt(2, 0, 0).context("a time")?.and_utc();
    if reuse {
        eprintln!("{backend}: measuring the kept database again");
        store.clear_synthetic_warnings().await?;
    } else {
        demo::load(&store, now, &|p| web::auth::hash_password(p), &|_, _, _| {}).await?;
    }
    let center = store.home_center().await?.context("the demo center")?;
    let mut generated = None;
    if !reuse {
        let bar = ProgressBar::new(args.cases);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                .expect("a template")
                .progress_chars("=> "),
        );
        bar.set_message(format!("{backend}: generating cases"));
        let started = Instant::now();
        store
            .generate_synthetic_cases(
                center.id,
                SyntheticPlan {
                    cases: args.cases,
                    running_permille: args.running_permille,
                    days: args.days,
                    today: args.today,
                    batch: args.batch,
                },
                &|n| bar.set_position(n),
            )
            .await?;
        bar.finish_and_clear();
        let took = started.elapsed();
        eprintln!(
            "{backend}: {} cases in {:.1}s",
            args.cases,
            took.as_secs_f64()
        );
        generated = Some(took);
    }

    // 1. The full rebuild of every running case's thresholds.
    let started = Instant::now();
    let rebuilt = store.rewatch(None).await?;
    let rebuild = started.elapsed();
    eprintln!(
        "rebuild: {rebuilt} running cases in {:.2}s",
        rebuild.as_secs_f64()
    );

    // 2. The worker today, then after the clock moves one working day.
    store.run_supervision(args.today, now).await?;
    let calendar = store.calendar(center.id).await?;
    let next = calendar
        .add_working_days(args.today, 1)
        .context("the next working day")?;
    let started = Instant::now();
    let run = store
        .run_supervision(
            next,
            now + chrono::Duration::days((next - args.today).num_days()),
        )
        .await?;
    let refresh = started.elapsed();
    eprintln!(
        "refresh after one working day: {} warnings recorded in {:.3}s",
        run.warnings_recorded,
        refresh.as_secs_f64()
    );

    // 3. Latencies, as the desk and the big screen call them on `next`.
    let supervisor = store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.role == Role::Supervisor)
        .context("the demo supervisor")?;
    let actor: Actor = supervisor.actor();
    let view = authorize(&actor, Permission::ViewSupervision)?;
    let departments: Vec<i64> = store
        .list_departments()
        .await?
        .iter()
        .map(|d| d.id)
        .take(4)
        .collect();
    let mut list = Vec::with_capacity(args.samples);
    let mut total_warnings = 0;
    for i in 0..args.samples {
        let query = WarningQuery {
            today: next,
            level: [None, Some(WarningLevel::Red), Some(WarningLevel::Yellow)][i % 3],
            department_id: if i % 2 == 0 {
                None
            } else {
                Some(departments[i % departments.len()])
            },
            offset: 0,
            limit: 50,
        };
        let t = Instant::now();
        let (_, total) = store.warnings(&view, &query).await?;
        list.push(t.elapsed());
        if t.elapsed() > Duration::from_millis(50) {
            eprintln!("slow list {i}: {:?} {query:?}", t.elapsed());
        }
        if i == 0 {
            total_warnings = total;
        }
    }
    let mut counts = Vec::with_capacity(args.samples);
    for _ in 0..args.samples {
        let t = Instant::now();
        store.warning_counts(&view, next).await?;
        counts.push(t.elapsed());
    }
    let month = next.with_day(1).unwrap_or(next);
    // The published figures (好评率, 差评整改率, 未评价率 of the public page)
    // need each case of the month; the big screen's month of ratings sums
    // settled days (kept after the first call) and reads today.
    // (Each call reads every case of the month: fewer calls, as for the big screen.)
    let mut published = Vec::new();
    for _ in 0..(args.samples / 10).max(20) {
        let t = Instant::now();
        store.department_ratings(center.id, month, next).await?;
        published.push(t.elapsed());
    }
    let mut ratings = Vec::with_capacity(args.samples);
    for _ in 0..args.samples {
        let t = Instant::now();
        store.given_ratings(center.id, month, next, next).await?;
        ratings.push(t.elapsed());
    }
    // The big screen's figures, as `api::dashboard` asks for them: today's
    // cases, cases in progress, the month by department (on-time rate and
    // working days used), the 30-day trend, the month's ratings and the
    // warning counts — each alone, and the whole screen.
    let leader = store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.role == Role::Leader)
        .context("the demo leader")?;
    let reports = authorize(&leader.actor(), Permission::ViewReports)?;
    // The month by department and the 30-day trend come from per-day figures;
    // the settled days are computed on the first call and kept.
    let from = (next - chrono::Duration::days(29)).min(month);
    let t = Instant::now();
    store
        .daily_figures(&reports, center.id, from, next, next)
        .await?;
    let cold = t.elapsed();
    let heavy = (args.samples / 10).max(20);
    let (mut today_stats, mut progress, mut days, mut screen) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..heavy {
        let whole = Instant::now();
        let t = Instant::now();
        store
            .case_stats(&reports, center.id, next, next, StatsGroup::Month)
            .await?;
        today_stats.push(t.elapsed());
        let t = Instant::now();
        store.cases_in_progress(&reports, center.id).await?;
        progress.push(t.elapsed());
        let t = Instant::now();
        store
            .daily_figures(&reports, center.id, from, next, next)
            .await?;
        days.push(t.elapsed());
        store.given_ratings(center.id, month, next, next).await?;
        store.warning_counts(&view, next).await?;
        screen.push(whole.elapsed());
    }
    eprintln!(
        "big screen, first call of the month and trend: {} ms",
        ms(cold)
    );
    let timings = [
        timing("warning list (first page of 50)", list),
        timing("warning counts per department", counts),
        timing("the month's ratings per department (big screen)", ratings),
        timing(
            "published rating figures per department (public page)",
            published,
        ),
        timing("today's cases", today_stats),
        timing("cases in progress", progress),
        timing("the month by department and the 30-day trend", days),
        timing("the whole big screen (all of the above once)", screen),
    ];

    let size = if backend == "SQLite" {
        let mut bytes = 0;
        match &args.keep {
            // The kept file and its -wal and -shm.
            Some(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = file.clone().into_os_string();
                    name.push(suffix);
                    bytes += std::fs::metadata(&name).map(|m| m.len()).unwrap_or(0);
                }
            }
            None => {
                for entry in std::fs::read_dir(dir)? {
                    bytes += entry?.metadata()?.len();
                }
            }
        }
        format!("{:.0} MiB", bytes as f64 / 1_048_576.0)
    } else {
        "—".into()
    };
    let mut out = String::new();
    out.push_str(&format!(
        "\n#### {backend}, {} cases ({} running), {}\n\n",
        args.cases,
        rebuilt,
        chrono::Utc::now().format("%Y-%m-%d")
    ));
    if let Some(n) = &args.note {
        out.push_str(&format!("{n}\n\n"));
    }
    let made = match generated {
        Some(d) => format!("Generated in {:.1} s", d.as_secs_f64()),
        None => "Generated earlier (`--keep`)".to_string(),
    };
    out.push_str(&format!(
        "{made}; database {size}. Warnings on {next}: {total_warnings}.\n\n"
    ));
    out.push_str("| measure | result |\n|--|--:|\n");
    out.push_str(&format!(
        "| full warning rebuild ({rebuilt} running cases) | {:.2} s |\n",
        rebuild.as_secs_f64()
    ));
    out.push_str(&format!(
        "| refresh after the clock moves one working day ({} warnings recorded) | {} ms |\n",
        run.warnings_recorded,
        ms(refresh)
    ));
    out.push_str(&format!(
        "| the big screen's month and 30-day trend, first call (settled days computed and kept) | {} ms |\n",
        ms(cold)
    ));
    out.push_str("\n| query | p50 ms | p99 ms | max ms |\n|--|--:|--:|--:|\n");
    for t in &timings {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            t.name,
            ms(t.p50),
            ms(t.p99),
            ms(t.max)
        ));
    }
    print!("{out}");
    if let Some(path) = &args.markdown {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        f.write_all(out.as_bytes())?;
    }
    Ok(())
}

//! The results as Markdown: a context list (machine, backend, build, load)
//! and two tables, one for throughput, latency and memory, one for where the
//! CPU and the disk went.

use crate::load::LevelResult;
use crate::procfs;
use crate::server;
use anyhow::Context;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the caller knows about the run.
pub struct RunInputs {
    pub backend: String,
    /// `SHOW` results of the PostgreSQL server; empty for SQLite.
    pub backend_settings: Vec<(String, String)>,
    pub server_bin: PathBuf,
    pub data_dir: PathBuf,
    pub disk: Option<String>,
    pub item: String,
    pub warmup: Duration,
    pub duration: Duration,
    pub note: Option<String>,
    /// How busy the CPUs were in the second before the server started.
    pub background_busy: Option<f64>,
}

/// The context of a run, as printed above its tables.
pub struct RunInfo {
    date: String,
    machine: String,
    backend: String,
    server: String,
    load: String,
    note: Option<String>,
}

impl RunInfo {
    pub fn gather(i: RunInputs) -> RunInfo {
        let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
        let memory = mem_total_gib().map_or(String::new(), |g| format!(", {g:.0} GiB RAM"));
        let background = i
            .background_busy
            .map_or(String::new(), |b| format!("; {b:.0}% busy before the run"));
        let machine = format!(
            "{nproc} CPUs (nproc), {}{memory}{background}",
            procfs::cpu_model().unwrap_or_else(|| "unknown CPU".into())
        );
        let disk = procfs::filesystem_of(&i.data_dir).unwrap_or_else(|| "an unknown disk".into());
        let backend = if i.backend_settings.is_empty() {
            format!("{} (server's data directory on {disk})", i.backend)
        } else {
            let settings: Vec<String> = i
                .backend_settings
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("{} ({})", i.backend, settings.join(", "))
        };
        let version = command_line(&i.server_bin, &["--version"]).unwrap_or_default();
        let source = command_line(Path::new("git"), &["describe", "--always", "--dirty"])
            .map_or(String::new(), |s| format!(", source {s}"));
        let server = format!(
            "`{}` ({} build{}{source})",
            i.server_bin.display(),
            server::build_profile(&i.server_bin),
            if version.is_empty() {
                String::new()
            } else {
                format!(", {version}")
            }
        );
        let load = format!(
            "{} warmup + {} measured per level, one server for all levels in order; \
             each case = POST /api/v1/cases (window, materials on paper) + \
             POST /api/v1/cases/{{no}}/accept as the demo clerk; item {}{}",
            seconds(i.warmup),
            seconds(i.duration),
            i.item,
            i.disk
                .map(|d| format!("; disk counters of {d}"))
                .unwrap_or_default(),
        );
        RunInfo {
            date: chrono::Local::now()
                .format("%Y-%m-%d %H:%M %:z")
                .to_string(),
            machine,
            backend,
            server,
            load,
            note: i.note,
        }
    }
}

/// One line per level for the terminal, as soon as the level ends.
pub fn level_line(r: &LevelResult) -> String {
    format!(
        "{:>3} client(s): {:>8.1} accepted cases/s, p50 {} ms, p99 {} ms, {} error(s)",
        r.clients,
        r.per_second(),
        ms(r.percentile(50.0)),
        ms(r.percentile(99.0)),
        r.errors
    )
}

/// The Markdown section of a run.
pub fn section(info: &RunInfo, results: &[LevelResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### {} — {}\n", info.date, info.backend);
    let _ = writeln!(s, "- Machine: {}", info.machine);
    let _ = writeln!(s, "- Backend: {}", info.backend);
    let _ = writeln!(s, "- Server: {}", info.server);
    let _ = writeln!(s, "- Load: {}", info.load);
    if let Some(note) = &info.note {
        let _ = writeln!(s, "- Note: {note}");
    }
    s.push('\n');
    s.push_str(&latency_table(results));
    s.push('\n');
    s.push_str(&cpu_table(results));
    s
}

/// Appends `section` to the file, creating it if needed.
pub fn append(path: &Path, section: &str) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    writeln!(f, "\n{section}").with_context(|| format!("writing {}", path.display()))
}

fn latency_table(results: &[LevelResult]) -> String {
    let mut s = String::from(
        "| clients | accepted cases/s | p50 ms | p90 ms | p99 ms | max ms | errors | server peak RSS MiB | server RSS at end MiB |\n\
         |--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for r in results {
        let _ = writeln!(
            s,
            "| {} | {:.0} | {} | {} | {} | {} | {} | {} | {} |",
            r.clients,
            r.per_second(),
            ms(r.percentile(50.0)),
            ms(r.percentile(90.0)),
            ms(r.percentile(99.0)),
            ms(r.latencies.last().copied()),
            r.errors,
            mib(r.server_memory.map(|m| m.peak_kib)),
            mib(r.server_memory.map(|m| m.rss_kib)),
        );
    }
    s
}

fn cpu_table(results: &[LevelResult]) -> String {
    let mut s = String::from(
        "| clients | server CPU ms/case | load generator CPU ms/case | other CPU ms/case | machine CPU busy % | idle % | iowait % | disk writes/case | disk flushes/case |\n\
         |--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for r in results {
        let share = |part: fn(&procfs::MachineCpu) -> Duration| -> String {
            r.machine
                .filter(|m| !m.total().is_zero())
                .map_or("–".into(), |m| {
                    format!(
                        "{:.0}",
                        part(&m).as_secs_f64() * 100.0 / m.total().as_secs_f64()
                    )
                })
        };
        let per_case = |v: Option<u64>| -> String {
            v.filter(|_| r.accepted > 0).map_or("–".into(), |v| {
                format!("{:.2}", v as f64 / r.accepted as f64)
            })
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.clients,
            fixed(r.per_case_ms(r.server_cpu)),
            fixed(r.per_case_ms(r.bench_cpu)),
            fixed(r.per_case_ms(r.other_cpu())),
            share(|m| m.busy),
            share(|m| m.idle),
            share(|m| m.iowait),
            per_case(r.disk.map(|d| d.writes)),
            per_case(r.disk.map(|d| d.flushes)),
        );
    }
    s
}

fn ms(d: Option<Duration>) -> String {
    d.map_or("–".into(), |d| format!("{:.1}", d.as_secs_f64() * 1000.0))
}

fn fixed(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.2}"))
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("–".into(), |k| format!("{:.0}", k as f64 / 1024.0))
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

fn mem_total_gib() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: f64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0 / 1024.0)
}

/// The first line a command prints, if it runs and succeeds.
fn command_line(program: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

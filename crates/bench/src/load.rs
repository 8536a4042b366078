//! One concurrency level: N clients loop over submit + accept for the warmup
//! and then the measured window; the server's CPU, the machine's CPU and the
//! disk are sampled at the window's edges.

use crate::procfs::{self, Disk, DiskCounters, MachineCpu, Memory};
use crate::workload::{self, CaseFailure, Workload};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct LevelConfig {
    pub clients: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub server_pid: u32,
    pub disk: Option<Disk>,
}

/// What one level measured. CPU and disk figures cover the measured window
/// only; `None` where `/proc` could not tell.
#[derive(Debug, Clone)]
pub struct LevelResult {
    pub clients: usize,
    /// Cases accepted (both answers received) inside the window.
    pub accepted: u64,
    /// Failed cases that ended inside the window.
    pub errors: u64,
    pub first_error: Option<String>,
    /// The window's real length.
    pub window: Duration,
    /// Latency of each accepted case, submit + accept, sorted.
    pub latencies: Vec<Duration>,
    pub server_cpu: Option<Duration>,
    pub bench_cpu: Option<Duration>,
    pub machine: Option<MachineCpu>,
    pub disk: Option<DiskCounters>,
    /// At the end of the level; the peak covers the whole level (warmup included).
    pub server_memory: Option<Memory>,
}

impl LevelResult {
    pub fn per_second(&self) -> f64 {
        self.accepted as f64 / self.window.as_secs_f64()
    }

    /// Nearest-rank percentile of the case latencies.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        percentile(&self.latencies, p)
    }

    /// A CPU time spread over the accepted cases, in milliseconds per case.
    pub fn per_case_ms(&self, cpu: Option<Duration>) -> Option<f64> {
        let cpu = cpu?;
        (self.accepted > 0).then(|| cpu.as_secs_f64() * 1000.0 / self.accepted as f64)
    }

    /// CPU time used by everything but the server and the load generator
    /// (the PostgreSQL server, the kernel's other work).
    pub fn other_cpu(&self) -> Option<Duration> {
        Some(
            self.machine?
                .busy
                .saturating_sub(self.server_cpu?)
                .saturating_sub(self.bench_cpu?),
        )
    }
}

/// Runs one level to its end and gathers its figures.
pub async fn run_level(
    workload: Arc<Workload>,
    config: &LevelConfig,
    sequence: Arc<AtomicU64>,
) -> anyhow::Result<LevelResult> {
    let start = Instant::now();
    let window_start = start + config.warmup;
    let window_end = window_start + config.duration;
    let shared = Arc::new(Shared::default());

    let progress = progress_bar(config);
    let ticker = {
        let shared = shared.clone();
        let warmup = config.warmup;
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let elapsed = start.elapsed();
                progress.set_position(elapsed.as_millis() as u64);
                progress.set_message(format!(
                    "{} {} accepted, {} errors",
                    if elapsed < warmup {
                        "warming up;"
                    } else {
                        "measuring;"
                    },
                    shared.accepted.load(Ordering::Relaxed),
                    shared.errors.load(Ordering::Relaxed)
                ));
            }
        })
    };

    let sampler = {
        let pid = config.server_pid;
        let disk = config.disk.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(window_start.into()).await;
            let before = Sample::take(pid, disk.as_ref());
            tokio::time::sleep_until(window_end.into()).await;
            let after = Sample::take(pid, disk.as_ref());
            (before, after)
        })
    };

    let mut clients = Vec::with_capacity(config.clients);
    for _ in 0..config.clients {
        let client = workload::http_client()?;
        let workload = workload.clone();
        let shared = shared.clone();
        let sequence = sequence.clone();
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let began = Instant::now();
                if began >= window_end {
                    break;
                }
                let n = sequence.fetch_add(1, Ordering::Relaxed);
                let outcome = workload.one_case(&client, n).await;
                let ended = Instant::now();
                let counted = ended >= window_start && ended <= window_end;
                match outcome {
                    Ok(()) if counted => {
                        latencies.push(ended - began);
                        shared.accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(()) => {}
                    Err(CaseFailure(why)) => {
                        if counted {
                            shared.errors.fetch_add(1, Ordering::Relaxed);
                        }
                        shared.note_error(why);
                        // A refusing server answers fast; do not spin on it.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            latencies
        }));
    }

    let mut latencies = Vec::new();
    for c in clients {
        latencies.extend(c.await?);
    }
    let (before, after) = sampler.await?;
    ticker.abort();
    progress.finish_and_clear();
    latencies.sort_unstable();

    let first_error = shared
        .first_error
        .lock()
        .map(|e| e.clone())
        .unwrap_or_else(|poisoned| poisoned.into_inner().clone());
    Ok(LevelResult {
        clients: config.clients,
        accepted: shared.accepted.load(Ordering::Relaxed),
        errors: shared.errors.load(Ordering::Relaxed),
        first_error,
        window: after.at - before.at,
        latencies,
        server_cpu: after.server_cpu.zip(before.server_cpu).map(|(a, b)| a - b),
        bench_cpu: after.bench_cpu.zip(before.bench_cpu).map(|(a, b)| a - b),
        machine: after.machine.zip(before.machine).map(|(a, b)| a.since(&b)),
        disk: after.disk.zip(before.disk).map(|(a, b)| DiskCounters {
            writes: a.writes.saturating_sub(b.writes),
            flushes: a.flushes.saturating_sub(b.flushes),
        }),
        server_memory: procfs::memory(config.server_pid),
    })
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[derive(Default)]
struct Shared {
    accepted: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Shared {
    fn note_error(&self, why: String) {
        let mut first = match self.first_error.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if first.is_none() {
            *first = Some(why);
        }
    }
}

/// Counters read at one edge of the window.
struct Sample {
    at: Instant,
    server_cpu: Option<Duration>,
    bench_cpu: Option<Duration>,
    machine: Option<MachineCpu>,
    disk: Option<DiskCounters>,
}

impl Sample {
    fn take(pid: u32, disk: Option<&Disk>) -> Sample {
        Sample {
            at: Instant::now(),
            server_cpu: procfs::process_cpu(pid),
            bench_cpu: procfs::own_cpu(),
            machine: MachineCpu::read(),
            disk: disk.and_then(Disk::counters),
        }
    }
}

fn progress_bar(config: &LevelConfig) -> ProgressBar {
    let total = config.warmup + config.duration;
    let bar = ProgressBar::new(total.as_millis() as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("{} client(s)", config.clients));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&samples, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(
            percentile(&samples, 100.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(percentile(&samples, 0.0), Some(Duration::from_millis(1)));
        assert_eq!(percentile(&[], 50.0), None);
    }
}

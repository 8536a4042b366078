//! `govhall-bench-queue`: the queue's load check. Starts `govhall demo` on
//! SQLite (a child process, as `govhall-bench` does), connects N display
//! clients to the hall's event stream (`/api/v1/public/queue/stream`), issues
//! tickets and has a clerk signed on at a window call them at a steady rate
//! (200 a minute by default), and reports the delay from sending each call
//! to the call's event arriving at each display: p50/p95/p99/max over all
//! clients and calls, with how many events were missed.
//!
//! `--speed` runs the same number of calls faster than real time (a 3-minute
//! run at 200/min with `--speed 4` takes 45 s at 800/min); the rate actually
//! achieved is reported.

#[allow(dead_code)]
mod server;

use anyhow::{Context, bail};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(about = "Queue load check: N SSE displays, calls at a steady rate, call→display delay")]
struct Args {
    /// Display clients connected to the hall's stream.
    #[arg(long, default_value_t = 50)]
    displays: usize,
    /// Calls per minute (real time).
    #[arg(long, default_value_t = 200)]
    calls_per_minute: u32,
    /// Minutes of calling (real time, before --speed).
    #[arg(long, default_value_t = 3.0)]
    minutes: f64,
    /// Run this many times faster than real time (same number of calls).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// The govhall binary (default: next to this one).
    #[arg(long)]
    server_bin: Option<PathBuf>,
}

/// The instant each ticket's call was sent, by number.
type Sent = Arc<Mutex<HashMap<String, Instant>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.speed <= 0.0 || args.calls_per_minute == 0 || args.minutes <= 0.0 {
        bail!("--speed, --calls-per-minute and --minutes must be positive");
    }
    let calls = (f64::from(args.calls_per_minute) * args.minutes).round() as usize;
    let interval = Duration::from_secs_f64(60.0 / f64::from(args.calls_per_minute) / args.speed);
    let binary = server::resolve_binary(args.server_bin.as_deref())?;
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("data"))?;
    let mut srv = server::Server::start(&server::ServerConfig {
        binary: binary.clone(),
        data_dir: dir.path().join("data"),
        database_url: None,
        now: "2026-09-30T09:00:00+08:00".into(),
    })?;
    let health = srv.wait_ready(Duration::from_secs(300)).await?;
    let base = srv.base_url().to_string();
    println!(
        "server: {} ({} build), database {}",
        binary.display(),
        server::build_profile(&binary),
        health.database
    );
    let http = reqwest::Client::new();

    // The clerk signs on at the first window of their department.
    let token = post(
        &http,
        &base,
        "/api/v1/auth/token",
        None,
        &json!({"username": "clerk", "password": "govhall-demo"}),
    )
    .await?["token"]
        .as_str()
        .context("a token")?
        .to_string();
    let windows = get(&http, &base, "/api/v1/queue/windows", Some(&token)).await?;
    let mut window = None;
    for w in windows.as_array().context("windows")? {
        let id = w["window_id"].as_i64().context("window id")?;
        let r = http
            .post(format!("{base}/api/v1/queue/windows/{id}/sign-on"))
            .bearer_auth(&token)
            .send()
            .await?;
        if r.status().is_success() {
            window = Some(id);
            break;
        }
    }
    let window = window.context("the clerk could not sign on at any window (no demo hall?)")?;
    // A category the window serves, so its calls take the tickets issued.
    let state = get(
        &http,
        &base,
        &format!("/api/v1/queue/windows/{window}"),
        Some(&token),
    )
    .await?;
    let category = state["waiting"][0]["category_id"]
        .as_i64()
        .context("a business category the window serves")?;
    let code = state["waiting"][0]["code"]
        .as_str()
        .context("the category's letter")?
        .to_string();

    // The tickets to call, issued first.
    let issuing = progress(calls as u64, "取号");
    for _ in 0..calls {
        post(
            &http,
            &base,
            "/api/v1/public/queue/tickets",
            None,
            &json!({"category_id": category}),
        )
        .await?;
        issuing.inc(1);
    }
    issuing.finish();

    // The displays.
    let sent: Sent = Arc::default();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Duration>();
    let mut readers = Vec::new();
    for _ in 0..args.displays {
        let mut resp = reqwest::get(format!("{base}/api/v1/public/queue/stream"))
            .await?
            .error_for_status()?;
        // Wait for the snapshot so the display is live before the calls start.
        let mut buf = String::new();
        while !buf.contains("\n\n") {
            let chunk = resp.chunk().await?.context("the stream closed")?;
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
        buf.clear();
        let sent = sent.clone();
        let tx = tx.clone();
        readers.push(tokio::spawn(async move {
            while let Ok(Some(chunk)) = resp.chunk().await {
                let arrived = Instant::now();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    if !block.contains("event: call") {
                        continue;
                    }
                    let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) else {
                        continue;
                    };
                    let Ok(v) = serde_json::from_str::<Value>(data) else {
                        continue;
                    };
                    let number = v["number"].as_str().unwrap_or_default();
                    let at = sent.lock().expect("sent").get(number).copied();
                    if let Some(at) = at {
                        let _ = tx.send(arrived.saturating_duration_since(at));
                    }
                }
            }
        }));
    }
    drop(tx);
    println!(
        "{} displays connected; calling {calls} tickets every {:.0} ms",
        args.displays,
        interval.as_secs_f64() * 1000.0
    );

    // The calls, at a steady rate.
    let calling = progress(calls as u64, "叫号");
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut call_ms = Vec::with_capacity(calls);
    for _ in 0..calls {
        ticks.tick().await;
        // The number is known only from the answer, but the event may arrive
        // first: the next number in line is the one called (one category,
        // ordinary tickets, issued in order), so it is recorded before sending.
        let next = format!("{code}{:03}", call_ms.len() + 1);
        let t0 = Instant::now();
        sent.lock().expect("sent").insert(next.clone(), t0);
        let r = post(
            &http,
            &base,
            &format!("/api/v1/queue/windows/{window}/call-next"),
            Some(&token),
            &json!({}),
        )
        .await?;
        call_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        if r["ticket"]["number"].as_str() != Some(next.as_str()) {
            bail!("expected {next} to be called, got {}", r["ticket"]);
        }
        calling.inc(1);
    }
    calling.finish();
    let elapsed = started.elapsed();

    // Every event that will come has come once each display has had a moment.
    let expected = calls * args.displays;
    let mut delays = Vec::with_capacity(expected);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while delays.len() < expected {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(d)) => delays.push(d.as_secs_f64() * 1000.0),
            _ => break,
        }
    }
    for r in readers {
        r.abort();
    }
    srv.check_alive()?;
    delays.sort_by(f64::total_cmp);
    call_ms.sort_by(f64::total_cmp);
    let rate = calls as f64 / elapsed.as_secs_f64() * 60.0;
    println!();
    println!(
        "calls: {calls} in {:.1} s = {rate:.0} calls/min (asked {} × speed {})",
        elapsed.as_secs_f64(),
        args.calls_per_minute,
        args.speed
    );
    println!(
        "call-next answer (ms): p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        pct(&call_ms, 50.0),
        pct(&call_ms, 95.0),
        pct(&call_ms, 99.0),
        call_ms.last().copied().unwrap_or_default()
    );
    println!(
        "call→display delay over {} displays (ms): p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        args.displays,
        pct(&delays, 50.0),
        pct(&delays, 95.0),
        pct(&delays, 99.0),
        delays.last().copied().unwrap_or_default()
    );
    println!(
        "events received: {} of {expected} ({} missed)",
        delays.len(),
        expected - delays.len()
    );
    srv.stop();
    Ok(())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn progress(len: u64, what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut req = http.post(format!("{base}{path}")).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await?;
    let status = r.status();
    let v: Value = r
        .json()
        .await
        .with_context(|| format!("POST {path}: {status}"))?;
    if !status.is_success() {
        bail!("POST {path}: {status} {v}");
    }
    Ok(v)
}

async fn get(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
) -> anyhow::Result<Value> {
    let mut req = http.get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await?;
    let status = r.status();
    let v: Value = r
        .json()
        .await
        .with_context(|| format!("GET {path}: {status}"))?;
    if !status.is_success() {
        bail!("GET {path}: {status} {v}");
    }
    Ok(v)
}

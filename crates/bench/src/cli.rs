//! The command line of `govhall-bench`.

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

/// Case submission + acceptance over HTTP against a real govhall server.
///
/// Starts `govhall demo` on a free port with a fresh database, then for each
/// concurrency level lets the clients loop over POST /api/v1/cases and
/// POST /api/v1/cases/{no}/accept, and reports accepted cases/s, latency
/// percentiles, server memory and CPU per case.
#[derive(Debug, Parser)]
#[command(name = "govhall-bench", version)]
pub struct Args {
    /// The govhall binary to start [default: `govhall` next to this executable].
    #[arg(long)]
    pub server_bin: Option<PathBuf>,

    /// A PostgreSQL URL with the right to create databases, e.g.
    /// postgres://postgres@127.0.0.1:56432/postgres; a fresh database is
    /// created for the run and dropped at the end. Default: SQLite in the
    /// temporary data directory.
    #[arg(long)]
    pub database_url: Option<String>,

    /// Concurrency levels, one run each, in this order.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub clients: Vec<u32>,

    /// How long each level is measured (e.g. 10s, 500ms, 1m).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,

    /// How long each level runs before measuring starts.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub warmup: Duration,

    /// The server clock's start (`govhall demo --now`): a working Monday
    /// morning, so acceptance happens on a working day.
    #[arg(long, default_value = "2026-11-23T09:00:00+08:00")]
    pub now: String,

    /// The window clerk the clients act as.
    #[arg(long, default_value = "clerk")]
    pub username: String,

    #[arg(long, default_value = "govhall-demo")]
    pub password: String,

    /// The department whose item is used [default: the clerk's own].
    #[arg(long)]
    pub department_id: Option<i64>,

    /// The item applied for [default: the department's first published promised item].
    #[arg(long)]
    pub item_id: Option<i64>,

    /// Where the server's temporary data directory is made [default: the
    /// system temporary directory]. Put it on the disk you want to measure.
    #[arg(long)]
    pub tmp_dir: Option<PathBuf>,

    /// How long to wait for the server to load the demo data and answer /healthz.
    #[arg(long, default_value = "180s", value_parser = parse_duration)]
    pub startup_timeout: Duration,

    /// Append the results as a Markdown section to this file.
    #[arg(long)]
    pub markdown: Option<PathBuf>,

    /// A line of context written into the Markdown section (e.g. what changed).
    #[arg(long)]
    pub note: Option<String>,
}

/// `10s`, `500ms`, `1.5s`, `2m`, or a plain number of seconds.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let s = raw.trim();
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("expected a duration such as 10s, 500ms or 2m, got “{raw}”"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("a duration cannot be negative: “{raw}”"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_and_without_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn the_default_levels_are_1_8_64() {
        let args = Args::try_parse_from(["govhall-bench"]).expect("defaults parse");
        assert_eq!(args.clients, vec![1, 8, 64]);
        assert!(Args::try_parse_from(["govhall-bench", "--clients", "0"]).is_err());
    }
}

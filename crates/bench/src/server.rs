//! The server under test: `govhall demo` started as a child process on a free
//! port, its output kept in a log file beside its data, killed when dropped.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    /// `None`: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// `--now`, RFC 3339.
    pub now: String,
}

/// The answer of `GET /healthz`.
#[derive(Debug, Clone, Deserialize)]
pub struct Health {
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// A running `govhall demo`.
pub struct Server {
    child: Child,
    base_url: String,
    log: PathBuf,
}

/// The binary given, else `govhall` next to this executable (both land in
/// `target/release`), with a clear word when it was not built.
pub fn resolve_binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => std::env::current_exe()
            .context("finding this executable")?
            .parent()
            .map(|dir| dir.join("govhall"))
            .context("this executable has no directory")?,
    };
    if !path.is_file() {
        bail!(
            "the server binary {} does not exist: run `cargo build --release -p govhall` first \
             (or pass --server-bin)",
            path.display()
        );
    }
    Ok(path)
}

/// `release`, `debug` or `unknown`, read off the binary's path
/// (`target/<profile>/govhall`).
pub fn build_profile(binary: &Path) -> &'static str {
    let names: Vec<_> = binary
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    if names.iter().any(|n| n == "release") {
        "release"
    } else if names.iter().any(|n| n == "debug") {
        "debug"
    } else {
        "unknown"
    }
}

impl Server {
    /// Starts the server on a free loopback port; it is not ready until
    /// [`Server::wait_ready`] says so.
    pub fn start(config: &ServerConfig) -> anyhow::Result<Server> {
        let port = free_port()?;
        let log = config.data_dir.join("server.log");
        let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone().context("duplicating the log file handle")?;
        let mut command = Command::new(&config.binary);
        command
            .arg("demo")
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(config.data_dir.join("data"))
            .arg("--now")
            .arg(&config.now)
            .env("GOVHALL_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        if let Some(url) = &config.database_url {
            command.arg("--database-url").arg(url);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", config.binary.display()))?;
        Ok(Server {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Polls `GET /healthz` until it answers 200, the process exits or the
    /// time is up.
    pub async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<Health> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .context("building an HTTP client")?;
        let url = format!("{}/healthz", self.base_url);
        let deadline = Instant::now() + timeout;
        loop {
            self.check_alive()?;
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return response
                    .json::<Health>()
                    .await
                    .context("reading the /healthz answer");
            }
            if Instant::now() >= deadline {
                bail!(
                    "the server did not answer {url} within {timeout:?}; its log ends with:\n{}",
                    self.log_tail(20)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Fails, with the end of the server's log, if the server has exited.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => bail!(
                "the server exited ({status}); its log ends with:\n{}",
                self.log_tail(20)
            ),
            Err(e) => Err(e).context("checking on the server process"),
        }
    }

    /// Stops the server (it holds no state worth a graceful shutdown: the
    /// data directory is thrown away).
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// The last `lines` lines of the server's output.
    pub fn log_tail(&self, lines: usize) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(&self.log) {
            // The tail is all that is shown; a long log need not be read whole.
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(16 * 1024)));
            let mut bytes = Vec::new();
            let _ = f.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port nobody listens on now. Another process could take it before the
/// server binds it; on a benchmark machine that race is not worth more code.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_comes_from_the_target_directory() {
        assert_eq!(
            build_profile(Path::new("/w/target/release/govhall")),
            "release"
        );
        assert_eq!(build_profile(Path::new("/w/target/debug/govhall")), "debug");
        assert_eq!(build_profile(Path::new("/usr/bin/govhall")), "unknown");
    }

    #[test]
    fn a_missing_binary_says_how_to_build_it() {
        let e = resolve_binary(Some(Path::new("/nonexistent/govhall"))).unwrap_err();
        assert!(
            e.to_string()
                .contains("run `cargo build --release -p govhall` first"),
            "{e}"
        );
    }
}

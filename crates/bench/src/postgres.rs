//! A fresh PostgreSQL database per run: created on the server the given URL
//! points at, handed to govhall, dropped at the end (as the integration tests'
//! `fresh_postgres_database` does).

use anyhow::{Context, bail};
use sqlx::{Connection, PgConnection};

pub struct FreshDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl FreshDatabase {
    /// Creates `govhall_bench_<random>` through `admin_url` (a `postgres://`
    /// URL of a role allowed to create databases).
    pub async fn create(admin_url: &str) -> anyhow::Result<FreshDatabase> {
        if !(admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://")) {
            bail!(
                "--database-url must be a postgres:// URL (SQLite is the default and needs none)"
            );
        }
        let name = format!("govhall_bench_{:016x}", random_u64()?);
        let mut conn = connect(admin_url).await?;
        // The name is ours (hex digits), so formatting it into the statement is safe.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .with_context(|| format!("CREATE DATABASE {name}"))?;
        conn.close().await.ok();
        let url = database_url(admin_url, &name);
        Ok(FreshDatabase {
            admin_url: admin_url.to_string(),
            name,
            url,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the new database, for the server.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The settings that decide durability and speed, as the server reports
    /// them: they belong in the report next to the numbers.
    pub async fn settings(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut conn = connect(&self.admin_url).await?;
        let mut out = Vec::new();
        for name in [
            "server_version",
            "fsync",
            "synchronous_commit",
            "wal_sync_method",
            "full_page_writes",
            "commit_delay",
            "shared_buffers",
        ] {
            let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {name}")))
                .fetch_one(&mut conn)
                .await
                .with_context(|| format!("SHOW {name}"))?;
            out.push((name.to_string(), value));
        }
        conn.close().await.ok();
        Ok(out)
    }

    /// Drops the database, closing any connection the server left behind.
    pub async fn drop_database(self) -> anyhow::Result<()> {
        let mut conn = connect(&self.admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await
        .with_context(|| format!("DROP DATABASE {}", self.name))?;
        conn.close().await.ok();
        Ok(())
    }
}

async fn connect(url: &str) -> anyhow::Result<PgConnection> {
    PgConnection::connect(url)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))
}

/// `url` with its database name replaced by `name`, query kept.
fn database_url(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[scheme_end..].rfind('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{server}/{name}{query}")
}

/// The URL with its password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let Some(at) = rest.find('@') else {
        return url.to_string();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end], &rest[at..]),
        None => url.to_string(),
    }
}

fn random_u64() -> anyhow::Result<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_replaces_the_last_path_segment() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:56432/postgres", "b"),
            "postgres://postgres@127.0.0.1:56432/b"
        );
        assert_eq!(
            database_url("postgres://u:p@h/db?sslmode=disable", "b"),
            "postgres://u:p@h/b?sslmode=disable"
        );
        assert_eq!(database_url("postgres://u@h", "b"), "postgres://u@h/b");
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}

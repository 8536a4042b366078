//! Accounts, browser sessions and API tokens.
//!
//! Secrets never reach the database: sessions and tokens are stored as the
//! SHA-256 of the random value the client holds (hashed by the caller), and
//! passwords as argon2 PHC strings.

use crate::{Result, Store, StoreError, on_db};
use chrono::{DateTime, Utc};
use domain::access::{Actor, Role};
use sqlx::AssertSqlSafe;

/// A user as listed to administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            username: self.username.clone(),
            role: self.role,
            department_id: self.department_id,
        }
    }
}

/// A new account; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub department_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    department_id: Option<i64>,
    active: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User> {
        Ok(User {
            role: Role::parse(&r.role)
                .ok_or_else(|| StoreError::Corrupt(format!("role {}", r.role)))?,
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            department_id: r.department_id,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

/// A user with the expiry of the API token that names them.
#[derive(sqlx::FromRow)]
struct TokenRow {
    #[sqlx(flatten)]
    user: UserRow,
    expires_at: DateTime<Utc>,
}

const USER_COLUMNS: &str = "id, username, display_name, role, department_id, active, created_at";

/// A live browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    pub async fn create_user(&self, new: &NewUser, now: DateTime<Utc>) -> Result<User> {
        if new.role.needs_department() && new.department_id.is_none() {
            return Err(StoreError::conflict(
                "user.department_required",
                Some("department_id"),
                format!("{}必须属于一个部门", new.role.label()),
            ));
        }
        if let Some(d) = new.department_id
            && self.department(d).await?.is_none()
        {
            return Err(StoreError::conflict(
                "department.not_found",
                Some("department_id"),
                "部门不存在",
            ));
        }
        let sql = format!(
            "INSERT INTO users (username, display_name, password_hash, role, department_id, active, created_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6) RETURNING {USER_COLUMNS}"
        );
        let row: UserRow = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(&new.username)
            .bind(&new.display_name)
            .bind(&new.password_hash)
            .bind(new.role.code())
            .bind(new.department_id)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(StoreError::on_unique("user.username_taken", "username", "用户名已存在"))?);
        row.try_into()
    }

    /// The user and their password hash, for a login attempt.
    pub async fn user_with_password(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1");
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            password_hash: String,
        }
        let row: Option<Row> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(username).fetch_optional(pool).await?);
        row.map(|r| Ok((r.user.try_into()?, r.password_hash)))
            .transpose()
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?);
        row.map(User::try_from).transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        let rows: Vec<UserRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_all(pool).await?);
        rows.into_iter().map(User::try_from).collect()
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The session with this token hash, if it exists, has not expired and its user is active.
    pub async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let sql = format!(
            "SELECT {cols}, s.csrf_token, s.expires_at AS session_expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = TRUE",
            cols = prefixed(USER_COLUMNS, "u")
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            csrf_token: String,
            session_expires_at: DateTime<Utc>,
        }
        let row: Option<Row> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(token_hash).bind(now).fetch_optional(pool).await?);
        row.map(|r| {
            Ok(Session {
                user: r.user.try_into()?,
                csrf_token: r.csrf_token,
                expires_at: r.session_expires_at,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_db!(self, pool => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await.map(|_| ())?);
        Ok(())
    }

    /// Removes expired sessions and tokens; returns how many went.
    pub async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64> {
        let n = on_db!(self, pool => {
            let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?;
            let b = sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1").bind(now).execute(pool).await?;
            a.rows_affected() + b.rows_affected()
        });
        Ok(n)
    }

    pub async fn create_api_token(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The active user holding a live API token with this hash. A token seen
    /// in the last half minute is answered from memory until it expires.
    pub async fn user_for_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>> {
        if let Some((user, expires_at)) = self.tokens.get(&token_hash.to_string())
            && expires_at > now
        {
            return Ok(Some(user));
        }
        let sql = format!(
            "SELECT {cols}, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.active = TRUE",
            cols = prefixed(USER_COLUMNS, "u")
        );
        let row: Option<TokenRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(token_hash).bind(now).fetch_optional(pool).await?);
        let Some(row) = row else { return Ok(None) };
        let user = User::try_from(row.user)?;
        self.tokens
            .put(token_hash.to_string(), (user.clone(), row.expires_at));
        Ok(Some(user))
    }
}

/// `id, name` with prefix `u` becomes `u.id, u.name`.
pub(crate) fn prefixed(columns: &str, alias: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

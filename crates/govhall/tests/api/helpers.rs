//! The harness every test uses: a real server on port 0 over a fresh database,
//! seed data written through the store, and typed helpers for the requests.
//!
//! A test gets SQLite in a temporary directory unless
//! `GOVHALL_TEST_DATABASE_URL` names a PostgreSQL server; then each test gets
//! its own freshly created database on that server. The server's clock is a
//! manual one standing on 2026-09-30 09:00 Beijing time, moved only by tests.

use chrono::{DateTime, Utc};
use domain::access::{Actor, Permission, Role, authorize};
use domain::catalogue::{ItemContent, ItemInput, LimitInput, MaterialInput, StepInput};
use domain::center::{CenterLevel, DepartmentInput, NewDepartment};
use domain::identity::CreditCode;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use store::{NewCenter, NewUser};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The password of every seeded account.
pub const PASSWORD: &str = "test-password";

/// Where the manual clock starts: the eve of the National Day holiday.
pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-09-30T09:00:00+08:00")
        .expect("a valid instant")
        .to_utc()
}

/// A running server and what a test needs to drive it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    pub state: web::AppState,
    /// The server's manual clock (shared with `state.clock`).
    pub clock: web::Clock,
    pub database_url: String,
    /// A client that sends no cookies and follows no redirects.
    api: reqwest::Client,
    dir: Arc<TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Starts a server over a fresh, migrated, empty database.
pub async fn spawn_app() -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("a temporary directory"));
    let database_url = match std::env::var("GOVHALL_TEST_DATABASE_URL") {
        Ok(server) if !server.trim().is_empty() => fresh_postgres_database(server.trim()).await,
        _ => format!("sqlite://{}/govhall.db", dir.path().display()),
    };
    start(database_url, dir).await
}

async fn start(database_url: String, dir: Arc<TempDir>) -> TestApp {
    let clock = web::Clock::manual(start_time());
    let app = web::App::build(web::Config {
        addr: "127.0.0.1:0".parse().expect("a socket address"),
        database_url: database_url.clone(),
        data_dir: dir.path().join("data"),
        clock: clock.clone(),
        secure_cookies: false,
        // The tests run the worker through the API, at the moments they choose.
        supervise_every: None,
    })
    .await
    .expect("the app builds");
    let address = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    let (shutdown, stop) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stop.await;
    }));
    TestApp {
        address,
        state,
        clock,
        database_url,
        api: client(false),
        dir,
        shutdown: Some(shutdown),
        server: Some(server),
    }
}

/// Creates `govhall_test_<random>` on the server `url` points at and returns its URL.
async fn fresh_postgres_database(url: &str) -> String {
    use sqlx::Connection;
    let name = format!(
        "govhall_test_{}",
        &web::auth::secret_hash(&web::auth::new_secret())[..16]
    );
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("GOVHALL_TEST_DATABASE_URL accepts connections");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    conn.close().await.ok();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    format!("{server}/{name}{query}")
}

fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(cookies)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// One argon2 hash of [`PASSWORD`] for every seeded account: hashing is the
/// slow part of seeding, and a shared salt does not matter in a test.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| web::auth::hash_password(PASSWORD).expect("hashing"))
        .clone()
}

/// The hall [`TestApp::seed_hall`] wrote.
#[derive(Debug, Clone)]
pub struct HallSeed {
    pub hall_id: i64,
    pub floor_id: i64,
    pub zone_id: i64,
    pub category_a: i64,
    pub category_b: i64,
    /// Windows 01, 02 (department A) and 03 (department B).
    pub windows: Vec<i64>,
}

/// The seeded center tree and departments.
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    /// The county center the departments sit in.
    pub center_id: i64,
    /// 人社局: home of clerk, approver and chief.
    pub dept_a: i64,
    /// 市场监管局: home of clerk_b.
    pub dept_b: i64,
}

pub const DEPT_A_NAME: &str = "呼和浩特市新城区人力资源和社会保障局";
pub const DEPT_B_NAME: &str = "呼和浩特市新城区市场监督管理局";
pub const CENTER_NAME: &str = "新城区政务服务中心";
pub const CONSULTATION_PHONE: &str = "0471-6218601";

/// A valid GB 32100 credit code: `11150102MB000000` followed by `n` and its check character.
pub fn credit_code(n: u8) -> String {
    CreditCode::complete(&format!("11150102MB000000{n}"))
        .expect("17 valid characters")
        .to_string()
}

/// An administrator acting for the test itself, as `govhall demo` does.
fn system(permission: Permission) -> domain::access::Grant {
    let actor = Actor {
        user_id: 0,
        username: "system".into(),
        role: Role::Admin,
        department_id: None,
    };
    authorize(&actor, permission).expect("an administrator holds every permission")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Writes the fixture: city → county → township centers, departments A
    /// and B, and one account per role (clerk, approver and chief in A,
    /// clerk_b in B), all with [`PASSWORD`].
    pub async fn seed(&self) -> Seed {
        let store = &self.state.store;
        let now = start_time();
        let center = |parent_id, name: &str, level, phone: &str| NewCenter {
            parent_id,
            name: name.into(),
            short_name: name.into(),
            level,
            region_code: String::new(),
            address: format!("{name}大厅"),
            phone: phone.into(),
            complaint_phone: "0471-6218617".into(),
            hours: String::new(),
        };
        let manage = system(Permission::ManageDepartments);
        let city = store
            .create_center(
                &manage,
                &center(
                    None,
                    "呼和浩特市政务服务中心",
                    CenterLevel::City,
                    "0471-12345",
                ),
                now,
            )
            .await
            .expect("city center");
        let county = store
            .create_center(
                &manage,
                &center(
                    Some(city.id),
                    CENTER_NAME,
                    CenterLevel::County,
                    "0471-6218600",
                ),
                now,
            )
            .await
            .expect("county center");
        store
            .create_center(
                &manage,
                &center(
                    Some(county.id),
                    "保合少镇便民服务中心",
                    CenterLevel::Township,
                    "0471-6218700",
                ),
                now,
            )
            .await
            .expect("township center");

        let department = |name: &str, short: &str, n: u8, windows: i64| {
            NewDepartment::parse(&DepartmentInput {
                center_id: Some(county.id),
                name: name.into(),
                short_name: short.into(),
                credit_code: credit_code(n),
                phone: CONSULTATION_PHONE.into(),
                window_count: windows,
            })
            .expect("a valid department")
        };
        let a = store
            .create_department(&manage, &department(DEPT_A_NAME, "人社局", 1, 5), now)
            .await
            .expect("department A");
        let b = store
            .create_department(&manage, &department(DEPT_B_NAME, "市场监管局", 2, 4), now)
            .await
            .expect("department B");

        let hash = password_hash();
        let accounts = [
            ("admin", Role::Admin, None),
            ("clerk", Role::Clerk, Some(a.id)),
            ("approver", Role::Approver, Some(a.id)),
            ("chief", Role::ChiefRep, Some(a.id)),
            ("supervisor", Role::Supervisor, None),
            ("leader", Role::Leader, None),
            ("citizen", Role::Applicant, None),
            ("clerk_b", Role::Clerk, Some(b.id)),
        ];
        for (username, role, department_id) in accounts {
            store
                .create_user(
                    &NewUser {
                        username: username.into(),
                        display_name: format!("测试{}", role.label()),
                        password_hash: hash.clone(),
                        role,
                        department_id,
                    },
                    now,
                )
                .await
                .expect("an account");
        }
        Seed {
            center_id: county.id,
            dept_a: a.id,
            dept_b: b.id,
        }
    }

    /// Writes a hall after [`seed`](Self::seed): the main hall (hours
    /// 9:00–12:00, 13:30–17:00) with floor 1 and its window zone, business
    /// categories A 综合业务 and B 市场准入, and windows 01 and 02 of
    /// department A (category A) and 03 of department B (category B).
    pub async fn seed_hall(&self, seed: &Seed) -> HallSeed {
        use domain::hall::*;
        let store = &self.state.store;
        let now = start_time();
        let hall = store
            .create_hall(
                seed.center_id,
                &NewHall::parse(&HallInput {
                    name: "政务服务大厅".into(),
                    kind: "main".into(),
                    ..Default::default()
                })
                .expect("a valid hall"),
                now,
            )
            .await
            .expect("hall");
        let floor = store
            .create_floor(
                hall.id,
                &NewFloor::parse(&FloorInput {
                    level: 1,
                    ..Default::default()
                })
                .expect("a valid floor"),
                now,
            )
            .await
            .expect("floor");
        let zone = store
            .create_zone(
                floor.id,
                &NewZone::parse(&ZoneInput {
                    name: "综合办事区".into(),
                    purpose: "windows".into(),
                    x: 20,
                    y: 20,
                    width: Some(400),
                    height: Some(120),
                })
                .expect("a valid zone"),
                now,
            )
            .await
            .expect("zone");
        let category = |code: &str, name: &str| {
            NewCategory::parse(&CategoryInput {
                code: code.into(),
                name: name.into(),
                description: String::new(),
            })
            .expect("a valid category")
        };
        let cat_a = store
            .create_category(seed.center_id, &category("A", "综合业务"), now)
            .await
            .expect("category A");
        let cat_b = store
            .create_category(seed.center_id, &category("B", "市场准入"), now)
            .await
            .expect("category B");
        let mut windows = Vec::new();
        for (number, department, cat, x) in [
            ("01", seed.dept_a, cat_a.id, 40),
            ("02", seed.dept_a, cat_a.id, 120),
            ("03", seed.dept_b, cat_b.id, 200),
        ] {
            let w = NewWindow::parse(&WindowInput {
                hall_id: hall.id,
                zone_id: Some(zone.id),
                number: number.into(),
                kind: "resident".into(),
                name: format!("{number}号窗口"),
                department_id: Some(department),
                category_ids: vec![cat],
                x,
                y: 40,
                ..Default::default()
            })
            .expect("a valid window");
            windows.push(store.create_window(&w, now).await.expect("window").id);
        }
        HallSeed {
            hall_id: hall.id,
            floor_id: floor.id,
            zone_id: zone.id,
            category_a: cat_a.id,
            category_b: cat_b.id,
            windows,
        }
    }

    /// Writes an item through the store as a draft, publishing it (and
    /// indexing it for search) when asked. Returns its id.
    pub async fn add_item(&self, input: &ItemInput, publish: bool) -> i64 {
        let store = &self.state.store;
        let content = ItemContent::parse(input).expect("a valid item");
        let id = store
            .create_item(&system(Permission::EditItems), &content, start_time())
            .await
            .expect("create item");
        if publish {
            let v = store
                .publish(&system(Permission::PublishItems), id, start_time())
                .await
                .expect("publish item");
            web::catalogue::index_published(&self.state, &v)
                .await
                .expect("index item");
        }
        id
    }

    /// Stops this server (closing its database pool) and starts a new one
    /// over the same database and data directory, as an operator's restart does.
    pub async fn restart(mut self) -> TestApp {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task")
                .expect("the server stops cleanly");
        }
        start(self.database_url.clone(), self.dir.clone()).await
    }

    /// Runs SQL on the server's database behind its back, as someone with
    /// database access would (to prove tampering is found).
    pub async fn execute_sql(&self, sql: &str) {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        if self.database_url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }

    // ------------------------------------------------------------ requests

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        send(bearer(self.api.get(self.url(path)), token)).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &impl Serialize) -> Reply {
        send(bearer(self.api.post(self.url(path)), token).json(body)).await
    }

    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &impl Serialize) -> Reply {
        send(bearer(self.api.put(self.url(path)), token).json(body)).await
    }

    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> Reply {
        send(bearer(self.api.post(self.url(path)), token)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        send(bearer(self.api.delete(self.url(path)), token)).await
    }

    /// Posts JSON with an `Idempotency-Key` header.
    pub async fn post_json_keyed(
        &self,
        path: &str,
        token: Option<&str>,
        key: &str,
        body: &impl Serialize,
    ) -> Reply {
        let req = bearer(self.api.post(self.url(path)), token)
            .header("Idempotency-Key", key)
            .json(body);
        send(req).await
    }

    /// Posts raw bytes with their content type.
    pub async fn post_bytes(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let req = bearer(self.api.post(self.url(path)), token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        send(req).await
    }

    /// Posts a body as it is, with its content type.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> Reply {
        let req = bearer(self.api.post(self.url(path)), token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.to_string());
        send(req).await
    }

    /// Uploads `bytes` as the multipart field `file`.
    pub async fn upload(
        &self,
        path: &str,
        token: Option<&str>,
        filename: &str,
        bytes: Vec<u8>,
    ) -> Reply {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        send(bearer(self.api.post(self.url(path)), token).multipart(form)).await
    }

    // ------------------------------------------------------ typed helpers

    /// `POST /api/v1/auth/token`.
    pub async fn request_token(&self, username: &str, password: &str) -> Reply {
        self.post_json(
            "/api/v1/auth/token",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    /// A bearer token for a seeded account.
    pub async fn token(&self, username: &str) -> String {
        let r = self.request_token(username, PASSWORD).await;
        assert_eq!(r.status, 201, "token for {username}: {}", r.text());
        r.json()["token"]
            .as_str()
            .expect("a token string")
            .to_string()
    }

    pub async fn create_item(&self, token: &str, input: &ItemInput) -> Reply {
        self.post_json("/api/v1/items", Some(token), input).await
    }

    /// Creates an item over the API and returns its id, asserting 201.
    pub async fn create_item_ok(&self, token: &str, input: &ItemInput) -> i64 {
        let r = self.create_item(token, input).await;
        assert_eq!(r.status, 201, "create item: {}", r.text());
        r.json()["id"].as_i64().expect("an id")
    }

    pub async fn publish(&self, token: &str, id: i64) -> Reply {
        self.post_empty(&format!("/api/v1/items/{id}/publish"), Some(token))
            .await
    }

    /// `GET /api/v1/items?<query>` without credentials: the public search.
    pub async fn search(&self, query: &str) -> Value {
        let r = self.get(&format!("/api/v1/items?{query}"), None).await;
        assert_eq!(r.status, 200, "search {query}: {}", r.text());
        r.json()
    }

    /// The names a public search returns, in order.
    pub async fn search_names(&self, query: &str) -> Vec<String> {
        names(&self.search(query).await)
    }

    /// The number of items the back office knows, as an administrator sees them.
    pub async fn catalogue_total(&self, admin: &str) -> i64 {
        let r = self.get("/api/v1/catalogue/items", Some(admin)).await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["total"].as_i64().expect("a total")
    }

    pub async fn department_count(&self) -> usize {
        let r = self.get("/api/v1/departments", None).await;
        assert_eq!(r.status, 200);
        r.json()["departments"]
            .as_array()
            .expect("a department list")
            .len()
    }

    /// A browser with its own cookie jar.
    pub fn browser(&self) -> Browser {
        Browser {
            client: client(true),
            address: self.address.clone(),
        }
    }
}

/// The `name` of each entry of a list answer's `items`.
pub fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("an item list")
        .iter()
        .map(|i| i["name"].as_str().expect("a name").to_string())
        .collect()
}

fn bearer(req: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
    match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    }
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("a body").to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// A whole answer, read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts an error answer `{"code", "message", ...}` and returns its body.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "an error carries a message: {body}"
        );
        body
    }

    /// Asserts a 422 that blames `field` with `code`.
    #[track_caller]
    pub fn invalid(&self, code: &str, field: &str) -> Value {
        let body = self.error(422, code);
        assert_eq!(body["field"], field, "{body}");
        body
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }
}

/// A browser: keeps cookies, does not follow redirects (tests look at them).
pub struct Browser {
    client: reqwest::Client,
    address: String,
}

impl Browser {
    /// The same browser (cookie jar) pointed at another server, e.g. after a restart.
    pub fn at(&self, app: &TestApp) -> Browser {
        Browser {
            client: self.client.clone(),
            address: app.address.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.client.get(format!("{}{path}", self.address))).await
    }

    /// Posts an `application/x-www-form-urlencoded` form.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = self
            .client
            .post(format!("{}{path}", self.address))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        send(req).await
    }

    /// Posts JSON riding on the session cookie, with the CSRF header if given.
    pub async fn post_json(&self, path: &str, csrf: Option<&str>, body: &impl Serialize) -> Reply {
        let mut req = self
            .client
            .post(format!("{}{path}", self.address))
            .json(body);
        if let Some(token) = csrf {
            req = req.header("X-CSRF-Token", token);
        }
        send(req).await
    }

    /// Opens the login page and returns the form's hidden CSRF token.
    pub async fn login_form_token(&self) -> String {
        let page = self.get("/login").await;
        assert_eq!(page.status, 200, "{}", page.text());
        hidden_input(&page.text(), "csrf_token").expect("the login form has a csrf_token")
    }

    /// Signs in through the login form; returns the answer to the POST.
    pub async fn login(&self, username: &str) -> Reply {
        let token = self.login_form_token().await;
        self.post_form(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("username", username),
                ("password", PASSWORD),
                ("next", "/admin"),
            ],
        )
        .await
    }

    /// Signs in and returns the session's CSRF token from a page's meta tag.
    pub async fn login_ok(&self, username: &str) -> String {
        let r = self.login(username).await;
        assert_eq!(r.status, 303, "login as {username}: {}", r.text());
        let page = self.get("/admin").await;
        assert_eq!(page.status, 200, "{}", page.text());
        meta_content(&page.text(), "csrf-token").expect("pages carry the CSRF token")
    }
}

/// The value of `<input type="hidden" name="{name}" value="...">` in a page.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    attribute(&html[tag_start..tag_end], "value")
}

/// The content of `<meta name="{name}" content="...">`.
pub fn meta_content(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("<meta name=\"{name}\""))?;
    let tag_end = at + html[at..].find('>')?;
    attribute(&html[at..tag_end], "content").filter(|v| !v.is_empty())
}

fn attribute(tag: &str, attr: &str) -> Option<String> {
    let key = format!("{attr}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_string())
}

/// Percent-encodes a form or query value (`application/x-www-form-urlencoded`).
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ------------------------------------------------------------------ items

/// A complete, publishable 行政许可 承诺件 of `department_id`: legal limit 20
/// and promised limit 10 working days, entered, one step, one material, free.
pub fn item(department_id: i64, name: &str) -> ItemInput {
    ItemInput {
        name: name.into(),
        department_id: Some(department_id),
        basic_code: "000117001000".into(),
        implementation_code: String::new(),
        item_type: "01".into(),
        case_kind: "promised".into(),
        legal_limit: Some(limit(20)),
        promised_limit: Some(limit(10)),
        entry_status: "entered".into(),
        window_authorisation: "full".into(),
        online: false,
        visits: 1,
        result: "批准文书".into(),
        conditions: "申请人符合法定条件".into(),
        basis: "《中华人民共和国行政许可法》".into(),
        steps: vec![StepInput {
            name: "受理".into(),
            budget_days: 1,
            description: "窗口收件".into(),
        }],
        materials: vec![MaterialInput {
            name: "申请书".into(),
            ..Default::default()
        }],
        place: "新城区政务服务中心一楼".into(),
        hours: "周一至周五 9:00-12:00，13:30-17:00".into(),
        consultation_phone: CONSULTATION_PHONE.into(),
        complaint_phone: "0471-6218617".into(),
        ..Default::default()
    }
}

/// `value` working days.
pub fn limit(value: i64) -> LimitInput {
    LimitInput {
        value,
        unit: "working_days".into(),
        note: String::new(),
    }
}

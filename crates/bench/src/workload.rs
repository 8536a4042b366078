//! The work one client does: sign in as the window clerk once, then submit a
//! window application for a promised item with every required material seen
//! on paper, and accept it. Each application has its own valid applicant.

use anyhow::{Context, anyhow, bail};
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

/// The item every case applies for.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub name: String,
    pub department_id: i64,
    pub required_materials: Vec<String>,
}

/// Everything a client needs, shared by all of them.
#[derive(Debug)]
pub struct Workload {
    pub item: Item,
    base_url: String,
    cases_url: String,
    token: String,
    materials: Value,
}

/// Why one case did not get through.
#[derive(Debug)]
pub struct CaseFailure(pub String);

impl Workload {
    /// Gets a token for the clerk and picks the item (the given one, or the
    /// first published promised item of the department).
    pub async fn prepare(
        base_url: &str,
        username: &str,
        password: &str,
        department_id: Option<i64>,
        item_id: Option<i64>,
    ) -> anyhow::Result<Workload> {
        let client = reqwest::Client::new();
        let token = sign_in(&client, base_url, username, password).await?;
        let department_id = match department_id {
            Some(id) => id,
            None => {
                let me = get_json(&client, &format!("{base_url}/api/v1/me"), Some(&token)).await?;
                me["department_id"]
                    .as_i64()
                    .ok_or_else(|| anyhow!("{username} belongs to no department: {me}"))?
            }
        };
        let item_id = match item_id {
            Some(id) => id,
            None => promised_item(&client, base_url, department_id).await?,
        };
        let detail = get_json(
            &client,
            &format!("{base_url}/api/v1/items/{item_id}"),
            Some(&token),
        )
        .await?;
        let item = Item {
            id: item_id,
            name: detail["name"].as_str().unwrap_or_default().to_string(),
            department_id: detail["department_id"].as_i64().unwrap_or(department_id),
            required_materials: detail["materials"]
                .as_array()
                .map(|ms| {
                    ms.iter()
                        .filter(|m| m["required"].as_bool().unwrap_or(false))
                        .filter_map(|m| m["name"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let materials = item
            .required_materials
            .iter()
            .map(|name| json!({"name": name, "paper": true}))
            .collect();
        Ok(Workload {
            item,
            cases_url: format!("{base_url}/api/v1/cases"),
            base_url: base_url.to_string(),
            token,
            materials,
        })
    }

    /// One case through a client of its own, before any load, so a wrong
    /// setup fails with the server's words instead of as a wall of errors.
    pub async fn trial(&self, sequence: &AtomicU64) -> anyhow::Result<()> {
        let client = http_client()?;
        self.one_case(&client, sequence.fetch_add(1, Ordering::Relaxed))
            .await
            .map_err(|CaseFailure(why)| anyhow!(why))
    }

    /// Submits application number `n` and accepts it. Both answers are read
    /// to the end, so the time includes the whole exchange.
    pub async fn one_case(&self, client: &reqwest::Client, n: u64) -> Result<(), CaseFailure> {
        let body = json!({
            "item_id": self.item.id,
            "channel": "window",
            "applicant": {
                "name": "测试申请人",
                "id_type": "id_card",
                "id_number": id_card_number(n),
                "phone": format!("138{:08}", n % 100_000_000),
            },
            "materials": self.materials,
        });
        let response = client
            .post(&self.cases_url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .map_err(|e| CaseFailure(format!("POST /api/v1/cases: {e}")))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| CaseFailure(format!("POST /api/v1/cases: reading the answer: {e}")))?;
        if status != reqwest::StatusCode::CREATED {
            return Err(CaseFailure(format!(
                "POST /api/v1/cases answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        #[derive(Deserialize)]
        struct Created {
            case_no: String,
        }
        let created: Created = serde_json::from_slice(&bytes).map_err(|e| {
            CaseFailure(format!(
                "POST /api/v1/cases: the answer has no case_no: {e}"
            ))
        })?;

        let response = client
            .post(format!(
                "{}/api/v1/cases/{}/accept",
                self.base_url, created.case_no
            ))
            .bearer_auth(&self.token)
            .json(&json!({}))
            .send()
            .await
            .map_err(|e| CaseFailure(format!("POST …/{}/accept: {e}", created.case_no)))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| {
            CaseFailure(format!(
                "POST …/{}/accept: reading the answer: {e}",
                created.case_no
            ))
        })?;
        if status != reqwest::StatusCode::OK {
            return Err(CaseFailure(format!(
                "POST /api/v1/cases/{}/accept answered {status}: {}",
                created.case_no,
                String::from_utf8_lossy(&bytes)
            )));
        }
        Ok(())
    }
}

/// One client's connection: keep-alive, no Nagle delay, a generous timeout
/// so a stalled server shows up as errors rather than a hang.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .context("building an HTTP client")
}

async fn sign_in(
    client: &reqwest::Client,
    base_url: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base_url}/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .context("POST /api/v1/auth/token")?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status != reqwest::StatusCode::CREATED {
        bail!("signing in as {username} answered {status}: {text}");
    }
    let v: Value = serde_json::from_str(&text).context("reading the token answer")?;
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("the token answer has no token: {text}"))
}

/// The first published promised (承诺件) item of the department that has at
/// least one required material.
async fn promised_item(
    client: &reqwest::Client,
    base_url: &str,
    department_id: i64,
) -> anyhow::Result<i64> {
    let list = get_json(
        client,
        &format!("{base_url}/api/v1/items?department_id={department_id}&per_page=100"),
        None,
    )
    .await?;
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["case_kind"] == "promised")
        .and_then(|i| i["id"].as_i64())
        .ok_or_else(|| {
            anyhow!(
                "department {department_id} has no published promised item; pass --item-id or --department-id"
            )
        })
}

async fn get_json(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> anyhow::Result<Value> {
    let mut request = client.get(url);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.with_context(|| format!("GET {url}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("GET {url} answered {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("GET {url}: not JSON: {text}"))
}

// ---------------------------------------------------------------- applicants

/// Districts the generated applicants come from (东城区, 黄浦区, 越秀区, 新城区,
/// 武侯区, 西湖区).
const REGIONS: [&str; 6] = ["110101", "310101", "440104", "150102", "510107", "330106"];
/// Birth dates spread over this many days from 1950-01-01.
const BIRTH_DAYS: u64 = 18_000;

/// A valid GB 11643 citizen ID number, different for every `n` below
/// 6 × 18,000 × 1,000: region, birth date and sequence vary with `n`.
pub fn id_card_number(n: u64) -> String {
    let region = REGIONS[(n % REGIONS.len() as u64) as usize];
    let rest = n / REGIONS.len() as u64;
    let birth = NaiveDate::from_ymd_opt(1950, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(rest % BIRTH_DAYS)))
        .unwrap_or_default();
    let sequence = (rest / BIRTH_DAYS) % 1000;
    let body = format!("{region}{}{sequence:03}", birth.format("%Y%m%d"));
    format!("{body}{}", check_character(&body))
}

/// The check character of the first 17 digits: weights 7 9 10 5 8 4 2 1 6 3
/// 7 9 10 5 8 4 2, the sum mod 11 indexes "10X98765432".
fn check_character(body: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn check_characters_match_known_numbers() {
        assert_eq!(check_character("11010119900307451"), '4');
        assert_eq!(check_character("11010519491231002"), 'X');
    }

    #[test]
    fn generated_numbers_are_valid_and_distinct() {
        let mut seen = HashSet::new();
        for n in (0..200_000).step_by(7) {
            let id = id_card_number(n);
            assert_eq!(id.len(), 18, "{id}");
            assert!(
                NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_ok(),
                "{id}"
            );
            assert_eq!(id.chars().last(), Some(check_character(&id[..17])), "{id}");
            assert!(seen.insert(id), "n = {n} repeats a number");
        }
    }
}

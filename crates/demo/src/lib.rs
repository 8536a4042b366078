//! Demo data from the seed papers (DOMAIN.md §10): the 新城区 service center
//! of 呼和浩特 in its city/county/township tree, the 33 departments of seed 001
//! attachment 1 with their windows, and 594 published items whose entry counts
//! reproduce that table, plus one demo account per role.
//!
//! The data files are compiled in, so `govhall demo` works from any directory.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use domain::access::{Actor, Grant, Permission, Role, authorize};
use domain::catalogue::{ItemContent, ItemInput};
use domain::center::{CenterLevel, DepartmentInput, NewDepartment};
use serde::Deserialize;
use std::collections::HashMap;
use store::{NewCenter, NewUser, Store};

mod hall;
mod history;
mod rooms;
pub use hall::{HallOutcome, load_hall};
mod queue;
mod staff;
pub use history::{History, load_history};

const DEPARTMENTS: &str = include_str!("../data/departments.json");
const ITEMS: &str = include_str!("../data/items.json");

/// The password of every demo account. Demo data only.
pub const DEMO_PASSWORD: &str = "govhall-demo";
/// The department the demo clerk, approver and chief representative work for.
pub const DEMO_DEPARTMENT: &str = "人社局";
/// The department of the second window's clerk and approver: its items
/// (居民身份证 and others) charge fees, so the demo can show 票款分离.
pub const FEE_DEPARTMENT: &str = "公安分局";
pub const CENTER_NAME: &str = "呼和浩特市新城区政务服务中心";

/// One demo account, as printed at start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub department: Option<&'static str>,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "admin",
        display_name: "马主任",
        role: Role::Admin,
        department: None,
    },
    DemoAccount {
        username: "clerk",
        display_name: "王窗口",
        role: Role::Clerk,
        department: Some(DEMO_DEPARTMENT),
    },
    DemoAccount {
        username: "approver",
        display_name: "李审批",
        role: Role::Approver,
        department: Some(DEMO_DEPARTMENT),
    },
    DemoAccount {
        username: "chief",
        display_name: "赵首席",
        role: Role::ChiefRep,
        department: Some(DEMO_DEPARTMENT),
    },
    DemoAccount {
        username: "clerk2",
        display_name: "周户籍",
        role: Role::Clerk,
        department: Some(FEE_DEPARTMENT),
    },
    DemoAccount {
        username: "approver2",
        display_name: "吴审批",
        role: Role::Approver,
        department: Some(FEE_DEPARTMENT),
    },
    DemoAccount {
        username: "supervisor",
        display_name: "刘督查",
        role: Role::Supervisor,
        department: None,
    },
    DemoAccount {
        username: "leader",
        display_name: "张局长",
        role: Role::Leader,
        department: None,
    },
    DemoAccount {
        username: "citizen",
        display_name: "陈市民",
        role: Role::Applicant,
        department: None,
    },
];

#[derive(Debug, Deserialize)]
pub struct DepartmentRecord {
    pub seq: u32,
    pub short_name: String,
    pub name: String,
    pub credit_code: String,
    pub phone: String,
    pub window_count: i64,
    pub applicable_items: u32,
    pub entered_items: u32,
}

#[derive(Debug, Deserialize)]
pub struct ItemRecord {
    /// The department's short name.
    pub department: String,
    #[serde(flatten)]
    pub input: ItemInput,
}

/// The parsed data files.
pub fn departments() -> anyhow::Result<Vec<DepartmentRecord>> {
    serde_json::from_str(DEPARTMENTS).context("parsing demo departments.json")
}

pub fn items() -> anyhow::Result<Vec<ItemRecord>> {
    serde_json::from_str(ITEMS).context("parsing demo items.json")
}

/// What loading did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Loaded { departments: usize, items: usize },
    AlreadyPresent,
}

/// Progress reports while loading: (done, total, what).
pub type Progress<'a> = &'a (dyn Fn(u64, u64, &str) + Sync);

/// Loads the demo data unless the demo center already exists.
/// `hash` turns a password into a stored hash.
pub async fn load(
    store: &Store,
    now: DateTime<Utc>,
    hash: &(dyn Fn(&str) -> anyhow::Result<String> + Sync),
    progress: Progress<'_>,
) -> anyhow::Result<Outcome> {
    if store
        .list_centers()
        .await?
        .iter()
        .any(|c| c.name == CENTER_NAME)
    {
        return Ok(Outcome::AlreadyPresent);
    }
    let departments = departments()?;
    let items = items()?;
    let total = (departments.len() + items.len() + ACCOUNTS.len()) as u64;
    let mut done = 0u64;

    // Demo data is loaded by the system itself, acting as an administrator.
    let system = Actor {
        user_id: 0,
        username: "system".into(),
        role: Role::Admin,
        department_id: None,
    };
    let manage = authorize(&system, Permission::ManageDepartments)?;
    let center = create_centers(store, &manage, now).await?;
    let mut by_short: HashMap<String, store::Department> = HashMap::new();
    for d in &departments {
        let new = NewDepartment::parse(&DepartmentInput {
            center_id: Some(center.id),
            name: d.name.clone(),
            short_name: d.short_name.clone(),
            credit_code: d.credit_code.clone(),
            phone: d.phone.clone(),
            window_count: d.window_count,
        })
        .map_err(|e| anyhow::anyhow!("demo department {}: {e}", d.short_name))?;
        let created = store.create_department(&manage, &new, now).await?;
        by_short.insert(d.short_name.clone(), created);
        done += 1;
        progress(done, total, "部门");
    }

    for a in ACCOUNTS {
        let department_id = match a.department {
            Some(short) => Some(
                by_short
                    .get(short)
                    .with_context(|| format!("demo department {short}"))?
                    .id,
            ),
            None => None,
        };
        store
            .create_user(
                &NewUser {
                    username: a.username.into(),
                    display_name: a.display_name.into(),
                    password_hash: hash(DEMO_PASSWORD)?,
                    role: a.role,
                    department_id,
                },
                now,
            )
            .await?;
        done += 1;
        progress(done, total, "账号");
    }

    let edit = authorize(&system, Permission::EditItems)?;
    let publish = authorize(&system, Permission::PublishItems)?;
    for (i, record) in items.iter().enumerate() {
        let department = by_short.get(&record.department).with_context(|| {
            format!(
                "item {} names unknown department {}",
                i + 1,
                record.department
            )
        })?;
        let mut input = record.input.clone();
        input.department_id = Some(department.id);
        web::catalogue::apply_defaults(&mut input, department, Some(&center));
        let content = ItemContent::parse(&input)
            .map_err(|e| anyhow::anyhow!("demo item {} ({}): {e}", i + 1, record.input.name))?;
        if let Err(e) = content.check_publishable() {
            bail!(
                "demo item {} ({}) is incomplete: {e}",
                i + 1,
                record.input.name
            );
        }
        let id = store.create_item(&edit, &content, now).await?;
        store.publish(&publish, id, now).await?;
        done += 1;
        progress(done, total, "事项");
    }
    rooms::load_rooms(store, center.id, now).await?;
    hall::load_hall(store, center.id, &by_short, now).await?;
    // Everyone at a window signs in with the demo password (hashed once).
    let staff_hash = hash(DEMO_PASSWORD)?;
    staff::load(store, center.id, &by_short, &staff_hash, now).await?;
    let queue_windows: Vec<(&store::Department, &str)> = [
        (DEMO_DEPARTMENT, "01"),
        (DEMO_DEPARTMENT, "02"),
        (FEE_DEPARTMENT, "03"),
    ]
    .iter()
    .filter_map(|(d, n)| by_short.get(*d).map(|d| (d, *n)))
    .collect();
    queue::ensure_queue_demo(store, center.id, &queue_windows, now).await?;
    Ok(Outcome::Loaded {
        departments: departments.len(),
        items: items.len(),
    })
}

/// The city center above, the demo center, and one township center below it.
async fn create_centers(
    store: &Store,
    grant: &Grant,
    now: DateTime<Utc>,
) -> anyhow::Result<store::Center> {
    let hours = web::catalogue::DEFAULT_HOURS.to_string();
    let city = store
        .create_center(
            grant,
            &NewCenter {
                parent_id: None,
                name: "呼和浩特市政务服务中心".into(),
                short_name: "市政务服务中心".into(),
                level: CenterLevel::City,
                region_code: "150100".into(),
                address: "呼和浩特市新城区新华东街1号".into(),
                phone: "0471-12345".into(),
                complaint_phone: "12345".into(),
                hours: hours.clone(),
            },
            now,
        )
        .await?;
    let county = store
        .create_center(
            grant,
            &NewCenter {
                parent_id: Some(city.id),
                name: CENTER_NAME.into(),
                short_name: "新城区政务服务中心".into(),
                level: CenterLevel::County,
                region_code: "150102".into(),
                address: "呼和浩特市新城区政务服务大厅".into(),
                phone: "0471-6218617".into(),
                complaint_phone: "0471-6218617".into(),
                hours: hours.clone(),
            },
            now,
        )
        .await?;
    store
        .create_center(
            grant,
            &NewCenter {
                parent_id: Some(county.id),
                name: "新城区保合少镇便民服务中心".into(),
                short_name: "保合少镇便民服务中心".into(),
                level: CenterLevel::Township,
                region_code: "150102100".into(),
                address: "呼和浩特市新城区保合少镇".into(),
                phone: "0471-6218700".into(),
                complaint_phone: "0471-6218617".into(),
                hours,
            },
            now,
        )
        .await?;
    // Case numbers read like 新城 cases: XC-20261122-00001.
    store.set_case_prefix(city.id, "HHHT").await?;
    store.set_case_prefix(county.id, "XC").await?;
    Ok(county)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_reproduces_seed_001_counts() {
        let departments = departments().unwrap();
        let items = items().unwrap();
        assert_eq!(departments.len(), 33);
        assert_eq!(items.len(), 594);
        for d in &departments {
            let mine: Vec<&ItemRecord> = items
                .iter()
                .filter(|i| i.department == d.short_name)
                .collect();
            assert_eq!(mine.len() as u32, d.applicable_items, "{}", d.short_name);
            let entered = mine
                .iter()
                .filter(|i| i.input.entry_status == "entered")
                .count() as u32;
            assert_eq!(entered, d.entered_items, "{}", d.short_name);
        }
    }

    #[test]
    fn every_demo_item_is_a_valid_complete_item() {
        for (i, r) in items().unwrap().iter().enumerate() {
            let mut input = r.input.clone();
            input.department_id = Some(1);
            input.place = "大厅".into();
            input.hours = "工作日".into();
            input.consultation_phone = "0471-6218601".into();
            input.complaint_phone = "12345".into();
            let c = ItemContent::parse(&input)
                .unwrap_or_else(|e| panic!("item {i} {}: {e}", r.input.name));
            c.check_publishable()
                .unwrap_or_else(|e| panic!("item {i} {}: {e}", r.input.name));
            assert!(
                !r.input.name.contains("事项1"),
                "placeholder name {}",
                r.input.name
            );
        }
    }

    #[test]
    fn the_second_windows_department_has_items_with_fees() {
        let items = items().unwrap();
        let with_fees: Vec<_> = items
            .iter()
            .filter(|i| i.department == FEE_DEPARTMENT && !i.input.fees.is_empty())
            .filter(|i| i.input.entry_status == "entered")
            .collect();
        assert!(
            with_fees.len() >= 2,
            "the fee accounts have nothing to charge for"
        );
        assert!(
            ACCOUNTS
                .iter()
                .any(|a| a.department == Some(FEE_DEPARTMENT) && a.role == Role::Clerk)
        );
    }

    #[test]
    fn at_least_150_items_have_complete_guides() {
        let complete = items()
            .unwrap()
            .iter()
            .filter(|r| {
                r.input.materials.len() >= 3 && r.input.steps.len() >= 3 && !r.input.faqs.is_empty()
            })
            .count();
        assert!(complete >= 150, "{complete}");
    }
}

//! The demo roster: the people of a few demo departments at their windows
//! (AB posts; 市场监管局's window has one person only, so it is flagged; a
//! 医保局 volunteer's service ends within 30 days), the chief
//! representatives and leaders in charge, the demo accounts linked to their
//! roster entries, an account for everyone else at a window (`w13a`, `w13b`:
//! window and post; the demo password), and attendance for the past working
//! days.
//!
//! ID numbers are made up (region 150102, 新城区) and completed with their
//! GB 11643 check character; they are nobody's.
//!
//! The hall's windows come from the hall data when it has any; a center
//! without windows gets a main hall with the five windows the roster needs.

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use domain::access::{Actor, Permission, Role, authorize};
use domain::hall::{HallInput, NewHall, NewWindow, WindowInput};
use domain::identity::IdCardNumber;
use domain::staff::{NewStaff, StaffInput};
use std::collections::HashMap;
use store::{Leader, Store};

/// (department, window, post, name, birth, employment, joined, term end, account)
type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

/// Term ends are relative to the day the demo is loaded (`+N` days) or fixed.
const PEOPLE: &[Person] = &[
    (
        "人社局",
        "01",
        "A",
        "王晓燕",
        "19900312",
        "正式",
        "2024-03-01",
        None,
        Some("clerk"),
    ),
    (
        "人社局",
        "01",
        "B",
        "刘建国",
        "19880705",
        "聘用",
        "2024-03-01",
        Some("2027-02-28"),
        None,
    ),
    (
        "人社局",
        "02",
        "A",
        "赵立新",
        "19820920",
        "正式",
        "2023-09-01",
        None,
        Some("chief"),
    ),
    (
        "人社局",
        "02",
        "B",
        "李婷",
        "19930118",
        "正式",
        "2024-06-01",
        None,
        Some("approver"),
    ),
    (
        "公安分局",
        "03",
        "A",
        "周明",
        "19870402",
        "正式",
        "2024-01-02",
        None,
        Some("clerk2"),
    ),
    (
        "公安分局",
        "03",
        "B",
        "吴芳",
        "19910826",
        "聘用",
        "2024-01-02",
        Some("2027-12-31"),
        Some("approver2"),
    ),
    (
        "市场监管局",
        "04",
        "A",
        "郑海涛",
        "19850611",
        "正式",
        "2025-02-10",
        None,
        None,
    ),
    (
        "医保局",
        "05",
        "A",
        "冯静",
        "19890214",
        "正式",
        "2024-05-06",
        None,
        None,
    ),
    (
        "医保局",
        "05",
        "B",
        "陈思雨",
        "20010930",
        "志愿者",
        "2025-10-20",
        Some("+21"),
        None,
    ),
];

const FEMALE: &[&str] = &["王晓燕", "李婷", "吴芳", "冯静", "陈思雨"];

/// Names for the rest of the hall's windows (made up, combined in turn).
const SURNAMES: &[&str] = &[
    "张", "杨", "黄", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "梁", "宋", "谢", "韩",
    "唐", "董", "萧", "曹", "许", "邓", "彭", "曾", "田",
];
const GIVEN_M: &[&str] = &[
    "志强", "建华", "海波", "文博", "国栋", "子豪", "浩然", "俊杰", "宏伟", "鹏飞", "天翼",
];
const GIVEN_F: &[&str] = &[
    "丽娜", "雅静", "晓梅", "佳怡", "秀英", "慧敏", "欣悦", "春燕", "雪莹", "梦洁", "婉婷",
];

/// (department, leader, post, phone, chief's name)
const LEADERS: &[(&str, &str, &str, &str, &str)] = &[
    ("人社局", "孙志强", "副局长", "0471-6218611", "赵立新"),
    ("公安分局", "韩卫东", "副局长", "0471-6218612", "周明"),
    ("市场监管局", "杨光", "副局长", "0471-6218613", "郑海涛"),
    ("医保局", "何丽", "副局长", "0471-6218614", "冯静"),
];

fn system() -> Actor {
    Actor {
        user_id: 0,
        username: "system".into(),
        role: Role::Admin,
        department_id: None,
    }
}

/// A sign-in account for a person at a window who has none yet, so that
/// what they do at the window is theirs (and their figures and scores):
/// the department's chief representative as such, the A post as a clerk,
/// the B post as an approver. The username is the window and post
/// (`w13a`); the password is the demo password.
async fn window_account(
    store: &Store,
    name: &str,
    department_id: i64,
    (window, post, chief): (&str, &str, bool),
    password_hash: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let role = match (chief, post) {
        (true, _) => Role::ChiefRep,
        (false, "A") => Role::Clerk,
        _ => Role::Approver,
    };
    let user = store
        .create_user(
            &store::NewUser {
                username: format!("w{window}{}", post.to_lowercase()),
                display_name: name.into(),
                password_hash: password_hash.into(),
                role,
                department_id: Some(department_id),
            },
            now,
        )
        .await?;
    Ok(user.id)
}

/// Loads the roster (with an account for everyone at a window),
/// representatives and past attendance.
pub async fn load(
    store: &Store,
    center_id: i64,
    departments: &HashMap<String, store::Department>,
    password_hash: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let today = domain::supervision::beijing_date(now);
    let windows = windows(store, center_id, departments, now).await?;
    let hall_windows = store.list_windows(center_id).await?;
    let number_of = |id: i64| {
        hall_windows
            .iter()
            .find(|w| w.id == id)
            .map(|w| w.number.clone())
    };
    let users = store.list_users().await?;
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for (i, p) in PEOPLE.iter().enumerate() {
        let (dept, window, post, name, birth, employment, joined, ends, account) = *p;
        let department = departments
            .get(dept)
            .with_context(|| format!("demo department {dept}"))?;
        // The sequence's last digit is odd for men, even for women.
        let female = FEMALE.contains(&name);
        let seq = 100 + 2 * i + usize::from(!female);
        let id_number = IdCardNumber::complete(&format!("150102{birth}{seq:03}"))
            .context("a demo ID number")?;
        let term_ends_on = match ends {
            Some(rel) if rel.starts_with('+') => {
                let days: i64 = rel[1..].parse()?;
                (today + Duration::days(days)).to_string()
            }
            Some(fixed) => fixed.to_string(),
            None => String::new(),
        };
        let mut input = StaffInput {
            name: name.into(),
            ethnicity: if i % 4 == 3 { "蒙古族" } else { "汉族" }.into(),
            id_number: id_number.as_str().into(),
            education: if i % 3 == 0 { "大学本科" } else { "大专" }.into(),
            political_status: if i % 2 == 0 { "中共党员" } else { "群众" }.into(),
            employment: employment.into(),
            phone: format!("1394710{:04}", 1001 + i),
            department_id: Some(department.id),
            window_id: windows.get(window).copied(),
            post: if windows.contains_key(window) {
                post
            } else {
                ""
            }
            .into(),
            joined_on: joined.into(),
            term_ends_on,
            user_id: account.and_then(|a| users.iter().find(|u| u.username == a).map(|u| u.id)),
            ..Default::default()
        };
        if input.user_id.is_none()
            && let Some(number) = input.window_id.and_then(number_of)
        {
            let chief = LEADERS.iter().any(|l| l.0 == dept && l.4 == name);
            let id = window_account(
                store,
                name,
                department.id,
                (&number, post, chief),
                password_hash,
                now,
            )
            .await?;
            input.user_id = Some(id);
        }
        let staff =
            NewStaff::parse(&input, "").map_err(|e| anyhow::anyhow!("demo staff {name}: {e}"))?;
        let created = store.create_staff(center_id, &staff, now).await?;
        ids.insert(name, created.id);
    }
    // Everyone else: an A and a B post at each resident window of the hall
    // that the people above do not staff, so that only the cases meant to be
    // flagged are flagged.
    let staffed: Vec<i64> = windows.values().copied().collect();
    let named: Vec<i64> = LEADERS
        .iter()
        .filter_map(|l| departments.get(l.0).map(|d| d.id))
        .collect();
    // Each other department's first A post is its chief representative.
    let mut chiefs: Vec<(i64, i64)> = Vec::new();
    let mut k = 0usize;
    for w in &hall_windows {
        let Some(department_id) = w.department_id else {
            continue;
        };
        if !w.active || w.kind != domain::hall::WindowKind::Resident || staffed.contains(&w.id) {
            continue;
        }
        for post in ["A", "B"] {
            let female = k % 2 == 1;
            let name = format!(
                "{}{}",
                SURNAMES[k % SURNAMES.len()],
                if female {
                    GIVEN_F[(k / 2) % GIVEN_F.len()]
                } else {
                    GIVEN_M[(k / 2) % GIVEN_M.len()]
                }
            );
            let birth = format!("{}{:02}{:02}", 1984 + k % 14, 1 + k % 12, 1 + (k * 7) % 28);
            let seq = 300 + 2 * k + usize::from(!female);
            let id_number = IdCardNumber::complete(&format!("150102{birth}{:03}", seq % 1000))
                .context("a demo ID number")?;
            let chief = post == "A"
                && !named.contains(&department_id)
                && !chiefs.iter().any(|(d, _)| *d == department_id);
            let user_id = window_account(
                store,
                &name,
                department_id,
                (&w.number, post, chief),
                password_hash,
                now,
            )
            .await?;
            let input = StaffInput {
                name: name.clone(),
                ethnicity: if k % 5 == 4 { "蒙古族" } else { "汉族" }.into(),
                id_number: id_number.as_str().into(),
                education: if k.is_multiple_of(3) {
                    "硕士研究生"
                } else {
                    "大学本科"
                }
                .into(),
                political_status: if k.is_multiple_of(2) {
                    "中共党员"
                } else {
                    "群众"
                }
                .into(),
                employment: if post == "A" { "正式" } else { "聘用" }.into(),
                phone: format!("1384710{:04}", 2001 + k),
                department_id: Some(department_id),
                window_id: Some(w.id),
                post: post.into(),
                joined_on: format!("{}-{:02}-01", 2022 + k % 3, 1 + k % 12),
                user_id: Some(user_id),
                ..Default::default()
            };
            let staff = NewStaff::parse(&input, "")
                .map_err(|e| anyhow::anyhow!("demo staff {name}: {e}"))?;
            let created = store.create_staff(center_id, &staff, now).await?;
            if chief {
                chiefs.push((department_id, created.id));
            }
            k += 1;
        }
    }
    for (i, (department_id, chief)) in chiefs.into_iter().enumerate() {
        store
            .set_representatives(
                department_id,
                Some(chief),
                &Leader {
                    name: format!(
                        "{}{}",
                        SURNAMES[(i + 7) % SURNAMES.len()],
                        GIVEN_M[i % GIVEN_M.len()]
                    ),
                    post: "分管副局长".into(),
                    phone: format!("0471-62{:05}", 18700 + i),
                },
                now,
            )
            .await?;
    }
    for (dept, leader, post, phone, chief) in LEADERS {
        let department = departments
            .get(*dept)
            .with_context(|| format!("demo department {dept}"))?;
        store
            .set_representatives(
                department.id,
                ids.get(chief).copied(),
                &Leader {
                    name: (*leader).into(),
                    post: (*post).into(),
                    phone: (*phone).into(),
                },
                now,
            )
            .await?;
    }
    attendance(store, center_id, now, today).await
}

/// The windows the roster names, by number: the hall's if it has any (each
/// department's in order; missing ones are left out), else a main hall with
/// windows 01–05 made for the roster.
async fn windows(
    store: &Store,
    center_id: i64,
    departments: &HashMap<String, store::Department>,
    now: DateTime<Utc>,
) -> anyhow::Result<HashMap<&'static str, i64>> {
    let existing = store.list_windows(center_id).await?;
    let wanted = [
        ("01", "人社局"),
        ("02", "人社局"),
        ("03", "公安分局"),
        ("04", "市场监管局"),
        ("05", "医保局"),
    ];
    let mut out = HashMap::new();
    if !existing.is_empty() {
        // Take each department's windows in order from the hall data.
        let mut used: Vec<i64> = Vec::new();
        for (number, dept) in wanted {
            let d = departments.get(dept).context("a demo department")?.id;
            if let Some(w) = existing
                .iter()
                .find(|w| w.department_id == Some(d) && !used.contains(&w.id))
            {
                used.push(w.id);
                out.insert(number, w.id);
            }
        }
        // People whose department has no window stay on the roster unposted.
        return Ok(out);
    }
    let hall = match store.list_halls(center_id).await?.into_iter().next() {
        Some(h) => h,
        None => {
            let new = NewHall::parse(&HallInput {
                name: "政务服务大厅".into(),
                kind: "main".into(),
                ..Default::default()
            })
            .map_err(|e| anyhow::anyhow!("demo hall: {e}"))?;
            store.create_hall(center_id, &new, now).await?
        }
    };
    for (i, (number, dept)) in (0i64..).zip(wanted) {
        let d = departments.get(dept).context("a demo department")?;
        let w = NewWindow::parse(&WindowInput {
            hall_id: hall.id,
            number: number.into(),
            kind: "resident".into(),
            name: format!("{number}号窗口（{dept}）"),
            department_id: Some(d.id),
            x: 40 + 80 * i,
            y: 40,
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("demo window {number}: {e}"))?;
        out.insert(number, store.create_window(&w, now).await?.id);
    }
    Ok(out)
}

/// How far back the demo's attendance goes: this month and most of the last.
const DAYS_BACK: u32 = 40;

/// Sign-ins and sign-outs for the past 40 days before today: most on time,
/// a few minutes late now and then, one early leave and one absence.
async fn attendance(
    store: &Store,
    center_id: i64,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let grant = authorize(&system(), Permission::ViewStaff)?;
    let staff = store
        .list_staff(&grant, center_id, &store::StaffFilter::default())
        .await?;
    let calendar = store.calendar(center_id).await?;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).context("an offset")?;
    let at = |day: NaiveDate, h: u32, m: u32| -> anyhow::Result<DateTime<Utc>> {
        Ok(day
            .and_time(NaiveTime::from_hms_opt(h, m, 0).context("a time")?)
            .and_local_timezone(beijing)
            .single()
            .context("a local time")?
            .to_utc())
    };
    for (i, s) in staff.iter().enumerate() {
        for back in 1..=DAYS_BACK {
            let day = today - Duration::days(i64::from(back));
            if day < s.joined_on || !calendar.is_working_day(day) {
                continue;
            }
            let k = (i as u32 * 7 + back * 3) % 23;
            if k == 5 {
                continue; // absent
            }
            let (in_h, in_m) = if k == 11 {
                (9, 4 + i as u32 % 5)
            } else {
                (8, 40 + k % 19)
            };
            let (out_h, out_m) = if k == 17 { (16, 40) } else { (17, 2 + k % 9) };
            store
                .record_attendance(
                    s.id,
                    day,
                    Some(at(day, in_h, in_m)?),
                    Some(at(day, out_h, out_m)?),
                    None,
                    now,
                )
                .await?;
        }
    }
    Ok(())
}

//! The demo hall: the 铜仁 layout of seed 000 given to the demo center.
//!
//! Seed 000's building has the center on floors 1, 3 and 5 with the zones
//! `data/tongren-floors.csv` names; its 54 units (`data/tongren-units.csv`:
//! 46 government units, 5 banks, 3 convenience services) become 54 windows:
//! 不动产登记 and 房地产交易 on floor 1 with the banks (金融机构) and the
//! convenience services (便民服务窗口, no department), every other government
//! unit on floor 3 (部门办事窗口区). The demo center's departments are the 33
//! of seed 001 (新城区), so each 铜仁 unit is staffed by the nearest of them
//! (`UNITS`). The branch halls of `data/tongren-branch-halls.csv` are added,
//! and 社保分厅 and 交警分厅 keep an extension window (延伸窗口) in the main
//! hall: the windows of 市社保局 and 市交警支队. Business categories (the
//! queue's letters) are linked to the windows that serve them.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use domain::hall::{
    CategoryInput, FloorInput, HallInput, NewCategory, NewFloor, NewHall, NewWindow, NewZone,
    WindowInput, ZoneInput,
};
use std::collections::HashMap;
use store::Store;

const UNITS_CSV: &str = include_str!("../data/tongren-units.csv");
const FLOORS_CSV: &str = include_str!("../data/tongren-floors.csv");
const BRANCH_HALLS_CSV: &str = include_str!("../data/tongren-branch-halls.csv");

pub const MAIN_HALL: &str = "新城区政务服务大厅";
pub const ONLINE_HALL: &str = "网上办事大厅";

/// The business categories: the queue number's letter, name, description.
/// I and O are left out: on a ticket they read as 1 and 0.
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("A", "综合业务", "各部门综合受理、咨询与综合代办"),
    ("B", "不动产登记", "不动产登记、房地产交易"),
    ("C", "市场准入", "企业开办、登记注册与经营许可"),
    ("D", "社保医保", "社会保险、就业与劳动保障"),
    ("E", "公安户政", "户籍、身份证、出入境与交通管理"),
    ("F", "税费缴纳", "非税收入与规费缴纳"),
    ("G", "公积金", "住房公积金缴存、提取与贷款"),
    ("H", "工程建设", "投资项目审批、规划、施工与消防"),
    ("J", "交通运输", "道路运输、水路与公路许可"),
    ("K", "便民服务", "银行、邮政、通信与广电业务"),
];

/// A 铜仁 government unit: the demo department that staffs its window, the
/// letter of its business category, and the branch hall it is the
/// extension window of.
pub const UNITS: &[(&str, &str, &str, Option<&str>)] = &[
    ("市公安局", "公安分局", "E", None),
    ("市安全监管局", "应急管理局", "A", None),
    ("市房地产交易中心", "住建局", "B", None),
    ("市城乡规划局", "住建局", "H", None),
    ("市环保局", "生态环境分局", "H", None),
    ("市交警支队", "交管大队", "E", Some("交警分厅")),
    ("市交通运输局", "运管分局", "J", None),
    ("市道路运输局", "运管分局", "J", None),
    ("市地方海事局", "运管分局", "J", None),
    ("市工商局", "市场监管局", "C", None),
    ("市质监局", "市场监管局", "C", None),
    ("市公积金管理中心", "住建局", "G", None),
    ("市水务局", "农牧水利局", "H", None),
    ("市民政局", "民政局", "A", None),
    ("市司法局", "司法局", "A", None),
    ("市商务局", "发改委", "C", None),
    ("市人防办", "住建局", "H", None),
    ("市人力资源社会保障局", "人社局", "D", None),
    ("市文化广电新闻出版局", "文体旅游广电局", "A", None),
    ("市不动产登记中心", "住建局", "B", None),
    ("市食品药品监管局", "市场监管局", "C", None),
    ("市城管局", "城管局", "H", None),
    ("市发改委", "发改委", "H", None),
    ("市卫生计生委", "卫健委", "A", None),
    ("市教育局", "教育局", "A", None),
    ("市气象局", "应急管理局", "H", None),
    ("市住房城乡建设局", "住建局", "H", None),
    ("市旅发委", "文体旅游广电局", "A", None),
    ("市水库生态移民局", "农牧水利局", "A", None),
    ("市残联", "残联", "A", None),
    ("市科技局", "科技局", "A", None),
    ("铜仁无线电管理局", "工信局", "A", None),
    ("市林业局", "林业局", "A", None),
    ("市农委", "农牧水利局", "A", None),
    ("市总工会", "总工会", "A", None),
    ("市民宗委", "民委", "A", None),
    ("市工信委", "工信局", "C", None),
    ("市消防支队", "应急管理局", "H", None),
    ("市社保局", "人社局", "D", Some("社保分厅")),
    ("市国土资源局", "住建局", "H", None),
    ("铜仁高速公路管理处", "运管分局", "J", None),
    ("市中小商贸流通企业服务中心", "工信局", "C", None),
    ("市投资促进局", "发改委", "C", None),
    ("市就业局", "人社局", "D", None),
    ("市体育局", "文体旅游广电局", "A", None),
    ("市非税局", "财政局", "F", None),
];

/// A zone of the layout: (floor, what the floors CSV says, zone name,
/// purpose, x, y, width, height).
type ZoneLayout = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    i64,
    i64,
);

/// What each floor holds (as the floors CSV words it) drawn as a zone.
const ZONES: &[ZoneLayout] = &[
    (
        1,
        "市不动产登记中心",
        "不动产登记",
        "windows",
        20,
        20,
        230,
        130,
    ),
    (
        1,
        "房地产交易中心",
        "房地产交易",
        "windows",
        270,
        20,
        230,
        130,
    ),
    (1, "中介服务机构", "中介服务", "windows", 520, 20, 220, 130),
    (1, "文印中心", "文印中心", "self_service", 760, 20, 220, 130),
    (1, "金融机构", "金融机构", "windows", 20, 170, 480, 130),
    (
        1,
        "便民服务窗口",
        "便民服务窗口",
        "windows",
        520,
        170,
        460,
        130,
    ),
    (1, "档案室", "档案室", "room", 20, 320, 300, 200),
    (1, "专家评审室", "专家评审室", "room", 340, 320, 300, 200),
    (1, "安保室", "安保室", "office", 660, 320, 320, 200),
    (
        3,
        "市级各进驻部门办事窗口",
        "部门办事窗口区",
        "windows",
        20,
        20,
        960,
        360,
    ),
    (
        3,
        "市政务服务中心管理层科室",
        "管理科室",
        "office",
        20,
        400,
        300,
        200,
    ),
    (3, "专家评审室", "专家评审室", "room", 340, 400, 200, 200),
    (3, "党员活动室", "党员活动室", "room", 560, 400, 200, 200),
    (3, "档案室", "档案室", "room", 780, 400, 200, 200),
    (
        5,
        "市政务服务中心管理层办公室",
        "管理层办公室",
        "office",
        20,
        20,
        460,
        360,
    ),
    (5, "多媒体会议室", "多媒体会议室", "room", 500, 20, 480, 170),
    (5, "职工食堂", "职工食堂", "other", 500, 210, 480, 170),
];

/// Each floor's map size in decimetres.
const FLOOR_SIZES: &[(i64, i64, i64)] = &[(1, 1000, 540), (3, 1000, 620), (5, 1000, 400)];

/// One unit of the units CSV: its kind (`government`, `bank`,
/// `convenience`) and name.
pub fn units() -> Vec<(String, String)> {
    rows(UNITS_CSV)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

/// The floors CSV: floor level and what it holds.
pub fn floors() -> anyhow::Result<Vec<(i64, Vec<String>)>> {
    rows(FLOORS_CSV)
        .into_iter()
        .map(|r| {
            Ok((
                r[0].parse().context("floor level")?,
                r[1].split(';').map(str::to_string).collect(),
            ))
        })
        .collect()
}

/// The branch halls CSV: name and whether it keeps an extension window.
pub fn branch_halls() -> Vec<(String, bool)> {
    rows(BRANCH_HALLS_CSV)
        .into_iter()
        .map(|r| (r[0].clone(), r[1] == "yes"))
        .collect()
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// What loading the hall wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HallOutcome {
    pub halls: usize,
    pub windows: usize,
}

/// Writes the halls, floors, zones, categories and windows for the demo
/// center, through the same parsing as the API.
pub async fn load_hall(
    store: &Store,
    center_id: i64,
    departments: &HashMap<String, store::Department>,
    now: DateTime<Utc>,
) -> anyhow::Result<HallOutcome> {
    let hall = |name: &str, kind: &str, address: &str, sort_order: i64| {
        NewHall::parse(&HallInput {
            name: name.into(),
            kind: kind.into(),
            address: address.into(),
            sort_order,
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("demo hall {name}: {e}"))
    };
    let main = store
        .create_hall(
            center_id,
            &hall(
                MAIN_HALL,
                "main",
                "呼和浩特市新城区政务服务大厅1、3、5楼",
                0,
            )?,
            now,
        )
        .await?;
    let mut branches: HashMap<String, i64> = HashMap::new();
    for (i, (name, _)) in branch_halls().iter().enumerate() {
        let h = store
            .create_hall(center_id, &hall(name, "branch", "", 10 + i as i64)?, now)
            .await?;
        branches.insert(name.clone(), h.id);
    }
    store
        .create_hall(
            center_id,
            &hall(ONLINE_HALL, "online", "网上办事大厅（政务服务网）", 99)?,
            now,
        )
        .await?;

    let mut zones: HashMap<&str, i64> = HashMap::new();
    for (level, holds) in floors()? {
        let (width, height) = FLOOR_SIZES
            .iter()
            .find(|(l, _, _)| *l == level)
            .map(|(_, w, h)| (*w, *h))
            .with_context(|| format!("no map size for floor {level}"))?;
        let floor = store
            .create_floor(
                main.id,
                &NewFloor::parse(&FloorInput {
                    level,
                    name: String::new(),
                    width: Some(width),
                    height: Some(height),
                })
                .map_err(|e| anyhow::anyhow!("demo floor {level}: {e}"))?,
                now,
            )
            .await?;
        for held in &holds {
            let Some((_, _, name, purpose, x, y, w, h)) =
                ZONES.iter().find(|z| z.0 == level && z.1 == held)
            else {
                bail!("floor {level} holds {held}, which the demo layout does not place");
            };
            let zone = store
                .create_zone(
                    floor.id,
                    &NewZone::parse(&ZoneInput {
                        name: (*name).into(),
                        purpose: (*purpose).into(),
                        x: *x,
                        y: *y,
                        width: Some(*w),
                        height: Some(*h),
                    })
                    .map_err(|e| anyhow::anyhow!("demo zone {name}: {e}"))?,
                    now,
                )
                .await?;
            if level == 1 || *name == "部门办事窗口区" {
                zones.insert(name, zone.id);
            }
        }
    }

    let mut categories: HashMap<&str, i64> = HashMap::new();
    for (code, name, description) in CATEGORIES {
        let c = store
            .create_category(
                center_id,
                &NewCategory::parse(&CategoryInput {
                    code: (*code).into(),
                    name: (*name).into(),
                    description: (*description).into(),
                })
                .map_err(|e| anyhow::anyhow!("demo category {name}: {e}"))?,
                now,
            )
            .await?;
        categories.insert(code, c.id);
    }

    // Floor 1: 不动产登记 and 房地产交易, the banks, the convenience
    // services; floor 3: every other government unit, eleven to a row.
    let units = units();
    let mut placed: Vec<(String, &str, &str, i64, i64)> = Vec::new();
    let slot = |zone: &str, i: i64| -> (i64, i64) {
        let (x0, y0) = ZONES
            .iter()
            .find(|z| z.2 == zone)
            .map(|z| (z.4, z.5))
            .unwrap_or_default();
        (x0 + 20 + (i % 11) * 84, y0 + 40 + (i / 11) * 80)
    };
    for (unit, zone) in [
        ("市不动产登记中心", "不动产登记"),
        ("市房地产交易中心", "房地产交易"),
    ] {
        let (x, y) = slot(zone, 0);
        placed.push((unit.to_string(), "government", zone, x, y));
    }
    for (kind, zone) in [("bank", "金融机构"), ("convenience", "便民服务窗口")] {
        for (i, (_, name)) in units.iter().filter(|(k, _)| k == kind).enumerate() {
            let (x, y) = slot(zone, i as i64);
            placed.push((name.clone(), kind, zone, x, y));
        }
    }
    let upstairs: Vec<&String> = units
        .iter()
        .filter(|(k, n)| k == "government" && !placed.iter().any(|p| &p.0 == n))
        .map(|(_, n)| n)
        .collect();
    for (i, name) in upstairs.into_iter().enumerate() {
        let (x, y) = slot("部门办事窗口区", i as i64);
        placed.push((name.clone(), "government", "部门办事窗口区", x, y));
    }

    for (i, (name, kind, zone, x, y)) in placed.iter().enumerate() {
        let number = format!("{:02}", i + 1);
        let mut input = WindowInput {
            hall_id: main.id,
            zone_id: Some(*zones.get(zone).with_context(|| format!("zone {zone}"))?),
            number,
            x: *x,
            y: *y,
            ..Default::default()
        };
        if *kind == "government" {
            let (_, department, category, branch) = UNITS
                .iter()
                .find(|u| u.0 == name)
                .with_context(|| format!("铜仁 unit {name} has no demo department"))?;
            let d = departments
                .get(*department)
                .with_context(|| format!("demo department {department}"))?;
            input.department_id = Some(d.id);
            input.category_ids = vec![categories[category]];
            match branch {
                Some(b) => {
                    input.kind = "extension".into();
                    input.branch_hall_id = Some(branches[*b]);
                    input.name = name.clone();
                }
                None => {
                    input.kind = "resident".into();
                    input.name = name.clone();
                }
            }
        } else {
            input.kind = "convenience".into();
            input.name = name.clone();
            input.category_ids = vec![categories["K"]];
        }
        let w = NewWindow::parse(&input).map_err(|e| anyhow::anyhow!("demo window {name}: {e}"))?;
        store.create_window(&w, now).await?;
    }
    Ok(HallOutcome {
        halls: 2 + branches.len(),
        windows: placed.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_is_seed_000s_54_units_and_four_branch_halls() {
        let units = units();
        assert_eq!(units.len(), 54);
        let count = |k: &str| units.iter().filter(|(kind, _)| kind == k).count();
        assert_eq!(
            (count("government"), count("bank"), count("convenience")),
            (46, 5, 3)
        );
        // Every government unit has a department, and only those.
        for (kind, name) in &units {
            assert_eq!(
                UNITS.iter().any(|u| u.0 == name),
                kind == "government",
                "{name}"
            );
        }
        assert_eq!(UNITS.len(), 46);
        let with_extension: Vec<String> = branch_halls()
            .into_iter()
            .filter(|(_, ext)| *ext)
            .map(|(n, _)| n)
            .collect();
        assert_eq!(with_extension, ["社保分厅", "交警分厅"]);
        let mut extensions: Vec<&str> = UNITS.iter().filter_map(|u| u.3).collect();
        extensions.sort();
        let mut expected = with_extension.clone();
        expected.sort();
        assert_eq!(extensions, expected);
    }

    #[test]
    fn every_thing_a_floor_holds_has_a_zone_inside_the_floor() {
        let floors = floors().unwrap();
        let levels: Vec<i64> = floors.iter().map(|(l, _)| *l).collect();
        assert_eq!(levels, [1, 3, 5]);
        for (level, holds) in &floors {
            let (_, w, h) = FLOOR_SIZES.iter().find(|f| f.0 == *level).unwrap();
            for held in holds {
                let z = ZONES
                    .iter()
                    .find(|z| z.0 == *level && z.1 == held)
                    .unwrap_or_else(|| panic!("{level}楼 {held}"));
                assert!(
                    z.4 + z.6 <= *w && z.5 + z.7 <= *h,
                    "{} leaves the floor",
                    z.2
                );
            }
        }
        assert_eq!(
            ZONES.len(),
            floors.iter().map(|(_, h)| h.len()).sum::<usize>()
        );
        // Eleven windows to a row, four rows: the 44 units upstairs fit.
        let zone = ZONES.iter().find(|z| z.2 == "部门办事窗口区").unwrap();
        assert!(20 + 10 * 84 + 70 <= zone.6 && 40 + 3 * 80 + 44 <= zone.7);
    }
}

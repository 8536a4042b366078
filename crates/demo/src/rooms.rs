//! The demo center's shared rooms (共享功能室), after the 铜仁 plan of seed 000
//! (`../shared/data/seed000-tongren-floors.csv`): an archive room and an
//! expert-review room on floors 1 and 3, the multimedia meeting room on
//! floor 5, and the bid opening and evaluation rooms of public resource
//! trading; with a few bookings in the demo's current week, made through the
//! same checks as the pages.

use anyhow::Context;
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveTime, Utc};
use domain::access::{Actor, Permission, authorize};
use domain::room::{BookingAction, BookingInput, BookingRequest, NewRoom, RoomInput};
use store::Store;

struct DemoRoom {
    name: &'static str,
    kind: &'static str,
    floor: &'static str,
    capacity: i64,
    equipment: &'static [&'static str],
    hours: &'static str,
}

const ROOMS: &[DemoRoom] = &[
    DemoRoom {
        name: "1楼档案室",
        kind: "archive",
        floor: "1楼",
        capacity: 6,
        equipment: &["密集档案柜", "查阅桌", "温湿度监控"],
        hours: "",
    },
    DemoRoom {
        name: "1楼专家评审室",
        kind: "expert_review",
        floor: "1楼",
        capacity: 12,
        equipment: &["投影仪", "评审终端", "录音录像"],
        hours: "",
    },
    DemoRoom {
        name: "3楼档案室",
        kind: "archive",
        floor: "3楼",
        capacity: 6,
        equipment: &["密集档案柜", "查阅桌"],
        hours: "",
    },
    DemoRoom {
        name: "3楼专家评审室",
        kind: "expert_review",
        floor: "3楼",
        capacity: 15,
        equipment: &["投影仪", "评审终端", "录音录像"],
        hours: "",
    },
    DemoRoom {
        name: "5楼多媒体会议室",
        kind: "meeting",
        floor: "5楼",
        capacity: 60,
        equipment: &["LED大屏", "投影仪", "无线话筒", "视频会议终端"],
        hours: "08:30-18:00",
    },
    DemoRoom {
        name: "开标室",
        kind: "bid_opening",
        floor: "3楼",
        capacity: 40,
        equipment: &["电子开标系统", "录音录像", "LED屏"],
        hours: "08:30-12:00,13:30-18:00",
    },
    DemoRoom {
        name: "评标室",
        kind: "bid_evaluation",
        floor: "3楼",
        capacity: 20,
        equipment: &["隔离评标终端", "录音录像", "门禁", "手机屏蔽柜"],
        hours: "08:30-12:00,13:30-18:00",
    },
];

/// (weekday from Monday, room, start, end, purpose, organiser, attendees, approve)
type DemoBooking = (
    u64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    bool,
);

const BOOKINGS: &[DemoBooking] = &[
    (
        0,
        "5楼多媒体会议室",
        "09:00",
        "10:30",
        "中心周例会",
        "中心管理层",
        30,
        true,
    ),
    (
        1,
        "开标室",
        "14:00",
        "16:00",
        "市政道路维修工程开标",
        "公共资源交易中心",
        25,
        true,
    ),
    (
        2,
        "评标室",
        "09:00",
        "12:00",
        "办公设备采购项目评标",
        "公共资源交易中心",
        12,
        false,
    ),
    (
        3,
        "1楼专家评审室",
        "09:30",
        "11:00",
        "建设项目环评专家评审",
        "生态环境分局",
        9,
        true,
    ),
    (
        4,
        "5楼多媒体会议室",
        "14:30",
        "16:30",
        "窗口服务礼仪培训",
        "人社局",
        45,
        true,
    ),
];

/// Adds the rooms to `center_id` and books the current week (Beijing) on its
/// working days, as the demo's center administrator.
pub async fn load_rooms(store: &Store, center_id: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
    let (user, _) = store
        .user_with_password("admin")
        .await?
        .context("the demo administrator")?;
    let admin = Actor {
        user_id: user.id,
        username: "admin".into(),
        role: domain::access::Role::Admin,
        department_id: None,
    };
    let manage = authorize(&admin, Permission::ManageRooms)?;
    let book = authorize(&admin, Permission::BookRooms)?;
    let mut ids = std::collections::HashMap::new();
    for r in ROOMS {
        let room = NewRoom::parse(&RoomInput {
            center_id: Some(center_id),
            name: r.name.into(),
            kind: r.kind.into(),
            floor: r.floor.into(),
            capacity: r.capacity,
            equipment: r.equipment.iter().map(|e| e.to_string()).collect(),
            needs_approval: None,
            hours: r.hours.into(),
            active: Some(true),
        })
        .map_err(|e| anyhow::anyhow!("demo room {}: {e}", r.name))?;
        ids.insert(r.name, store.create_room(&manage, &room, now).await?.id);
    }

    // Booked as if on Monday morning before work, so the whole week is ahead.
    let beijing = FixedOffset::east_opt(8 * 3600).context("UTC+8")?;
    let today = now.with_timezone(&beijing).date_naive();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let booked_at = monday
        .and_time(NaiveTime::from_hms_opt(7, 0, 0).context("07:00")?)
        .and_local_timezone(beijing)
        .single()
        .context("Monday 07:00")?
        .to_utc()
        .min(now);
    let calendar = store.calendar(center_id).await?;
    for (offset, room, start, end, purpose, organiser, attendees, approve) in BOOKINGS {
        let day = monday + Days::new(*offset);
        if !calendar.is_working_day(day) {
            continue;
        }
        let req = BookingRequest::parse(&BookingInput {
            date: day.to_string(),
            start: (*start).into(),
            end: (*end).into(),
            purpose: (*purpose).into(),
            attendees: *attendees,
            organiser: (*organiser).into(),
        })
        .map_err(|e| anyhow::anyhow!("demo booking {purpose}: {e}"))?;
        let room_id = *ids.get(room).context("demo booking room")?;
        let b = store.book_room(&book, room_id, &req, booked_at).await?;
        if *approve && b.status == "pending" {
            store
                .act_on_booking(&manage, b.id, BookingAction::Approve, "", booked_at)
                .await?;
        }
    }
    Ok(())
}

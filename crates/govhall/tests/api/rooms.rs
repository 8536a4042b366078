//! Shared rooms over HTTP: administrators manage rooms; staff book them with
//! conflict checks (overlaps refused with 409 and nothing written, opening
//! hours, working days, the past, capacity); bid rooms wait for approval;
//! cancelling frees the slot; the pages show refusals in Chinese.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};

/// Monday 12 October 2026, after the National Day holiday.
const DAY: &str = "2026-10-12";

struct Rooms {
    app: TestApp,
    admin: String,
    clerk: String,
    clerk_b: String,
    /// 5楼多媒体会议室: no approval, 40 people, the hall's hours.
    meeting: i64,
    /// 开标室: approval by default.
    bid: i64,
}

async fn rooms() -> Rooms {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;
    let meeting = create(
        &app,
        &admin,
        json!({"name": "5楼多媒体会议室", "kind": "meeting", "floor": "5楼", "capacity": 40,
               "equipment": ["投影仪", "话筒", "视频会议终端"]}),
    )
    .await;
    let bid = create(
        &app,
        &admin,
        json!({"name": "开标室", "kind": "开标室", "floor": "3楼", "capacity": 30,
               "hours": "08:30-18:00"}),
    )
    .await;
    Rooms {
        clerk: app.token("clerk").await,
        clerk_b: app.token("clerk_b").await,
        app,
        admin,
        meeting,
        bid,
    }
}

async fn create(app: &TestApp, admin: &str, body: Value) -> i64 {
    let r = app.post_json("/api/v1/rooms", Some(admin), &body).await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_i64().expect("an id")
}

fn booking(date: &str, start: &str, end: &str, attendees: i64) -> Value {
    json!({"date": date, "start": start, "end": end, "purpose": "窗口业务培训",
           "attendees": attendees, "organiser": "人社局"})
}

impl Rooms {
    async fn book(&self, token: &str, room: i64, body: &Value) -> crate::helpers::Reply {
        self.app
            .post_json(&format!("/api/v1/rooms/{room}/bookings"), Some(token), body)
            .await
    }

    async fn book_ok(&self, token: &str, room: i64, body: &Value) -> Value {
        let r = self.book(token, room, body).await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()
    }

    async fn step(&self, token: &str, id: i64, action: &str, body: Value) -> crate::helpers::Reply {
        self.app
            .post_json(
                &format!("/api/v1/room-bookings/{id}/{action}"),
                Some(token),
                &body,
            )
            .await
    }

    /// The room's bookings of [`DAY`], every status.
    async fn on_day(&self, room: i64) -> Vec<Value> {
        let r = self
            .app
            .get(
                &format!("/api/v1/rooms/{room}/bookings?from={DAY}&to={DAY}"),
                Some(&self.clerk),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["bookings"].as_array().unwrap().clone()
    }
}

#[tokio::test]
async fn administrators_manage_rooms_and_staff_see_the_active_ones() {
    let r = rooms().await;
    let app = &r.app;
    let list = app.get("/api/v1/rooms", Some(&r.clerk)).await.json();
    let rooms = list["rooms"].as_array().unwrap();
    assert_eq!(rooms.len(), 2);
    let meeting = rooms.iter().find(|x| x["id"] == r.meeting).unwrap();
    assert_eq!(meeting["kind_name"], "会议室");
    assert_eq!(meeting["needs_approval"], false);
    assert_eq!(
        meeting["hours"], "09:00-12:00,13:30-17:00",
        "the hall's hours"
    );
    assert_eq!(
        meeting["equipment"],
        json!(["投影仪", "话筒", "视频会议终端"])
    );
    let bid = rooms.iter().find(|x| x["id"] == r.bid).unwrap();
    assert_eq!(bid["needs_approval"], true, "bid rooms need approval");
    assert_eq!(bid["hours"], "08:30-18:00");

    // A clerk cannot add rooms; bad input names the field; names are unique.
    app.post_json(
        "/api/v1/rooms",
        Some(&r.clerk),
        &json!({"name": "x", "kind": "meeting", "capacity": 5}),
    )
    .await
    .error(403, "auth.forbidden");
    app.post_json(
        "/api/v1/rooms",
        Some(&r.admin),
        &json!({"name": "健身房", "kind": "gym", "capacity": 5}),
    )
    .await
    .invalid("room.kind_invalid", "kind");
    app.post_json(
        "/api/v1/rooms",
        Some(&r.admin),
        &json!({"name": "档案室", "kind": "archive", "capacity": 5, "hours": "9点到12点"}),
    )
    .await
    .invalid("room.hours_invalid", "hours");
    app.post_json(
        "/api/v1/rooms",
        Some(&r.admin),
        &json!({"name": "开标室", "kind": "bid_opening", "capacity": 5}),
    )
    .await
    .error(409, "room.duplicate");

    // Closing a room hides it from staff and refuses bookings.
    let put = app
        .put_json(
            &format!("/api/v1/rooms/{}", r.bid),
            Some(&r.admin),
            &json!({"name": "开标室", "kind": "bid_opening", "floor": "3楼", "capacity": 30,
                    "active": false}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(put.json()["active"], false);
    assert_eq!(put.json()["hours"], "09:00-12:00,13:30-17:00");
    let staff = app.get("/api/v1/rooms", Some(&r.clerk)).await.json();
    assert_eq!(staff["rooms"].as_array().unwrap().len(), 1);
    let all = app
        .get("/api/v1/rooms?all=true", Some(&r.admin))
        .await
        .json();
    assert_eq!(all["rooms"].as_array().unwrap().len(), 2);
    r.book(&r.clerk, r.bid, &booking(DAY, "09:00", "10:00", 5))
        .await
        .error(409, "room.inactive");
    app.put_json(
        "/api/v1/rooms/9999",
        Some(&r.admin),
        &json!({"name": "x", "kind": "meeting", "capacity": 5}),
    )
    .await
    .error(404, "room.not_found");
    app.get("/api/v1/rooms", None)
        .await
        .error(401, "auth.required");
    app.get("/api/v1/rooms", Some(&app.token("citizen").await))
        .await
        .error(403, "auth.forbidden");

    let doc = app.get("/api/v1/openapi.json", None).await.json();
    assert!(doc["paths"]["/api/v1/rooms/{id}/bookings"]["post"].is_object());
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "rooms")
    );
}

#[tokio::test]
async fn a_double_booking_is_refused_and_nothing_is_written() {
    let r = rooms().await;
    let first = r
        .book_ok(&r.clerk, r.meeting, &booking(DAY, "10:00", "12:00", 20))
        .await;
    assert_eq!(first["status"], "approved", "no approval needed");
    assert_eq!(first["start"], "10:00");
    assert_eq!(first["booked_by_name"], "测试窗口工作人员");

    let refused = r
        .book(&r.clerk_b, r.meeting, &booking(DAY, "11:00", "11:30", 5))
        .await
        .error(409, "room.conflict");
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("10:00-12:00") && message.contains("窗口业务培训"),
        "names the clashing booking: {message}"
    );
    // Covering it whole is refused as well.
    r.book(&r.clerk_b, r.meeting, &booking(DAY, "09:00", "12:00", 5))
        .await
        .error(409, "room.conflict");
    assert_eq!(r.on_day(r.meeting).await.len(), 1, "nothing was written");

    // Back to back is fine, and so is the same time in another room.
    r.book_ok(&r.clerk_b, r.meeting, &booking(DAY, "09:00", "10:00", 5))
        .await;
    r.book_ok(&r.clerk_b, r.bid, &booking(DAY, "10:00", "12:00", 5))
        .await;
    assert_eq!(r.on_day(r.meeting).await.len(), 2);
}

#[tokio::test]
async fn two_requests_for_one_slot_at_once_cannot_both_win() {
    let r = rooms().await;
    let body = booking(DAY, "14:00", "15:00", 5);
    let (a, b) = tokio::join!(
        r.book(&r.clerk, r.meeting, &body),
        r.book(&r.clerk_b, r.meeting, &body)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", a.text(), b.text());
    assert_eq!(r.on_day(r.meeting).await.len(), 1);
}

#[tokio::test]
async fn bookings_keep_to_the_hours_the_working_days_the_future_and_the_capacity() {
    let r = rooms().await;
    let over_lunch = r
        .book(&r.clerk, r.meeting, &booking(DAY, "11:00", "14:00", 5))
        .await
        .invalid("room.outside_hours", "start");
    assert!(
        over_lunch["message"]
            .as_str()
            .unwrap()
            .contains("09:00至12:00、13:30至17:00"),
        "{over_lunch}"
    );
    r.book(&r.clerk, r.meeting, &booking(DAY, "08:30", "09:30", 5))
        .await
        .invalid("room.outside_hours", "start");
    // The bid room is open all day.
    r.book_ok(&r.clerk, r.bid, &booking(DAY, "08:30", "13:00", 5))
        .await;

    let holiday = r
        .book(
            &r.clerk,
            r.meeting,
            &booking("2026-10-05", "09:00", "10:00", 5),
        )
        .await
        .invalid("room.non_working_day", "date");
    assert!(
        holiday["message"].as_str().unwrap().contains("国庆"),
        "{holiday}"
    );
    r.book(
        &r.clerk,
        r.meeting,
        &booking("2026-10-11", "09:00", "10:00", 5),
    )
    .await
    .invalid("room.non_working_day", "date");
    // The clock stands on 2026-09-30 09:00: earlier today and yesterday are past.
    r.book(
        &r.clerk,
        r.meeting,
        &booking("2026-09-29", "09:00", "10:00", 5),
    )
    .await
    .invalid("room.in_past", "start");
    r.book(
        &r.clerk,
        r.meeting,
        &booking("2026-09-30", "09:00", "10:00", 5),
    )
    .await
    .invalid("room.in_past", "start");
    r.book_ok(
        &r.clerk,
        r.meeting,
        &booking("2026-09-30", "09:30", "10:00", 5),
    )
    .await;
    r.book(&r.clerk, r.meeting, &booking(DAY, "09:00", "10:00", 41))
        .await
        .invalid("room.over_capacity", "attendees");
    r.book(&r.clerk, r.meeting, &booking(DAY, "10:00", "09:00", 5))
        .await
        .invalid("room.span_invalid", "end");
    r.book(
        &r.clerk,
        r.meeting,
        &json!({"date": DAY, "start": "09:00", "end": "10:00", "attendees": 5, "organiser": "人社局"}),
    )
    .await
    .invalid("field.required", "purpose");
    r.book(&r.clerk, 9999, &booking(DAY, "09:00", "10:00", 5))
        .await
        .error(404, "room.not_found");
    assert!(r.on_day(r.meeting).await.is_empty());

    // Moving the clock on makes a booking of the past refused.
    r.app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-10-12T10:30:00+08:00")
            .unwrap()
            .to_utc(),
    );
    r.book(&r.clerk, r.meeting, &booking(DAY, "10:00", "11:00", 5))
        .await
        .invalid("room.in_past", "start");
    r.book_ok(&r.clerk, r.meeting, &booking(DAY, "10:45", "11:00", 5))
        .await;
}

#[tokio::test]
async fn bid_rooms_wait_for_approval_and_cancelling_frees_the_slot() {
    let r = rooms().await;
    let pending = r
        .book_ok(&r.clerk, r.bid, &booking(DAY, "09:00", "11:00", 10))
        .await;
    assert_eq!(pending["status"], "pending");
    let id = pending["id"].as_i64().unwrap();
    // A pending booking already holds the room.
    r.book(&r.clerk_b, r.bid, &booking(DAY, "10:00", "10:30", 5))
        .await
        .error(409, "room.conflict");

    // The approvals list.
    let list = r
        .app
        .get(
            &format!("/api/v1/room-bookings?status=pending&from={DAY}&to={DAY}"),
            Some(&r.admin),
        )
        .await
        .json();
    assert_eq!(list["bookings"].as_array().unwrap().len(), 1);
    assert_eq!(list["bookings"][0]["room_name"], "开标室");

    // A clerk cannot approve, even their own; an admin can, once.
    r.step(&r.clerk, id, "approve", json!({}))
        .await
        .error(403, "auth.forbidden");
    r.step(&r.admin, id, "reject", json!({}))
        .await
        .invalid("field.required", "note");
    let approved = r.step(&r.admin, id, "approve", json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    assert_eq!(approved.json()["status"], "approved");
    assert_eq!(approved.json()["decided_by_name"], "测试中心管理员");
    r.step(&r.admin, id, "approve", json!({}))
        .await
        .error(409, "room.booking_state");
    r.step(&r.admin, id, "archive", json!({}))
        .await
        .error(404, "action.not_found");

    // Someone else's booking cannot be cancelled by a clerk; the booker can.
    r.step(&r.clerk_b, id, "cancel", json!({}))
        .await
        .error(403, "auth.forbidden");
    let cancelled = r.step(&r.clerk, id, "cancel", json!({})).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text());
    assert_eq!(cancelled.json()["status"], "cancelled");
    r.step(&r.clerk, id, "cancel", json!({}))
        .await
        .error(409, "room.booking_state");
    let again = r
        .book_ok(&r.clerk_b, r.bid, &booking(DAY, "10:00", "10:30", 5))
        .await;
    assert_eq!(again["status"], "pending");

    // An admin rejects with a reason: the slot is free again.
    let rejected = r
        .step(
            &r.admin,
            again["id"].as_i64().unwrap(),
            "reject",
            json!({"note": "当天已安排开标"}),
        )
        .await;
    assert_eq!(rejected.json()["status"], "rejected");
    assert_eq!(rejected.json()["decision_note"], "当天已安排开标");
    r.book_ok(&r.clerk, r.bid, &booking(DAY, "10:00", "10:30", 5))
        .await;
    let mine = r
        .app
        .get(
            &format!("/api/v1/room-bookings?mine=true&status=active&from={DAY}&to={DAY}"),
            Some(&r.clerk),
        )
        .await
        .json();
    assert_eq!(mine["bookings"].as_array().unwrap().len(), 1);
    assert_eq!(r.on_day(r.bid).await.len(), 3, "every status is listed");
}

#[tokio::test]
async fn the_rooms_page_books_and_shows_refusals_in_chinese() {
    let r = rooms().await;
    let browser = r.app.browser();
    let csrf = browser.login_ok("clerk").await;
    let page = browser.get(&format!("/rooms?date={DAY}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("5楼多媒体会议室") && html.contains("开标室"));
    let meeting = r.meeting.to_string();
    let form = |start: &'static str, end: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("room_id", meeting.clone()),
            ("date", DAY.to_string()),
            ("start", start.to_string()),
            ("end", end.to_string()),
            ("purpose", "季度工作会".to_string()),
            ("attendees", "12".to_string()),
            ("organiser", "人社局".to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let browser = &browser;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.post_form("/rooms/book", &pairs).await
        }
    };
    let done = post(form("14:00", "15:00")).await;
    assert_eq!(done.status, 303, "{}", done.text());
    let day = browser.get(&format!("/rooms?date={DAY}")).await.text();
    assert!(day.contains("季度工作会"), "the calendar shows the booking");

    let clash = post(form("14:30", "16:00")).await;
    assert_eq!(clash.status, 409);
    assert!(clash.text().contains("该时段已被预约"), "{}", clash.text());
    let lunch = post(form("11:30", "14:00")).await;
    assert_eq!(lunch.status, 422);
    assert!(lunch.text().contains("不在5楼多媒体会议室的开放时间内"));

    let week = browser
        .get(&format!("/rooms/{}?week={DAY}", r.meeting))
        .await;
    assert_eq!(week.status, 200);
    assert!(week.text().contains("季度工作会"));

    // The approvals page is the center's.
    assert_eq!(browser.get("/rooms/approvals").await.status, 403);
    let admin = r.app.browser();
    let admin_csrf = admin.login_ok("admin").await;
    assert_eq!(admin.get("/rooms/approvals").await.status, 200);
    assert_eq!(admin.get("/admin/rooms").await.status, 200);

    // The admin's room form: refusals in Chinese, then saved.
    let room = |capacity: &'static str| {
        vec![
            ("csrf_token", admin_csrf.clone()),
            ("name", "3楼评标室".to_string()),
            ("kind", "bid_evaluation".to_string()),
            ("floor", "3楼".to_string()),
            ("capacity", capacity.to_string()),
            ("equipment", "隔离评标终端、录音录像".to_string()),
            ("approval", "default".to_string()),
            ("hours", "08:30-18:00".to_string()),
            ("active", "1".to_string()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post_form("/admin/rooms", &pairs).await
        }
    };
    let bad = send(room("0")).await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("容纳人数应在1到1000之间"));
    assert_eq!(send(room("20")).await.status, 303);
    let all = r.app.get("/api/v1/rooms", Some(&r.admin)).await.json();
    let added = all["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "3楼评标室")
        .expect("the room was added")
        .clone();
    assert_eq!(added["needs_approval"], true);
    assert_eq!(added["equipment"], json!(["隔离评标终端", "录音录像"]));
}

#[tokio::test]
async fn the_demo_has_the_tongren_rooms_and_bookings_this_week() {
    let app = spawn_app().await;
    crate::demo::load(&app).await;
    let token = crate::demo::demo_token(&app, "clerk").await;
    let rooms = app.get("/api/v1/rooms", Some(&token)).await.json();
    let mut names: Vec<&str> = rooms["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "1楼专家评审室",
            "1楼档案室",
            "3楼专家评审室",
            "3楼档案室",
            "5楼多媒体会议室",
            "开标室",
            "评标室"
        ]
    );
    // The clock stands on Wednesday 30 September; Thursday and Friday are
    // the National Day holiday, so Monday to Wednesday are booked.
    let week = app
        .get(
            "/api/v1/room-bookings?from=2026-09-28&to=2026-10-04",
            Some(&token),
        )
        .await
        .json();
    let list: Vec<(String, String)> = week["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["purpose"].as_str().unwrap().to_string(),
                b["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        list,
        vec![
            ("中心周例会".to_string(), "approved".to_string()),
            ("市政道路维修工程开标".to_string(), "approved".to_string()),
            ("办公设备采购项目评标".to_string(), "pending".to_string()),
        ]
    );
}

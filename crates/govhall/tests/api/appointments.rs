//! Appointments: slots from the calendar and the hall's hours, extra service
//! days, capacity (also under concurrent bookings), one booking per person,
//! cancelling, check-in into a priority ticket and no-shows by the worker.

use crate::helpers::{HallSeed, TestApp, spawn_app, start_time};
use chrono::Duration;
use serde_json::{Value, json};

async fn setup() -> (TestApp, HallSeed, String) {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let admin = app.token("admin").await;
    (app, hall, admin)
}

async fn slots(app: &TestApp, category: i64, date: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/public/appointments/slots?category_id={category}&date={date}"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn booking(category: i64, date: &str, slot: &str, phone: &str) -> Value {
    json!({"category_id": category, "date": date, "slot": slot, "name": "张三", "phone": phone})
}

async fn book(app: &TestApp, body: &Value) -> crate::helpers::Reply {
    app.post_json("/api/v1/public/appointments", None, body)
        .await
}

#[tokio::test]
async fn slots_come_from_the_calendar_hours_and_extra_days() {
    let (app, hall, admin) = setup().await;
    // Wednesday 2026-09-30 at 09:00: 13 half-hour slots, the first has started.
    let s = slots(&app, hall.category_a, "2026-09-30").await;
    let list = s["slots"].as_array().unwrap();
    assert_eq!(list.len(), 13);
    assert_eq!(list[0]["start"], "09:00");
    assert_eq!(list[0]["bookable"], false);
    assert_eq!(list[1]["bookable"], true);
    assert_eq!(list[1]["left"], 4);
    // National Day: closed…
    assert!(
        slots(&app, hall.category_a, "2026-10-03").await["slots"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // …until the center opens a "5+2" weekend session.
    let r = app
        .post_json(
            "/api/v1/appointments/service-days",
            Some(&admin),
            &json!({"date": "2026-10-03", "kind": "weekend", "opens": "09:00", "closes": "11:00"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        slots(&app, hall.category_a, "2026-10-03").await["slots"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // An evening (延时服务) must start after the hall closes.
    app.post_json(
        "/api/v1/appointments/service-days",
        Some(&admin),
        &json!({"date": "2026-09-30", "kind": "evening", "opens": "16:00", "closes": "19:00"}),
    )
    .await
    .invalid("service_day.overlaps_hours", "opens");
    let r = app
        .post_json(
            "/api/v1/appointments/service-days",
            Some(&admin),
            &json!({"date": "2026-09-30", "kind": "evening", "opens": "17:00", "closes": "19:00"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let s = slots(&app, hall.category_a, "2026-09-30").await;
    assert_eq!(s["slots"].as_array().unwrap().len(), 17);
    assert_eq!(s["extra"][0], "延时服务 17:00–19:00");
    // Only an administrator opens service days.
    let clerk = app.token("clerk").await;
    app.post_json(
        "/api/v1/appointments/service-days",
        Some(&clerk),
        &json!({"date": "2026-10-04", "kind": "weekend", "opens": "09:00", "closes": "11:00"}),
    )
    .await
    .error(403, "auth.forbidden");
}

#[tokio::test]
async fn capacity_one_booking_per_person_and_cancelling() {
    let (app, hall, admin) = setup().await;
    let cat = hall.category_a;
    let r = app
        .put_json(
            &format!("/api/v1/appointments/settings/{cat}"),
            Some(&admin),
            &json!({"enabled": true, "slot_minutes": 30, "capacity": 2, "days_ahead": 10}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    app.put_json(
        &format!("/api/v1/appointments/settings/{cat}"),
        Some(&admin),
        &json!({"enabled": true, "slot_minutes": 1, "capacity": 2, "days_ahead": 7}),
    )
    .await
    .invalid("appointment.slot_minutes", "slot_minutes");
    let day = "2026-10-09";
    let first = book(&app, &booking(cat, day, "10:00", "13800000001")).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let first = first.json();
    assert_eq!(first["code"].as_str().unwrap().len(), 8);
    assert_eq!(
        book(&app, &booking(cat, day, "10:00", "13800000002"))
            .await
            .status,
        201
    );
    book(&app, &booking(cat, day, "10:00", "13800000003"))
        .await
        .error(409, "appointment.full");
    // The same person, same category and day, another slot: refused.
    book(&app, &booking(cat, day, "14:00", "13800000001"))
        .await
        .error(409, "appointment.duplicate");
    // Rules without data.
    book(&app, &booking(cat, day, "10:05", "13800000004"))
        .await
        .invalid("appointment.no_such_slot", "slot");
    book(&app, &booking(cat, "2026-09-30", "09:00", "13800000004"))
        .await
        .invalid("appointment.in_past", "slot");
    book(&app, &booking(cat, "2026-10-20", "10:00", "13800000004"))
        .await
        .invalid("appointment.too_far", "date");
    book(&app, &booking(cat, day, "10:30", "12345"))
        .await
        .invalid("appointment.phone", "phone");
    let s = slots(&app, cat, day).await;
    let ten = s["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == "10:00")
        .unwrap()
        .clone();
    assert_eq!(ten["left"], 0);
    assert_eq!(ten["bookable"], false);
    // Cancelling with the wrong phone finds nothing; with the right one frees the place.
    let code = first["code"].as_str().unwrap();
    app.post_json(
        &format!("/api/v1/public/appointments/{code}/cancel"),
        None,
        &json!({"phone": "13900000000"}),
    )
    .await
    .error(404, "appointment.not_found");
    let r = app
        .post_json(
            &format!("/api/v1/public/appointments/{code}/cancel"),
            None,
            &json!({"phone": "13800000001"}),
        )
        .await;
    assert_eq!(r.json()["state"], "cancelled");
    assert_eq!(
        book(&app, &booking(cat, day, "10:00", "13800000003"))
            .await
            .status,
        201
    );
    // My booking by code and phone.
    let mine = app
        .get(
            &format!("/api/v1/public/appointments?code={code}&phone=13800000001"),
            None,
        )
        .await
        .json();
    assert_eq!(mine["appointments"][0]["state"], "cancelled");
    // Staff see the day's list with phones masked.
    let list = app
        .get(&format!("/api/v1/appointments?date={day}"), Some(&admin))
        .await
        .json();
    assert_eq!(list["appointments"].as_array().unwrap().len(), 3);
    assert_eq!(list["appointments"][0]["phone"], "138****0001");
}

#[tokio::test]
async fn concurrent_bookings_never_overfill_a_slot() {
    let (app, hall, admin) = setup().await;
    let cat = hall.category_b;
    app.put_json(
        &format!("/api/v1/appointments/settings/{cat}"),
        Some(&admin),
        &json!({"enabled": true, "slot_minutes": 30, "capacity": 3, "days_ahead": 10}),
    )
    .await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            book(
                &app,
                &booking(cat, "2026-10-09", "09:30", &format!("139000000{i:02}")),
            )
            .await
            .status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        9,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn check_in_turns_a_booking_into_a_priority_ticket() {
    let (app, hall, _) = setup().await;
    let cat = hall.category_a;
    let r = book(&app, &booking(cat, "2026-09-30", "10:30", "13800000001")).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let code = r.json()["code"].as_str().unwrap().to_string();
    // An ordinary ticket taken before.
    app.post_json(
        "/api/v1/public/queue/tickets",
        None,
        &json!({"category_id": cat}),
    )
    .await;
    // 09:00: too early for a 10:30 slot.
    app.post_json(
        "/api/v1/public/appointments/check-in",
        None,
        &json!({"code": code}),
    )
    .await
    .error(409, "appointment.too_early");
    app.clock.set(start_time() + Duration::minutes(75)); // 10:15
    let r = app
        .post_json(
            "/api/v1/public/appointments/check-in",
            None,
            &json!({"phone": "13800000001"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let t = r.json();
    assert_eq!(t["number"], "A002");
    assert_eq!(t["priority"], "appointment");
    assert_eq!(t["people_ahead"], 0);
    // Once only.
    app.post_json(
        "/api/v1/public/appointments/check-in",
        None,
        &json!({"code": code}),
    )
    .await
    .invalid("appointment.not_found", "code");
    let mine = app
        .get(
            &format!("/api/v1/public/appointments?code={code}&phone=13800000001"),
            None,
        )
        .await
        .json();
    assert_eq!(mine["appointments"][0]["state"], "checked_in");
    assert_eq!(mine["appointments"][0]["ticket_id"], t["id"]);
    // The clerk calls the appointment first.
    let clerk = app.token("clerk").await;
    app.post_empty(
        &format!("/api/v1/queue/windows/{}/sign-on", hall.windows[0]),
        Some(&clerk),
    )
    .await;
    let called = app
        .post_empty(
            &format!("/api/v1/queue/windows/{}/call-next", hall.windows[0]),
            Some(&clerk),
        )
        .await
        .json();
    assert_eq!(called["ticket"]["number"], "A002");
}

#[tokio::test]
async fn the_worker_records_no_shows_after_the_slot_ends() {
    let (app, hall, _) = setup().await;
    let cat = hall.category_a;
    let early = book(&app, &booking(cat, "2026-09-30", "09:30", "13800000001"))
        .await
        .json();
    let later = book(&app, &booking(cat, "2026-09-30", "11:00", "13800000002"))
        .await
        .json();
    let state = |code: &Value, phone: &str| {
        let path = format!(
            "/api/v1/public/appointments?code={}&phone={phone}",
            code.as_str().unwrap()
        );
        let app = &app;
        async move { app.get(&path, None).await.json()["appointments"][0]["state"].clone() }
    };
    web::queue_step(&app.state).await;
    assert_eq!(state(&early["code"], "13800000001").await, "booked");
    // 10:00: the 09:30–10:00 slot is over.
    app.clock.set(start_time() + Duration::minutes(60));
    web::queue_step(&app.state).await;
    assert_eq!(state(&early["code"], "13800000001").await, "no_show");
    assert_eq!(state(&later["code"], "13800000002").await, "booked");
    // A no-show cannot be checked in or cancelled.
    app.post_json(
        &format!(
            "/api/v1/public/appointments/{}/cancel",
            early["code"].as_str().unwrap()
        ),
        None,
        &json!({"phone": "13800000001"}),
    )
    .await
    .error(409, "appointment.state");
}

#[tokio::test]
async fn the_appointment_pages_book_and_cancel() {
    let (app, hall, _) = setup().await;
    let citizen = app.browser();
    let page = citizen
        .get(&format!(
            "/appointments?category_id={}&date=2026-10-09",
            hall.category_a
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("10:00–10:30"), "{}", page.text());
    let r = citizen
        .post_form(
            "/appointments",
            &[
                ("category_id", &hall.category_a.to_string()),
                ("date", "2026-09-30"),
                ("slot", "10:00"),
                ("name", "李四"),
                ("phone", "13700000000"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    assert!(text.contains("预约成功"), "{text}");
    let code = text
        .split("data-testid=\"booking-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the page shows the booking code")
        .to_string();
    let r = citizen
        .post_form(
            "/appointments/cancel",
            &[("code", &code), ("phone", "13700000000")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let mine = citizen
        .get(&format!("/appointments?code={code}&phone=13700000000"))
        .await
        .text();
    assert!(mine.contains("已取消"), "{mine}");
    // The admin page shows the settings; a clerk may not open it.
    let admin = app.browser();
    admin.login_ok("admin").await;
    assert!(
        admin
            .get("/admin/appointments")
            .await
            .text()
            .contains("延时服务")
    );
    let clerk = app.browser();
    clerk.login_ok("clerk").await;
    assert_eq!(clerk.get("/admin/appointments").await.status, 403);
}

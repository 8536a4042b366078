//! The queue: numbering per category and day (also under concurrent kiosks),
//! the call order with priority and its no-starvation rule, the window's
//! actions, transfers, the displays' live stream and the window activity the
//! hall map reads.

use crate::helpers::{HallSeed, TestApp, spawn_app, start_time};
use chrono::Duration;
use serde_json::{Value, json};

/// Born 1949: 76 on the test day.
const OLD_ID: &str = "11010519491231002X";
const YOUNG_ID: &str = "110101199003074514";

async fn setup() -> (TestApp, HallSeed) {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    (app, hall)
}

async fn take(app: &TestApp, body: Value) -> Value {
    let r = app
        .post_json("/api/v1/public/queue/tickets", None, &body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

async fn sign_on(app: &TestApp, token: &str, window: i64) {
    let r = app
        .post_empty(
            &format!("/api/v1/queue/windows/{window}/sign-on"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn call_next(app: &TestApp, token: &str, window: i64) -> Value {
    let r = app
        .post_empty(
            &format!("/api/v1/queue/windows/{window}/call-next"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["ticket"].clone()
}

async fn act(
    app: &TestApp,
    token: &str,
    ticket: &Value,
    action: &str,
    body: Value,
) -> crate::helpers::Reply {
    app.post_json(
        &format!("/api/v1/queue/tickets/{}/{action}", ticket["id"]),
        Some(token),
        &body,
    )
    .await
}

#[tokio::test]
async fn tickets_are_numbered_per_category_and_day() {
    let (app, hall) = setup().await;
    let a1 = take(&app, json!({"category_id": hall.category_a})).await;
    let b1 = take(&app, json!({"category_id": hall.category_b})).await;
    let a2 = take(
        &app,
        json!({"category_id": hall.category_a, "source": "phone"}),
    )
    .await;
    assert_eq!(a1["number"], "A001");
    assert_eq!(b1["number"], "B001");
    assert_eq!(a2["number"], "A002");
    assert_eq!(a2["people_ahead"], 1);
    assert_eq!(a1["state"], "waiting");
    // The next Beijing day starts again at 001.
    app.clock.set(start_time() + Duration::days(1));
    let next = take(&app, json!({"category_id": hall.category_a})).await;
    assert_eq!(next["number"], "A001");
    // Bad input is named by field and writes nothing.
    app.post_json(
        "/api/v1/public/queue/tickets",
        None,
        &json!({"category_id": 9999}),
    )
    .await
    .invalid("ticket.category_unknown", "category_id");
    app.post_json(
        "/api/v1/public/queue/tickets",
        None,
        &json!({"category_id": hall.category_a, "id_number": "123"}),
    )
    .await
    .invalid("ticket.id_number", "id_number");
    let w = app.get("/api/v1/public/queue/waiting", None).await.json();
    assert_eq!(w["total"], 1, "{w}");
}

#[tokio::test]
async fn concurrent_kiosks_never_share_a_number() {
    let (app, hall) = setup().await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let app = app.clone();
        let category = hall.category_a;
        tasks.push(tokio::spawn(async move {
            take(&app, json!({"category_id": category})).await["number"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=24).map(|n| format!("A{n:03}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn priority_goes_first_but_at_most_twice_in_a_row() {
    let (app, hall) = setup().await;
    let cat = hall.category_a;
    for body in [
        json!({"category_id": cat}),                         // A001
        json!({"category_id": cat, "id_number": YOUNG_ID}),  // A002
        json!({"category_id": cat}),                         // A003
        json!({"category_id": cat, "id_number": OLD_ID}),    // A004 elderly by age
        json!({"category_id": cat, "priority": "disabled"}), // A005
        json!({"category_id": cat, "priority": "elderly"}),  // A006
    ] {
        take(&app, body).await;
    }
    let clerk = app.token("clerk").await;
    let window = hall.windows[0];
    sign_on(&app, &clerk, window).await;
    let mut order = Vec::new();
    loop {
        let t = call_next(&app, &clerk, window).await;
        if t.is_null() {
            break;
        }
        order.push(t["number"].as_str().unwrap().to_string());
        assert_eq!(act(&app, &clerk, &t, "serve", json!({})).await.status, 200);
        assert_eq!(act(&app, &clerk, &t, "finish", json!({})).await.status, 200);
    }
    assert_eq!(order, ["A004", "A005", "A001", "A006", "A002", "A003"]);
}

#[tokio::test]
async fn the_window_serves_recalls_skips_and_transfers() {
    let (app, hall) = setup().await;
    let clerk = app.token("clerk").await;
    let clerk_b = app.token("clerk_b").await;
    let a1 = take(&app, json!({"category_id": hall.category_a})).await;
    take(&app, json!({"category_id": hall.category_a})).await;
    // Not signed on: refused; another department's window: refused.
    app.post_empty(
        &format!("/api/v1/queue/windows/{}/call-next", hall.windows[0]),
        Some(&clerk),
    )
    .await
    .error(409, "window.not_signed_on");
    app.post_empty(
        &format!("/api/v1/queue/windows/{}/sign-on", hall.windows[0]),
        Some(&clerk_b),
    )
    .await
    .error(403, "auth.forbidden");
    sign_on(&app, &clerk, hall.windows[0]).await;
    sign_on(&app, &clerk_b, hall.windows[2]).await;
    // Window 03 serves category B only: nobody for it.
    assert!(call_next(&app, &clerk_b, hall.windows[2]).await.is_null());
    let t = call_next(&app, &clerk, hall.windows[0]).await;
    assert_eq!(t["id"], a1["id"]);
    assert_eq!(t["called_window_number"], "01");
    // Serving a waiting ticket or finishing a called one breaks the rules.
    act(&app, &clerk, &t, "finish", json!({}))
        .await
        .error(409, "ticket.state");
    let r = act(&app, &clerk, &t, "recall", json!({})).await;
    assert_eq!(r.json()["recall_count"], 1);
    // Another window cannot act on it.
    act(&app, &clerk_b, &t, "serve", json!({}))
        .await
        .error(403, "auth.forbidden");
    // Transferred to category B: keeps its number, goes to the front there.
    take(&app, json!({"category_id": hall.category_b})).await;
    let r = act(
        &app,
        &clerk,
        &t,
        "transfer",
        json!({"category_id": hall.category_b}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["state"], "waiting");
    assert_eq!(r.json()["category_id"], hall.category_b);
    let again = call_next(&app, &clerk_b, hall.windows[2]).await;
    assert_eq!(again["number"], "A001");
    assert_eq!(again["transfer_count"], 1);
    // A no-show.
    let r = act(&app, &clerk_b, &again, "skip", json!({})).await;
    assert_eq!(r.json()["state"], "skipped");
    // Transfer to one window: only that window calls it.
    let a2 = call_next(&app, &clerk, hall.windows[0]).await;
    assert_eq!(a2["number"], "A002");
    let r = act(
        &app,
        &clerk,
        &a2,
        "transfer",
        json!({"window_id": hall.windows[2]}),
    )
    .await;
    assert_eq!(r.json()["window_id"], hall.windows[2]);
    assert!(call_next(&app, &clerk, hall.windows[0]).await.is_null());
    let b = call_next(&app, &clerk_b, hall.windows[2]).await;
    assert_eq!(b["number"], "A002");
}

#[tokio::test]
async fn window_activity_shows_open_and_serving_windows() {
    let (app, hall) = setup().await;
    let center = app.state.store.home_center().await.unwrap().unwrap().id;
    let activity = |v: Vec<store::WindowActivity>, w: i64| {
        let a = v.iter().find(|a| a.window_id == w).copied().unwrap();
        (a.open, a.serving)
    };
    let now = app.clock.now();
    let v = app.state.store.window_activity(center, now).await.unwrap();
    assert_eq!(activity(v, hall.windows[0]), (false, false));
    let clerk = app.token("clerk").await;
    sign_on(&app, &clerk, hall.windows[0]).await;
    let v = app.state.store.window_activity(center, now).await.unwrap();
    assert_eq!(activity(v, hall.windows[0]), (true, false));
    take(&app, json!({"category_id": hall.category_a})).await;
    let t = call_next(&app, &clerk, hall.windows[0]).await;
    let v = app.state.store.window_activity(center, now).await.unwrap();
    assert_eq!(activity(v.clone(), hall.windows[0]), (true, true));
    assert_eq!(activity(v, hall.windows[1]), (false, false));
    act(&app, &clerk, &t, "serve", json!({})).await;
    act(&app, &clerk, &t, "finish", json!({})).await;
    let r = app.get("/api/v1/queue/windows", Some(&clerk)).await.json();
    let w = r
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["window_id"] == hall.windows[0])
        .unwrap()
        .clone();
    assert_eq!(w["open"], true);
    assert_eq!(w["serving"], false);
    // Statistics see the waiting and serving times.
    app.clock.advance(Duration::minutes(1));
    let s = app
        .get("/api/v1/queue/stats", Some(&app.token("admin").await))
        .await;
    assert_eq!(s.status, 200, "{}", s.text());
    let s = s.json();
    assert_eq!(s["total"]["tickets"], 1);
    assert_eq!(s["total"]["served"], 1);
    assert_eq!(s["by_window"][0]["label"], "01号窗口");
}

/// Reads server-sent events until one named `event` whose data contains
/// `needle` arrives (or fails after ten seconds; no sleeping).
async fn wait_for_event(
    resp: &mut reqwest::Response,
    buf: &mut String,
    event: &str,
    needle: &str,
) -> String {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if block.contains(&format!("event: {event}")) && block.contains(needle) {
                return block;
            }
        }
        let chunk = tokio::time::timeout_at(deadline, resp.chunk())
            .await
            .unwrap_or_else(|_| panic!("no `{event}` event with {needle} within 10 s; have {buf}"))
            .expect("the stream stays open")
            .expect("a chunk");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_display_stream_receives_the_call() {
    let (app, hall) = setup().await;
    take(&app, json!({"category_id": hall.category_a})).await;
    let clerk = app.token("clerk").await;
    sign_on(&app, &clerk, hall.windows[1]).await;
    let mut hall_stream = reqwest::get(app.url(&format!(
        "/api/v1/public/queue/stream?hall_id={}",
        hall.hall_id
    )))
    .await
    .unwrap();
    assert_eq!(hall_stream.headers()["content-type"], "text/event-stream");
    let mut other_window = reqwest::get(app.url(&format!(
        "/api/v1/public/queue/stream?window_id={}",
        hall.windows[0]
    )))
    .await
    .unwrap();
    let mut buf = String::new();
    let snap = wait_for_event(&mut hall_stream, &mut buf, "snapshot", "waiting").await;
    assert!(snap.contains("\"waiting\":1"), "{snap}");
    let mut other = String::new();
    wait_for_event(&mut other_window, &mut other, "snapshot", "calls").await;
    call_next(&app, &clerk, hall.windows[1]).await;
    let call = wait_for_event(&mut hall_stream, &mut buf, "call", "A001").await;
    assert!(call.contains("请A001号到02号窗口办理"), "{call}");
    // The counts follow.
    wait_for_event(&mut hall_stream, &mut buf, "waiting", "\"waiting\":0").await;
    // The screen above window 01 sees the counts but not window 02's call.
    let w = wait_for_event(&mut other_window, &mut other, "waiting", "\"waiting\":0").await;
    assert!(!w.contains("A001") && !other.contains("A001"), "{other}");
    // A display connecting later gets the call in its snapshot.
    let mut late = reqwest::get(app.url("/api/v1/public/queue/stream"))
        .await
        .unwrap();
    let mut lbuf = String::new();
    let snap = wait_for_event(&mut late, &mut lbuf, "snapshot", "A001").await;
    assert!(snap.contains("\"window_number\":\"02\""), "{snap}");
}

#[tokio::test]
async fn the_pages_take_call_and_show_a_ticket() {
    let (app, hall) = setup().await;
    // The kiosk: a touch on category A prints the slip.
    let kiosk = app.browser();
    let page = kiosk.get("/queue/kiosk").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("综合业务"));
    let slip = kiosk
        .post_form(
            "/queue/kiosk",
            &[
                ("category_id", &hall.category_a.to_string()),
                ("priority", "none"),
            ],
        )
        .await;
    assert_eq!(slip.status, 200, "{}", slip.text());
    assert!(slip.text().contains("A001"), "{}", slip.text());
    // A bad ID number is refused on the page, naming the problem.
    let bad = kiosk
        .post_form(
            "/queue/kiosk",
            &[
                ("category_id", &hall.category_a.to_string()),
                ("id_number", "12345"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    // The clerk signs on and calls from the workbench.
    let clerk = app.browser();
    let csrf = clerk.login_ok("clerk").await;
    let r = clerk
        .post_form(
            "/queue/window/sign-on",
            &[
                ("csrf_token", &csrf),
                ("window_id", &hall.windows[0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = clerk
        .post_form(
            "/queue/window/call-next",
            &[
                ("csrf_token", &csrf),
                ("window_id", &hall.windows[0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let bench = clerk.get("/queue/window").await.text();
    assert!(
        bench.contains("A001") && bench.contains("开始办理"),
        "{bench}"
    );
    // The displays render the call for screens without scripts too.
    let display = app
        .browser()
        .get(&format!("/queue/display?hall_id={}", hall.hall_id))
        .await;
    assert_eq!(display.status, 200);
    assert!(display.text().contains("A001"));
    let ticket = app.browser().get("/queue/take/1").await.text();
    assert!(
        ticket.contains("已叫号") && ticket.contains("01 号窗口"),
        "{ticket}"
    );
    // Forms without the session's token are refused.
    let r = clerk
        .post_form("/queue/window/call-next", &[("window_id", "1")])
        .await;
    assert_eq!(r.status, 403);
}

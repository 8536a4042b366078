//! The working calendar over HTTP: deadlines, an admin's edits and imports.

use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn the_deadline_counts_working_days_from_the_day_after() {
    let app = spawn_app().await;
    app.seed().await;
    let r = app
        .get(
            "/api/v1/calendar/deadline?from=2026-09-30&working_days=3",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // 1-7 October are the National Day holiday; Saturday 10 October is a make-up day.
    assert_eq!(r.json()["due_date"], "2026-10-10");
    let r = app
        .get(
            "/api/v1/calendar/deadline?from=2026-02-13&working_days=1",
            None,
        )
        .await;
    // Friday 13 February: Saturday 14 is a make-up day before the Spring Festival.
    assert_eq!(r.json()["due_date"], "2026-02-14");

    app.get(
        "/api/v1/calendar/deadline?from=2026-13-01&working_days=1",
        None,
    )
    .await
    .invalid("field.date_invalid", "from");
    app.get("/api/v1/calendar/deadline?from=2026-09-30", None)
        .await
        .invalid("field.required", "working_days");
    app.get(
        "/api/v1/calendar/deadline?from=2026-09-30&working_days=-2",
        None,
    )
    .await
    .invalid("field.out_of_range", "working_days");
}

#[tokio::test]
async fn the_official_year_is_preloaded() {
    let app = spawn_app().await;
    app.seed().await;
    let r = app.get("/api/v1/calendar?year=2026", None).await;
    let year = r.json();
    assert_eq!(year["working_days"], 248);
    assert_eq!(year["has_official_days"], true);
    let national_day = year["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2026-10-01")
        .unwrap()
        .clone();
    assert_eq!(national_day["kind"], "holiday");
    assert_eq!(national_day["note"], "国庆节");
    let next = app.get("/api/v1/calendar?year=2027", None).await.json();
    assert_eq!(next["has_official_days"], false);
}

#[tokio::test]
async fn an_admin_edits_a_day_and_deadlines_follow() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;
    let clerk = app.token("clerk").await;
    let body = json!({"kind": "holiday", "note": "临时停电闭厅"});

    app.put_json("/api/v1/calendar/days/2026-10-08", Some(&clerk), &body)
        .await
        .error(403, "auth.forbidden");
    app.put_json("/api/v1/calendar/days/2026-10-08", None, &body)
        .await
        .error(401, "auth.required");
    app.put_json(
        "/api/v1/calendar/days/2026-10-08",
        Some(&admin),
        &json!({"kind": "sometimes"}),
    )
    .await
    .invalid("calendar.kind_invalid", "kind");

    let r = app
        .put_json("/api/v1/calendar/days/2026-10-08", Some(&admin), &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let due = app
        .get(
            "/api/v1/calendar/deadline?from=2026-09-30&working_days=3",
            None,
        )
        .await
        .json();
    assert_eq!(due["due_date"], "2026-10-12");

    let r = app
        .delete("/api/v1/calendar/days/2026-10-08", Some(&admin))
        .await;
    assert_eq!(r.status, 204);
    let due = app
        .get(
            "/api/v1/calendar/deadline?from=2026-09-30&working_days=3",
            None,
        )
        .await
        .json();
    assert_eq!(due["due_date"], "2026-10-10");
}

#[tokio::test]
async fn a_later_year_is_imported_whole_or_not_at_all() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;
    let bad = "date,kind,note\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n";
    app.post_raw("/api/v1/calendar/import", Some(&admin), "text/csv", bad)
        .await
        .error(422, "calendar.date_invalid");
    let year = app.get("/api/v1/calendar?year=2027", None).await.json();
    assert_eq!(year["has_official_days"], false, "nothing was written");

    let good = "date,kind,note\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n";
    let r = app
        .post_raw("/api/v1/calendar/import", Some(&admin), "text/csv", good)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["imported"], 2);
    let year = app.get("/api/v1/calendar?year=2027", None).await.json();
    assert_eq!(year["has_official_days"], true);
    assert_eq!(year["days"].as_array().unwrap().len(), 2);
}

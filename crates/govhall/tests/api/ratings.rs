//! Ratings (好差评) over HTTP: one per case and channel, bad ratings open
//! follow-ups watched like cases, appeals void ratings, the published figures.

use crate::cases::{Desk, ID_CARD, at, desk};
use serde_json::{Value, json};

/// A window case accepted on Wednesday 30 September 2026; its number and code.
async fn accepted_case(d: &Desk) -> (String, String) {
    let no = d.window_case(ID_CARD).await;
    let c = d.ok(&d.clerk, &no, "accept", json!({})).await;
    let code = c["query_code"].as_str().expect("staff see the code");
    (no, code.to_string())
}

async fn rate(d: &Desk, no: &str, body: Value) -> crate::helpers::Reply {
    d.app
        .post_json(&format!("/api/v1/public/cases/{no}/rating"), None, &body)
        .await
}

async fn followups(d: &Desk, token: &str, query: &str) -> Value {
    let r = d
        .app
        .get(&format!("/api/v1/ratings/followups{query}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

async fn step(d: &Desk, token: &str, id: i64, action: &str, body: Value) -> crate::helpers::Reply {
    d.app
        .post_json(
            &format!("/api/v1/ratings/followups/{id}/{action}"),
            Some(token),
            &body,
        )
        .await
}

async fn figures(d: &Desk, query: &str) -> Value {
    let r = d
        .app
        .get(&format!("/api/v1/public/ratings{query}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn department(figures: &Value, id: i64) -> &Value {
    figures["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .expect("every department is listed")
}

#[tokio::test]
async fn one_rating_per_channel_and_a_bad_one_is_followed_up_like_a_case() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let (no, code) = accepted_case(&d).await;

    // Bad input changes nothing and names the field.
    rate(
        &d,
        &no,
        json!({"query_code": "000000", "level": 1, "channel": "web"}),
    )
    .await
    .error(404, "case.not_found");
    rate(
        &d,
        &no,
        json!({"query_code": code, "level": 6, "channel": "web"}),
    )
    .await
    .invalid("rating.level_invalid", "level");
    rate(
        &d,
        &no,
        json!({"query_code": code, "level": 2, "channel": "fax"}),
    )
    .await
    .invalid("rating.channel_invalid", "channel");
    rate(
        &d,
        &no,
        json!({"query_code": code, "level": 5, "channel": "sms"}),
    )
    .await
    .invalid("rating.reason_required", "comment");
    assert_eq!(figures(&d, "").await["total"]["ratings"], 0);

    let good = rate(
        &d,
        &no,
        json!({"query_code": code, "level": 1, "channel": "web", "tags": ["服务热情"], "comment": "很快"}),
    )
    .await;
    assert_eq!(good.status, 201, "{}", good.text());
    let good = good.json();
    assert_eq!(good["level_name"], "非常满意");
    assert_eq!(good["bad"], false);
    assert!(good["followup_id"].is_null());
    // A second rating on the same channel is refused; another channel is not.
    rate(
        &d,
        &no,
        json!({"query_code": code, "level": 2, "channel": "web"}),
    )
    .await
    .error(409, "rating.duplicate");

    let bad = rate(
        &d,
        &no,
        json!({"query_code": code, "level": 5, "channel": "sms", "tags": ["多次跑动"], "comment": "跑了三趟"}),
    )
    .await;
    assert_eq!(bad.status, 201, "{}", bad.text());
    let bad = bad.json();
    assert_eq!(bad["bad"], true);
    assert_eq!(bad["followup_status"], "verifying");
    let id = bad["followup_id"].as_i64().unwrap();

    // The department sees the follow-up, due 15 working days after the
    // rating across National Day (8, 9, Sat 10, 12–16, 19–23, 26, 27 Oct).
    let mine = followups(&d, &d.clerk, "").await;
    assert_eq!(mine["total"], 1);
    let f = &mine["followups"][0];
    assert_eq!(f["case_no"], no.as_str());
    assert_eq!(f["due_date"], "2026-10-27");
    assert_eq!(f["status"], "verifying");
    assert_eq!(f["applicant_name"], "张*");
    assert_eq!(f["tags"], json!(["多次跑动"]));
    let other = d.app.token("clerk_b").await;
    assert_eq!(followups(&d, &other, "").await["total"], 0);

    // Watched like a case: yellow with two working days left, red after.
    let rules = |list: Value| -> Vec<(String, String)> {
        list["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["source"] == "followup")
            .map(|w| {
                (
                    w["rule"].as_str().unwrap().to_string(),
                    w["since"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    d.app.clock.set(at("2026-10-22T17:00:00+08:00"));
    let list = d.app.get("/api/v1/warnings", Some(&sup)).await.json();
    assert!(rules(list).is_empty());
    d.app.clock.set(at("2026-10-23T09:00:00+08:00"));
    let list = d.app.get("/api/v1/warnings", Some(&sup)).await.json();
    assert_eq!(
        rules(list),
        vec![("bad_rating_near_due".into(), "2026-10-23".into())]
    );
    d.app.clock.set(at("2026-10-28T09:00:00+08:00"));
    let list = d
        .app
        .get("/api/v1/warnings?level=red", Some(&sup))
        .await
        .json();
    assert_eq!(
        rules(list),
        vec![("bad_rating_overdue".into(), "2026-10-28".into())]
    );
    let summary = d
        .app
        .get("/api/v1/warnings/summary", Some(&sup))
        .await
        .json();
    assert_eq!(summary["red"], 2, "the case and the follow-up: {summary}");

    // Verify → rectify → return visit; only in that order, only by the department.
    step(&d, &d.clerk, id, "rectify", json!({"note": "x"}))
        .await
        .error(409, "followup.not_rectifying");
    step(&d, &d.clerk, id, "verify", json!({"note": " "}))
        .await
        .invalid("field.required", "note");
    step(&d, &sup, id, "verify", json!({"note": "属实"}))
        .await
        .error(403, "auth.forbidden");
    step(&d, &other, id, "verify", json!({"note": "属实"}))
        .await
        .error(404, "resource.not_found");
    let r = step(
        &d,
        &d.clerk,
        id,
        "verify",
        json!({"note": "材料清单未一次告知，属实"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "rectifying");
    let r = step(
        &d,
        &d.clerk,
        id,
        "rectify",
        json!({"note": "补充一次性告知清单"}),
    )
    .await;
    assert_eq!(r.json()["status"], "revisiting");
    step(&d, &d.clerk, id, "revisit", json!({"note": "电话回访"}))
        .await
        .invalid("field.required", "satisfied");
    // Still unhappy: rectify again; then satisfied closes it.
    let r = step(
        &d,
        &d.clerk,
        id,
        "revisit",
        json!({"note": "仍不满意", "satisfied": false}),
    )
    .await;
    assert_eq!(r.json()["status"], "rectifying");
    step(
        &d,
        &d.clerk,
        id,
        "rectify",
        json!({"note": "窗口负责人上门致歉"}),
    )
    .await;
    let r = step(
        &d,
        &sup,
        id,
        "revisit",
        json!({"note": "中心回访，表示满意", "satisfied": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let closed = r.json();
    assert_eq!(closed["status"], "closed");
    assert!(closed["warning"].is_null());
    let kinds: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "opened",
            "verified",
            "rectified",
            "revisit_failed",
            "rectified",
            "revisited"
        ]
    );
    let list = d.app.get("/api/v1/warnings", Some(&sup)).await.json();
    assert!(rules(list).is_empty(), "a settled follow-up is not watched");
    assert_eq!(followups(&d, &d.clerk, "").await["total"], 0);
    assert_eq!(followups(&d, &d.clerk, "?status=all").await["total"], 1);

    // The published figures: one case, rated; one good, one bad, rectified
    // (a day late).
    let fig = figures(&d, "?from=2026-09-01&to=2026-12-31").await;
    let a = department(&fig, d.seed.dept_a);
    assert_eq!(a["cases"], 1);
    assert_eq!(a["rated_cases"], 1);
    assert_eq!(a["ratings"], 2);
    assert_eq!(a["good"], 1);
    assert_eq!(a["bad"], 1);
    assert_eq!(a["rectified"], 1);
    assert_eq!(a["rectified_on_time"], 0);
    assert_eq!(a["good_rate"], 0.5);
    assert_eq!(a["rectification_rate"], 1.0);
    assert_eq!(a["unrated_rate"], 0.0);
    let b = department(&fig, d.seed.dept_b);
    assert!(b["good_rate"].is_null() && b["unrated_rate"].is_null());
    assert_eq!(fig["staff"].as_array().unwrap().len(), 1);
    assert_eq!(fig["staff"][0]["ratings"], 2);
    // Outside the period nothing counts.
    assert_eq!(
        figures(&d, "?from=2026-11-01&to=2026-11-30").await["total"]["ratings"],
        0
    );
    d.app
        .get("/api/v1/public/ratings?from=2026-12-01&to=2026-11-01", None)
        .await
        .error(400, "period.invalid");
}

#[tokio::test]
async fn the_deadline_is_a_setting_and_an_upheld_appeal_voids_the_rating() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let (no, code) = accepted_case(&d).await;

    let settings = d
        .app
        .get("/api/v1/supervision/settings", Some(&sup))
        .await
        .json();
    assert_eq!(settings["bad_rating_working_days"], 15);
    d.app
        .put_json(
            "/api/v1/supervision/settings",
            Some(&sup),
            &json!({"yellow_working_days": 2, "yellow_ratio": 0.8, "bad_rating_working_days": 31}),
        )
        .await
        .invalid(
            "settings.bad_rating_days_invalid",
            "bad_rating_working_days",
        );
    let r = d
        .app
        .put_json(
            "/api/v1/supervision/settings",
            Some(&sup),
            &json!({"yellow_working_days": 2, "yellow_ratio": 0.8, "bad_rating_working_days": 5}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["bad_rating_working_days"], 5);

    let r = rate(
        &d,
        &no,
        json!({"query_code": code, "level": 4, "channel": "hall", "tags": ["服务态度差"]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["followup_id"].as_i64().unwrap();
    let f = followups(&d, &d.clerk, "").await;
    // 5 working days: 8, 9, Sat 10, 12, 13 October.
    assert_eq!(f["followups"][0]["due_date"], "2026-10-13");
    assert_eq!(f["followups"][0]["channel_name"], "窗口评价器");

    // The big screen's count, with 30 September already a settled (kept) day.
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let screen = || async {
        d.app
            .state
            .store
            .given_ratings(
                d.seed.center_id,
                day("2026-09-01"),
                day("2026-09-30"),
                day("2026-10-08"),
            )
            .await
            .unwrap()
            .get(&d.seed.dept_a)
            .copied()
            .unwrap_or_default()
    };
    let given = screen().await;
    assert_eq!((given.ratings, given.good), (1, 0));

    // The department appeals; nothing else happens until the review.
    let r = step(
        &d,
        &d.clerk,
        id,
        "appeal",
        json!({"note": "申请人与窗口争执后恶意评价，有录像"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["appeal"], "pending");
    step(&d, &d.clerk, id, "verify", json!({"note": "x"}))
        .await
        .error(409, "followup.appeal_pending");
    step(
        &d,
        &d.clerk,
        id,
        "appeal/review",
        json!({"note": "x", "upheld": true}),
    )
    .await
    .error(403, "auth.forbidden");
    let pending = followups(&d, &sup, "?appeal=pending").await;
    assert_eq!(pending["total"], 1);
    let r = step(
        &d,
        &sup,
        id,
        "appeal/review",
        json!({"note": "经调阅录像，评价与事实不符", "upheld": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let voided = r.json();
    assert_eq!(voided["status"], "voided");
    assert_eq!(voided["appeal"], "upheld");
    assert_eq!(voided["appeal_review"], "经调阅录像，评价与事实不符");
    step(
        &d,
        &sup,
        id,
        "appeal/review",
        json!({"note": "x", "upheld": false}),
    )
    .await
    .error(409, "followup.no_appeal");

    // A voided rating counts nowhere: the case is unrated again, and the big
    // screen subtracts it from the day it kept.
    assert_eq!(screen().await.ratings, 0);
    let fig = figures(&d, "?from=2026-09-01&to=2026-12-31").await;
    let a = department(&fig, d.seed.dept_a);
    assert_eq!(a["ratings"], 0);
    assert_eq!(a["bad"], 0);
    assert_eq!(a["unrated_rate"], 1.0);
    // The channel stays used.
    rate(
        &d,
        &no,
        json!({"query_code": code, "level": 1, "channel": "hall"}),
    )
    .await
    .error(409, "rating.duplicate");
}

//! Performance scoring over HTTP on fixed dates: October 2026 scored from
//! what happened in it (a case concluded on time, one gone red, a bad
//! rating, an unanswered complaint), manual indicators, rankings, honours and
//! warnings, explanations down to the cases, schemes.

use crate::cases::{ID_CARD, OTHER_ID_CARD, at, desk};
use serde_json::{Value, json};

fn indicator<'a>(unit: &'a Value, code: &str) -> &'a Value {
    unit["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("indicator {code}"))
}

#[tokio::test]
async fn october_is_scored_from_the_system_s_own_data_and_explained() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;

    // 30 September: two cases accepted (10 working days: due 20 October).
    let on_time = d.window_case(ID_CARD).await;
    let accepted = d.ok(&d.clerk, &on_time, "accept", json!({})).await;
    let code = accepted["query_code"].as_str().unwrap().to_string();
    let late = d.window_case(OTHER_ID_CARD).await;
    d.ok(&d.clerk, &late, "accept", json!({})).await;

    // 9 October: the first is concluded on time.
    d.app.clock.set(at("2026-10-09T10:00:00+08:00"));
    d.ok(
        &d.approver,
        &on_time,
        "steps/2/complete",
        json!({"opinion": "同意"}),
    )
    .await;
    d.ok(
        &d.approver,
        &on_time,
        "conclude",
        json!({"decision": "approved", "certificate_no": "JY1150102000010"}),
    )
    .await;

    // 12 October: a bad rating of it, and a complaint about it.
    d.app.clock.set(at("2026-10-12T10:00:00+08:00"));
    let r = d
        .app
        .post_json(
            &format!("/api/v1/public/cases/{on_time}/rating"),
            None,
            &json!({"query_code": code, "level": 5, "channel": "web", "tags": ["服务态度差"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = d
        .app
        .post_json(
            "/api/v1/complaints",
            Some(&sup),
            &json!({"source": "hall", "category": "attitude", "phone": "13947110002",
                    "content": "窗口人员不耐烦", "case_no": on_time}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    // 21 October: the second is red; the worker records it.
    d.app.clock.set(at("2026-10-21T10:00:00+08:00"));
    d.app
        .post_empty("/api/v1/supervision/run", Some(&sup))
        .await;

    // 2 November: October is scored.
    d.app.clock.set(at("2026-11-02T09:00:00+08:00"));
    // Tokens of a month ago have expired.
    let sup = d.app.token("supervisor").await;
    let leader = d.app.token("leader").await;
    let clerk = d.app.token("clerk").await;
    let run = |kind: &str, period: &str| {
        let body = json!({"kind": kind, "period": period});
        let app = &d.app;
        let sup = sup.clone();
        async move {
            app.post_json("/api/v1/scoring/runs", Some(&sup), &body)
                .await
        }
    };
    d.app
        .post_json(
            "/api/v1/scoring/runs",
            Some(&clerk),
            &json!({"kind": "department", "period": "2026-10"}),
        )
        .await
        .error(403, "auth.forbidden");
    run("department", "2026-13")
        .await
        .invalid("scoring.period_invalid", "period");
    run("department", "2026-12")
        .await
        .invalid("scoring.period_future", "period");
    run("team", "2026-10")
        .await
        .invalid("scoring.kind_invalid", "kind");

    let r = run("department", "2026-10").await;
    assert_eq!(r.status, 201, "{}", r.text());
    let detail = r.json();
    assert_eq!(detail["run"]["honour_name"], "流动红旗窗口");
    let scores = detail["scores"].as_array().unwrap();
    let a = scores
        .iter()
        .find(|s| s["unit_id"] == d.seed.dept_a)
        .unwrap();
    let b = scores
        .iter()
        .find(|s| s["unit_id"] == d.seed.dept_b)
        .unwrap();
    let dept_a_name = a["unit_name"].as_str().unwrap().to_string();
    // Nothing happened at B: full points, but no cases, so no place.
    assert_eq!(b["total"], 100.0);
    assert_eq!(b["rank"], 0);
    assert_eq!(detail["ranked"], 1);
    // A lost: red card 1, step over budget 0.5, good rate 7, rectification
    // 5 + 3, bad rating 1, complaint answered late 3, unanswered 1.
    assert_eq!(a["total"], 78.5);
    assert_eq!(a["rank"], 1);
    assert_eq!(a["warned"], true, "below 80: warned");
    let notified = a["notified"].as_str().unwrap();
    assert!(!notified.is_empty(), "the leaders are named: {a}");
    assert_eq!(b["warned"], false);
    // Only units that handled cases compete for the red flag, and a warned
    // one never gets it.
    assert_eq!(b["honoured"], false, "B had no cases");
    assert_eq!(a["honoured"], false, "A is warned");
    let run_id = detail["run"]["id"].as_i64().unwrap();

    // Explained indicator by indicator, with the run's average.
    let unit = d
        .app
        .get(
            &format!("/api/v1/scoring/runs/{run_id}/units/{}", d.seed.dept_a),
            Some(&leader),
        )
        .await
        .json();
    assert_eq!(indicator(&unit, "d01")["value_text"], "100.0%");
    assert_eq!(indicator(&unit, "d01")["score"], 7.0);
    assert_eq!(indicator(&unit, "d06")["value_text"], "1");
    assert_eq!(indicator(&unit, "d06")["score"], 2.0);
    assert_eq!(indicator(&unit, "d10")["value_text"], "0.0%");
    assert_eq!(indicator(&unit, "d18")["score"], 0.0);
    assert_eq!(indicator(&unit, "d31")["value_text"], "手工录入");
    assert_eq!(unit["average"], 78.5, "the average of the ranked");
    assert_eq!(unit["history"].as_array().unwrap().len(), 1);

    // Down to the cases.
    let explain = |metric: &str| {
        let url = format!(
            "/api/v1/scoring/explain?kind=department&period=2026-10&unit_id={}&metric={metric}",
            d.seed.dept_a
        );
        let app = &d.app;
        let leader = leader.clone();
        async move { app.get(&url, Some(&leader)).await.json() }
    };
    let e = explain("overdue_warnings").await;
    assert_eq!(e["rows"][0]["reference"], late.as_str());
    assert_eq!(e["rows"][0]["against"], true);
    let e = explain("on_time_rate").await;
    assert_eq!(e["rows"][0]["reference"], on_time.as_str());
    assert_eq!(e["rows"][0]["against"], false);
    assert_eq!(explain("bad_ratings").await["rows"][0]["against"], true);

    // A manual indicator, with its reason; the run is recomputed.
    d.app
        .post_json(
            "/api/v1/scoring/manual",
            Some(&sup),
            &json!({"kind": "department", "period": "2026-10", "unit_id": d.seed.dept_a,
                    "indicator": "d01", "score": 1, "reason": "x"}),
        )
        .await
        .invalid("scoring.indicator_computed", "indicator");
    d.app
        .post_json(
            "/api/v1/scoring/manual",
            Some(&sup),
            &json!({"kind": "department", "period": "2026-10", "unit_id": d.seed.dept_a,
                    "indicator": "d31", "score": 3, "reason": "x"}),
        )
        .await
        .invalid("scoring.score_invalid", "score");
    let r = d
        .app
        .post_json(
            "/api/v1/scoring/manual",
            Some(&sup),
            &json!({"kind": "department", "period": "2026-10", "unit_id": d.seed.dept_a,
                    "indicator": "d31", "score": 1.5, "reason": "10月两人次迟到"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rerun = r.json()["run_id"].as_i64().unwrap();
    let unit = d
        .app
        .get(
            &format!("/api/v1/scoring/runs/{rerun}/units/{}", d.seed.dept_a),
            Some(&leader),
        )
        .await
        .json();
    assert_eq!(unit["score"]["total"], 78.0);
    assert_eq!(indicator(&unit, "d31")["reason"], "10月两人次迟到");

    // Staff: the clerk accepted both cases.
    let r = run("staff", "2026-10").await;
    assert_eq!(r.status, 201, "{}", r.text());
    let staff = r.json();
    assert!(
        staff["run"]["honour_name"].is_null(),
        "advanced staff are named by quarter"
    );
    let clerk = staff["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["department_name"] == dept_a_name.as_str()
                && s["unit_name"].as_str().unwrap().contains("窗口")
        })
        .expect("the clerk is scored")
        .clone();
    let unit = d
        .app
        .get(
            &format!(
                "/api/v1/scoring/runs/{}/units/{}",
                staff["run"]["id"], clerk["unit_id"]
            ),
            Some(&leader),
        )
        .await
        .json();
    assert_eq!(indicator(&unit, "s07")["score"], 6.0, "one bad rating: −2");
    assert_eq!(indicator(&unit, "s10")["score"], 3.5, "one complaint: −3.5");
    assert_eq!(indicator(&unit, "s04")["score"], 3.0, "one red card: −2");
    let q = run("staff", "2026-Q4").await.json();
    assert_eq!(q["run"]["honour_name"], "先进个人");
    // Only the clerk handled cases, and the clerk is below 80: nobody is an
    // advanced individual this quarter.
    let quarter = q["scores"].as_array().unwrap();
    assert!(quarter.iter().all(|s| s["honoured"] == false), "{q}");
    let clerk_q = quarter
        .iter()
        .find(|s| s["unit_id"] == clerk["unit_id"])
        .unwrap();
    assert_eq!(clerk_q["warned"], true);

    let runs = d
        .app
        .get("/api/v1/scoring/runs", Some(&leader))
        .await
        .json();
    assert_eq!(runs["runs"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn schemes_are_checked_and_put_in_force() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let r = d
        .app
        .get("/api/v1/scoring/schemes/department", Some(&sup))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut scheme = r.json();
    assert_eq!(scheme["indicator_count"], 39);
    assert_eq!(scheme["categories"].as_array().unwrap().len(), 5);
    let staff = d
        .app
        .get("/api/v1/scoring/schemes/staff", Some(&sup))
        .await
        .json();
    assert_eq!(staff["indicator_count"], 20);

    // 99 points: refused, nothing changes.
    scheme["categories"][0]["indicators"][0]["points"] = json!(6.0);
    d.app
        .put_json("/api/v1/scoring/schemes/department", Some(&sup), &scheme)
        .await
        .invalid("scheme.total_invalid", "categories");
    scheme["categories"][0]["indicators"][0]["metric"] = json!("nonsense");
    d.app
        .put_json("/api/v1/scoring/schemes/department", Some(&sup), &scheme)
        .await
        .invalid(
            "scheme.metric_unknown",
            "categories[0].indicators[0].metric",
        );
    // One point moved from 并联审批 to 办结按时率: 100 again.
    scheme["categories"][0]["indicators"][0]["metric"] = json!("on_time_rate");
    scheme["categories"][0]["indicators"][0]["points"] = json!(8.0);
    scheme["categories"][0]["indicators"][8]["points"] = json!(1.0);
    let clerk = d.clerk.clone();
    d.app
        .put_json("/api/v1/scoring/schemes/department", Some(&clerk), &scheme)
        .await
        .error(403, "auth.forbidden");
    let r = d
        .app
        .put_json("/api/v1/scoring/schemes/department", Some(&sup), &scheme)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let now = d
        .app
        .get("/api/v1/scoring/schemes/department", Some(&sup))
        .await
        .json();
    assert_eq!(now["categories"][0]["indicators"][0]["points"], 8.0);
    assert_eq!(now["categories"][0]["points"], 30.0);
}

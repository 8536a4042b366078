//! Electronic supervision over HTTP: warnings that follow the clock, the
//! thresholds, violations found on case events and on certificate uploads,
//! the worker's runs and correction orders.

use crate::cases::{ID_CARD, OTHER_ID_CARD, at, desk, licence};
use crate::helpers::TestApp;
use crate::helpers::limit;
use serde_json::{Value, json};

async fn warnings(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/warnings{query}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// `(case_no, rule, since)` of each warning listed.
fn listed(list: &Value) -> Vec<(String, String, String)> {
    list["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["case_no"].as_str().unwrap_or("").to_string(),
                w["rule"].as_str().unwrap().to_string(),
                w["since"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_case_accepted_before_national_day_turns_yellow_then_red_as_the_clock_passes() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let no = d.window_case(ID_CARD).await;
    let c = d.ok(&d.clerk, &no, "accept", json!({})).await;
    // 10 working days from Wednesday 30 September: the holiday runs 1–7 October
    // and Saturday 10 October is worked (8, 9, 10, 12 … 16, 19, 20).
    assert_eq!(c["due_date"], "2026-10-20");
    // Its second step (审查, 2 working days: 8 and 9 October) starts at acceptance.
    d.app.clock.set(at("2026-10-09T16:00:00+08:00"));
    assert!(listed(&warnings(&d.app, &sup, "").await).is_empty());

    // The step is over its budget from the third working day: Saturday 10 October.
    d.app.clock.set(at("2026-10-10T10:00:00+08:00"));
    let list = warnings(&d.app, &sup, "").await;
    assert_eq!(
        listed(&list),
        vec![(no.clone(), "step_over_budget".into(), "2026-10-10".into())]
    );

    // Yellow with 2 working days left after the day (19 and 20 October): the
    // 16th, when 8 of the 10 working days are used.
    d.app.clock.set(at("2026-10-15T17:00:00+08:00"));
    assert!(
        listed(&warnings(&d.app, &sup, "").await)
            .iter()
            .all(|w| w.1 != "near_deadline")
    );
    d.app.clock.set(at("2026-10-16T10:00:00+08:00"));
    let list = warnings(&d.app, &sup, "?level=yellow").await;
    let near: Vec<_> = listed(&list)
        .into_iter()
        .filter(|w| w.1 == "near_deadline")
        .collect();
    assert_eq!(
        near,
        vec![(no.clone(), "near_deadline".into(), "2026-10-16".into())]
    );
    let w = &list["warnings"][0];
    assert_eq!(w["level"], "yellow");
    assert_eq!(w["level_name"], "黄牌预警");
    assert_eq!(w["applicant_name"], "张*", "lists mask the applicant");
    assert!(listed(&warnings(&d.app, &sup, "?level=red").await).is_empty());

    // Red the day after the due date; red replaces yellow.
    d.app.clock.set(at("2026-10-20T17:00:00+08:00"));
    assert!(listed(&warnings(&d.app, &sup, "?level=red").await).is_empty());
    d.app.clock.set(at("2026-10-21T09:00:00+08:00"));
    let list = warnings(&d.app, &sup, "").await;
    let rules: Vec<String> = listed(&list).into_iter().map(|w| w.1).collect();
    assert_eq!(rules, vec!["overdue", "step_over_budget"]);
    assert_eq!(list["warnings"][0]["level"], "red");
    assert_eq!(list["warnings"][0]["since"], "2026-10-21");
    assert_eq!(list["total"], 2);

    // The department sees its own; another department sees nothing.
    let mine = warnings(&d.app, &d.clerk, "").await;
    assert_eq!(mine["total"], 2);
    let other = d.app.token("clerk_b").await;
    assert_eq!(warnings(&d.app, &other, "").await["total"], 0);
    let summary = d
        .app
        .get("/api/v1/warnings/summary", Some(&sup))
        .await
        .json();
    assert_eq!(summary["red"], 1);
    assert_eq!(summary["departments"][0]["department_id"], d.seed.dept_a);

    // The worker records both warnings once.
    let run = d
        .app
        .post_empty("/api/v1/supervision/run", Some(&sup))
        .await;
    assert_eq!(run.status, 200, "{}", run.text());
    assert_eq!(run.json()["warnings_recorded"], 2);
    let again = d
        .app
        .post_empty("/api/v1/supervision/run", Some(&sup))
        .await;
    assert_eq!(again.json()["warnings_recorded"], 0);
    d.app
        .post_empty("/api/v1/supervision/run", Some(&d.clerk))
        .await
        .error(403, "auth.forbidden");

    // Concluding the case ends its warnings.
    d.ok(
        &d.approver,
        &no,
        "steps/2/complete",
        json!({"opinion": "同意"}),
    )
    .await;
    d.ok(
        &d.approver,
        &no,
        "conclude",
        json!({"decision": "approved", "certificate_no": "JY1150102000009"}),
    )
    .await;
    assert_eq!(warnings(&d.app, &sup, "").await["total"], 0);
    // The per-day tallies behind the totals followed every threshold change.
    assert_eq!(d.app.state.store.warning_tally_drift().await.unwrap(), 0);
}

#[tokio::test]
async fn yellow_warnings_are_listed_by_the_day_they_turn_red() {
    let d = desk().await;
    // A 20-working-day licence accepted on 30 September: due 3 November, yellow
    // with 4 working days left (80 % used) from 28 October, red from 4 November.
    let mut long = licence(d.seed.dept_a);
    long.name = "食品经营许可（二十个工作日，测试）".into();
    long.promised_limit = Some(limit(20));
    let long_id = d.app.add_item(&long, true).await;
    let early = d.window_case_of(long_id, ID_CARD).await;
    let c = d.ok(&d.clerk, &early, "accept", json!({})).await;
    assert_eq!(c["due_date"], "2026-11-03");
    // A 10-working-day one accepted on 19 October: due 2 November, yellow from
    // 29 October (after the first), red from 3 November (before it).
    d.app.clock.set(at("2026-10-19T10:00:00+08:00"));
    let late = d.window_case(OTHER_ID_CARD).await;
    let c = d.ok(&d.clerk, &late, "accept", json!({})).await;
    assert_eq!(c["due_date"], "2026-11-02");

    d.app.clock.set(at("2026-10-30T10:00:00+08:00"));
    let sup = d.app.token("supervisor").await;
    let near = |list: &Value| -> Vec<(String, String)> {
        list["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["rule"] == "near_deadline")
            .map(|w| {
                (
                    w["case_no"].as_str().unwrap().to_string(),
                    w["since"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // The one that turns red first leads, though its yellow began later.
    let expected = vec![
        (late.clone(), "2026-10-29".to_string()),
        (early.clone(), "2026-10-28".to_string()),
    ];
    assert_eq!(
        near(&warnings(&d.app, &sup, "?level=yellow").await),
        expected
    );
    assert_eq!(near(&warnings(&d.app, &sup, "").await), expected);
    let one = format!("?level=yellow&department_id={}", d.seed.dept_a);
    assert_eq!(near(&warnings(&d.app, &sup, &one).await), expected);
    // A page of one holds the first of them.
    let first = warnings(&d.app, &sup, "?level=yellow&limit=1").await;
    assert_eq!(first["warnings"][0]["rule"], "step_over_budget");
    assert_eq!(first["total"], 4);
    assert_eq!(d.app.state.store.warning_tally_drift().await.unwrap(), 0);
}

#[tokio::test]
async fn the_thresholds_are_settings_and_a_change_applies_to_running_cases() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;

    let s = d
        .app
        .get("/api/v1/supervision/settings", Some(&sup))
        .await
        .json();
    assert_eq!(
        s,
        json!({"yellow_working_days": 2, "yellow_ratio": 0.8, "bad_rating_working_days": 15})
    );

    // 14 October: 4 working days left of 10 after the day; not yellow by default.
    d.app.clock.set(at("2026-10-14T10:00:00+08:00"));
    let near = |list: Value| {
        listed(&list)
            .into_iter()
            .filter(|w| w.1 == "near_deadline")
            .count()
    };
    assert_eq!(near(warnings(&d.app, &sup, "").await), 0);

    let r = d
        .app
        .put_json(
            "/api/v1/supervision/settings",
            Some(&sup),
            &json!({"yellow_working_days": 6, "yellow_ratio": 0.9}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["cases_rewatched"], 1);
    let list = warnings(&d.app, &sup, "").await;
    assert_eq!(near(list.clone()), 1);
    assert_eq!(
        list["total"], 2,
        "near the deadline and the step over its budget"
    );
    assert_eq!(d.app.state.store.warning_tally_drift().await.unwrap(), 0);
    let since = listed(&list)
        .into_iter()
        .find(|w| w.1 == "near_deadline")
        .unwrap()
        .2;
    assert_eq!(
        since, "2026-10-12",
        "the 7th working day counted back from 20 October"
    );

    // Bad values name their field and change nothing.
    d.app
        .put_json(
            "/api/v1/supervision/settings",
            Some(&sup),
            &json!({"yellow_working_days": 31, "yellow_ratio": 0.8}),
        )
        .await
        .invalid("supervision.yellow_days_invalid", "yellow_working_days");
    d.app
        .put_json(
            "/api/v1/supervision/settings",
            Some(&sup),
            &json!({"yellow_working_days": 2, "yellow_ratio": 1.5}),
        )
        .await
        .invalid("supervision.yellow_ratio_invalid", "yellow_ratio");
    d.app
        .put_json(
            "/api/v1/supervision/settings",
            Some(&d.clerk),
            &json!({"yellow_working_days": 2, "yellow_ratio": 0.8}),
        )
        .await
        .error(403, "auth.forbidden");
    let s = d
        .app
        .get("/api/v1/supervision/settings", Some(&sup))
        .await
        .json();
    assert_eq!(s["yellow_working_days"], 6);
    d.app
        .get("/api/v1/warnings?level=green", Some(&sup))
        .await
        .error(400, "warning.level_invalid");
}

#[tokio::test]
async fn a_second_notice_and_a_second_acceptance_of_the_same_applicant_and_item_are_flagged() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let created = d
        .submit(
            ID_CARD,
            json!([{"name": "食品经营许可申请书", "paper": true}]),
        )
        .await;
    let no = created["case_no"].as_str().unwrap().to_string();
    let notice = json!({"lines": [{"material": "营业执照", "problem": "未提供营业执照副本"}]});
    d.ok(&d.clerk, &no, "notify", notice.clone()).await;
    d.ok(
        &d.clerk,
        &no,
        "resubmit",
        json!({"materials": [{"name": "营业执照", "paper": true}]}),
    )
    .await;
    assert_eq!(
        warnings(&d.app, &sup, "").await["total"],
        0,
        "one notice is the rule"
    );
    d.ok(&d.clerk, &no, "notify", notice).await;
    let list = warnings(&d.app, &sup, "").await;
    assert_eq!(
        listed(&list),
        vec![(
            no.clone(),
            "second_correction_notice".into(),
            "2026-09-30".into()
        )]
    );
    let w = &list["warnings"][0];
    assert_eq!(w["source"], "violation");
    assert_eq!(w["level"], "yellow");
    assert!(w["detail"].as_str().unwrap().contains("第 2 次"), "{w}");
    let violation = w["violation_id"].as_i64().unwrap();

    // A supervisor dismisses it with a note; it leaves the list.
    d.app
        .post_json(
            &format!("/api/v1/violations/{violation}/resolve"),
            Some(&sup),
            &json!({"status": "dismissed", "resolution": ""}),
        )
        .await
        .invalid("field.required", "resolution");
    let r = d
        .app
        .post_json(
            &format!("/api/v1/violations/{violation}/resolve"),
            Some(&sup),
            &json!({"status": "dismissed", "resolution": "申请人更换了经营场所，需重新告知"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status_name"], "已排除");
    assert_eq!(warnings(&d.app, &sup, "").await["total"], 0);

    // 两头受理: the same applicant and item accepted while the first is open.
    let first = d.window_case(OTHER_ID_CARD).await;
    d.ok(&d.clerk, &first, "accept", json!({})).await;
    let second = d.window_case(OTHER_ID_CARD).await;
    d.ok(&d.clerk, &second, "accept", json!({})).await;
    let list = warnings(&d.app, &sup, "?level=red").await;
    assert_eq!(
        listed(&list),
        vec![(second.clone(), "accepted_twice".into(), "2026-09-30".into())]
    );
    assert!(
        list["warnings"][0]["detail"]
            .as_str()
            .unwrap()
            .contains(&first)
    );
}

#[tokio::test]
async fn a_certificate_registered_without_an_accepted_case_is_flagged() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;
    let cert = |n: &str, case_no: Option<&str>| {
        json!({"certificate_no": n, "name": "食品经营许可证", "holder_name": "张三",
               "holder_id_number": ID_CARD, "issued_on": "2026-09-30", "case_no": case_no})
    };
    let r = d
        .app
        .post_json(
            "/api/v1/certificates/external",
            Some(&d.chief),
            &json!({"certificates": [cert("WB-001", Some(&no)), cert("WB-002", None), cert("WB-003", Some("GH-19990101-00001"))]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    assert_eq!(body["flagged"], 2);
    assert!(body["registered"][0]["violation_id"].is_null());
    let list = warnings(&d.app, &sup, "?level=red").await;
    let rules: Vec<String> = listed(&list).into_iter().map(|w| w.1).collect();
    assert_eq!(
        rules,
        vec!["certificate_without_case", "certificate_without_case"]
    );
    assert!(
        list["warnings"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("GH-19990101-00001")
    );

    // All or nothing: a duplicate number refuses the whole upload; a bad
    // date names its row.
    let r = d
        .app
        .post_json(
            "/api/v1/certificates/external",
            Some(&d.chief),
            &json!({"certificates": [cert("WB-004", None), cert("WB-001", None)]}),
        )
        .await;
    r.error(409, "certificate.duplicate");
    let mut bad = cert("WB-005", None);
    bad["issued_on"] = json!("2026/09/30");
    d.app
        .post_json(
            "/api/v1/certificates/external",
            Some(&d.chief),
            &json!({"certificates": [bad]}),
        )
        .await
        .invalid("field.date_invalid", "certificates[0].issued_on");
    assert_eq!(warnings(&d.app, &sup, "").await["total"], 2);
}

#[tokio::test]
async fn a_correction_order_is_answered_returned_closed_and_escalated_when_late() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;

    // Bad orders name their field.
    d.app
        .post_json(
            "/api/v1/corrections",
            Some(&sup),
            &json!({"reason": "超期", "reply_working_days": 3}),
        )
        .await
        .invalid("correction.target_required", "case_no");
    d.app
        .post_json(
            "/api/v1/corrections",
            Some(&sup),
            &json!({"case_no": no, "reason": " ", "reply_working_days": 0}),
        )
        .await
        .invalid("field.required", "reason");
    d.app
        .post_json(
            "/api/v1/corrections",
            Some(&sup),
            &json!({"case_no": "GH-19990101-00001", "reason": "核查", "reply_working_days": 3}),
        )
        .await
        .invalid("correction.case_not_found", "case_no");
    d.app
        .post_json(
            "/api/v1/corrections",
            Some(&d.clerk),
            &json!({"case_no": no, "reason": "核查", "reply_working_days": 3}),
        )
        .await
        .error(403, "auth.forbidden");

    let r = d
        .app
        .post_json(
            "/api/v1/corrections",
            Some(&sup),
            &json!({"case_no": no, "reason": "审查环节已超时，请说明原因并加快办理", "reply_working_days": 3}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let c = r.json();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "issued");
    // 3 working days from 30 September: 8, 9 and (the worked Saturday) 10 October.
    assert_eq!(c["reply_due"], "2026-10-10");
    assert_eq!(c["department_id"], d.seed.dept_a);

    // The department sees it; another does not.
    let list = d
        .app
        .get("/api/v1/corrections", Some(&d.chief))
        .await
        .json();
    assert_eq!(list["corrections"].as_array().unwrap().len(), 1);
    let other = d.app.token("clerk_b").await;
    assert_eq!(
        d.app.get("/api/v1/corrections", Some(&other)).await.json()["corrections"],
        json!([])
    );
    d.app
        .get(&format!("/api/v1/corrections/{id}"), Some(&other))
        .await
        .error(404, "resource.not_found");

    // Reply, return, reply again, close.
    let path = |a: &str| format!("/api/v1/corrections/{id}/{a}");
    d.app
        .post_json(&path("reply"), Some(&d.chief), &json!({"reply": ""}))
        .await
        .invalid("field.required", "reply");
    d.app
        .post_json(&path("close"), Some(&d.chief), &json!({}))
        .await
        .error(403, "auth.forbidden");
    let r = d
        .app
        .post_json(
            &path("reply"),
            Some(&d.chief),
            &json!({"reply": "已安排专人审查"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "replied");
    d.app
        .post_json(&path("reply"), Some(&d.chief), &json!({"reply": "再答复"}))
        .await
        .error(409, "correction.not_awaiting_reply");
    let r = d
        .app
        .post_json(
            &path("return"),
            Some(&sup),
            &json!({"note": "请说明超时原因"}),
        )
        .await;
    assert_eq!(r.json()["status"], "returned");
    d.app
        .post_json(
            &path("reply"),
            Some(&d.chief),
            &json!({"reply": "因材料核验延误，已办结审查"}),
        )
        .await;
    let r = d
        .app
        .post_json(&path("close"), Some(&sup), &json!({"note": "同意"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let c = r.json();
    assert_eq!(c["status"], "closed");
    let kinds: Vec<&str> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["issued", "replied", "returned", "replied", "closed"]
    );

    // An order left unanswered past its deadline is escalated by the worker, once.
    let late = d
        .app
        .post_json(
            "/api/v1/corrections",
            Some(&sup),
            &json!({"department_id": d.seed.dept_a, "reason": "窗口人员离岗未挂牌", "reply_working_days": 1}),
        )
        .await
        .json();
    assert_eq!(late["reply_due"], "2026-10-08");
    d.app.clock.set(at("2026-10-08T16:00:00+08:00"));
    let run = d
        .app
        .post_empty("/api/v1/supervision/run", Some(&sup))
        .await
        .json();
    assert_eq!(run["corrections_escalated"], 0, "due today is not late");
    d.app.clock.set(at("2026-10-09T09:00:00+08:00"));
    let run = d
        .app
        .post_empty("/api/v1/supervision/run", Some(&sup))
        .await
        .json();
    assert_eq!(run["corrections_escalated"], 1);
    let run = d
        .app
        .post_empty("/api/v1/supervision/run", Some(&sup))
        .await
        .json();
    assert_eq!(run["corrections_escalated"], 0);
    let late = d
        .app
        .get(&format!("/api/v1/corrections/{}", late["id"]), Some(&sup))
        .await
        .json();
    assert_eq!(late["overdue"], true);
    assert_eq!(late["escalated"], true);
    assert_eq!(late["events"][1]["kind"], "escalated");
}

#[tokio::test]
async fn warning_totals_follow_cases_written_together_in_one_batch() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let mut cases = Vec::new();
    for _ in 0..10 {
        cases.push(d.window_case(ID_CARD).await);
    }
    // Acting on many cases at once puts them in the writer's batches together.
    let act = |token: String, no: String, action: &'static str, body: Value| {
        let url = d.app.url(&format!("/api/v1/cases/{no}/{action}"));
        tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{action}");
        })
    };
    let all = |tasks: Vec<tokio::task::JoinHandle<()>>| async move {
        for t in tasks {
            t.await.unwrap();
        }
    };
    all(cases
        .iter()
        .map(|no| act(d.clerk.clone(), no.clone(), "accept", json!({})))
        .collect())
    .await;
    // The total (summed from the tallies) is what the list holds when it all fits
    // on one page; answers the time warnings among them.
    let consistent = |list: &Value| {
        let rows = list["warnings"].as_array().unwrap();
        assert_eq!(list["total"].as_u64().unwrap() as usize, rows.len());
        rows.iter().filter(|w| w["source"] == "time").count()
    };
    assert_eq!(d.app.state.store.warning_tally_drift().await.unwrap(), 0);

    // Overdue: ten red and ten steps over their budget.
    d.app.clock.set(at("2026-10-21T09:00:00+08:00"));
    let list = warnings(&d.app, &sup, "?limit=500").await;
    assert_eq!(consistent(&list), 20);

    // Half of them are concluded together.
    all(cases[..5]
        .iter()
        .map(|no| {
            act(
                d.approver.clone(),
                no.clone(),
                "steps/2/complete",
                json!({"opinion": "同意"}),
            )
        })
        .collect())
    .await;
    all(cases[..5]
        .iter()
        .enumerate()
        .map(|(i, no)| {
            act(
                d.approver.clone(),
                no.clone(),
                "conclude",
                json!({"decision": "approved", "certificate_no": format!("JY115010200001{i:02}")}),
            )
        })
        .collect())
    .await;
    assert_eq!(d.app.state.store.warning_tally_drift().await.unwrap(), 0);
    let list = warnings(&d.app, &sup, "?limit=500").await;
    assert_eq!(
        consistent(&list),
        10,
        "the five still running: red and over their step's budget"
    );
    let red = list["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["level"] == "red")
        .count();
    let summary = d
        .app
        .get("/api/v1/warnings/summary", Some(&sup))
        .await
        .json();
    assert_eq!(summary["red"].as_u64().unwrap() as usize, red);
}

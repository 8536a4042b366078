//! Complaints and 12345 requests over HTTP: intake and routing, the
//! department's answer with return and reopen, the hotline import (all or
//! nothing), the public form, masking of personal data.

use crate::cases::{ID_CARD, desk};
use serde_json::{Value, json};

async fn step(
    app: &crate::helpers::TestApp,
    token: &str,
    id: i64,
    action: &str,
    body: Value,
) -> crate::helpers::Reply {
    app.post_json(
        &format!("/api/v1/complaints/{id}/{action}"),
        Some(token),
        &body,
    )
    .await
}

async fn list(app: &crate::helpers::TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/complaints{query}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn a_complaint_about_a_case_goes_to_its_department_and_runs_its_course() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let other = d.app.token("clerk_b").await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;

    // Bad input names the field and registers nothing.
    d.app
        .post_json(
            "/api/v1/complaints",
            Some(&sup),
            &json!({"source": "hall", "category": "办事拖延", "phone": "123", "content": "x"}),
        )
        .await
        .invalid("complaint.phone_invalid", "phone");
    d.app
        .post_json(
            "/api/v1/complaints",
            Some(&sup),
            &json!({"source": "hall", "category": "delay", "phone": "13947110002",
                    "content": "x", "case_no": "XC-20990101-00001"}),
        )
        .await
        .invalid("complaint.case_not_found", "case_no");
    d.app
        .post_json(
            "/api/v1/complaints",
            Some(&d.clerk),
            &json!({"source": "hall", "category": "delay", "phone": "13947110002", "content": "x"}),
        )
        .await
        .error(403, "auth.forbidden");
    assert_eq!(list(&d.app, &sup, "").await["total"], 0);

    let r = d
        .app
        .post_json(
            "/api/v1/complaints",
            Some(&sup),
            &json!({"source": "hall", "category": "办事拖延", "complainant_name": "刘芳",
                    "phone": "13947110002", "content": "材料交了一周还没有审核", "case_no": no}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let c = r.json();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "assigned");
    assert_eq!(c["department_id"], d.seed.dept_a);
    // 办事拖延: 5 working days from 30 September (8, 9, Sat 10, 12, 13 October).
    assert_eq!(c["due_date"], "2026-10-13");
    assert_eq!(
        c["phone"], "13947110002",
        "one complaint shows the phone in full"
    );
    assert!(c["staff_name"].as_str().unwrap().starts_with("测试"), "{c}");

    // The department sees it, masked in the list; another department does not.
    let mine = list(&d.app, &d.clerk, "?status=open").await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["complaints"][0]["phone"], "139****0002");
    assert_eq!(mine["complaints"][0]["complainant_name"], "刘*");
    assert_eq!(list(&d.app, &other, "").await["total"], 0);
    d.app
        .get(&format!("/api/v1/complaints/{id}"), Some(&other))
        .await
        .error(404, "resource.not_found");

    step(&d.app, &d.clerk, id, "reply", json!({"note": "x"}))
        .await
        .error(409, "complaint.not_handling");
    let r = step(&d.app, &d.clerk, id, "accept", json!({})).await;
    assert_eq!(r.json()["status"], "handling");
    step(&d.app, &d.clerk, id, "reply", json!({"note": " "}))
        .await
        .invalid("field.required", "note");
    let r = step(&d.app, &d.clerk, id, "reply", json!({"note": "已审核完毕"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "replied");
    assert_eq!(r.json()["replied_on_time"], true);
    step(
        &d.app,
        &d.clerk,
        id,
        "close",
        json!({"satisfaction": "satisfied"}),
    )
    .await
    .error(403, "auth.forbidden");
    let r = step(
        &d.app,
        &sup,
        id,
        "return",
        json!({"note": "请说明延误原因"}),
    )
    .await;
    assert_eq!(r.json()["status"], "handling");
    step(
        &d.app,
        &d.clerk,
        id,
        "reply",
        json!({"note": "系统故障延误，已办结并致歉"}),
    )
    .await;
    step(&d.app, &sup, id, "close", json!({"satisfaction": "great"}))
        .await
        .invalid("complaint.satisfaction_invalid", "satisfaction");
    let r = step(&d.app, &sup, id, "close", json!({"satisfaction": "basic"})).await;
    let closed = r.json();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["satisfaction_name"], "基本满意");

    // Reopened: a new time limit from today.
    d.app
        .clock
        .set(crate::cases::at("2026-10-14T10:00:00+08:00"));
    let r = step(
        &d.app,
        &sup,
        id,
        "reopen",
        json!({"note": "诉求人来电仍不满意"}),
    )
    .await;
    let reopened = r.json();
    assert_eq!(reopened["status"], "handling");
    assert_eq!(reopened["due_date"], "2026-10-21");
    let kinds: Vec<&str> = reopened["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "received", "assigned", "accepted", "replied", "returned", "replied", "closed",
            "reopened"
        ]
    );
    d.app
        .clock
        .set(crate::cases::at("2026-10-22T10:00:00+08:00"));
    let overdue = list(&d.app, &sup, "?overdue=true").await;
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["complaints"][0]["overdue"], true);
}

#[tokio::test]
async fn a_hotline_export_is_imported_all_or_nothing_and_routed() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let other = d.app.token("clerk_b").await;
    let import = |csv: String| {
        let app = &d.app;
        let sup = sup.clone();
        async move {
            app.upload(
                "/api/v1/complaints/import",
                Some(&sup),
                "12345.csv",
                csv.into_bytes(),
            )
            .await
        }
    };
    let header = "工单编号,诉求人,联系电话,诉求类别,诉求内容,承办部门\n";
    let bad_phone = format!(
        "{header}H-1,王先生,13947110005,政策咨询,灵活就业人员如何参保,人社局\nH-2,,12,服务态度,窗口人员态度差,\nH-3,,13947110006,意见建议,建议增加自助机,不存在的局\n"
    );
    let e = import(bad_phone)
        .await
        .invalid("complaint.phone_invalid", "rows[1].phone");
    assert!(e["message"].as_str().unwrap().starts_with("第3行"), "{e}");
    let bad_department = format!(
        "{header}H-1,王先生,13947110005,政策咨询,灵活就业人员如何参保,人社局\nH-2,,13947110007,服务态度,窗口人员态度差,\nH-3,,13947110006,意见建议,建议增加自助机,不存在的局\n"
    );
    import(bad_department)
        .await
        .invalid("complaint.department_not_found", "rows[2].department");
    assert_eq!(
        list(&d.app, &sup, "").await["total"],
        0,
        "nothing was written"
    );

    let good = format!(
        "{header}H-1,王先生,13947110005,政策咨询,灵活就业人员如何参保,人社局\nH-2,,13947110007,服务态度,窗口人员态度差,\n"
    );
    let r = import(good.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["count"], 2);
    import(good)
        .await
        .invalid("complaint.duplicate", "rows[0].external_no");

    let all = list(&d.app, &sup, "").await;
    assert_eq!(all["total"], 2);
    let by_no = |no: &str| {
        all["complaints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["external_no"] == no)
            .unwrap()
            .clone()
    };
    let routed = by_no("H-1");
    assert_eq!(routed["status"], "assigned");
    assert_eq!(routed["department_id"], d.seed.dept_a);
    assert_eq!(routed["source_name"], "12345热线");
    // 政策咨询: 3 working days (8, 9 and the make-up Saturday 10 October).
    assert_eq!(routed["due_date"], "2026-10-10");
    let waiting = by_no("H-2");
    assert_eq!(waiting["status"], "received");
    assert_eq!(waiting["complainant_name"], "匿名");

    // Routed to the wrong department, it comes back to the center.
    let id = waiting["id"].as_i64().unwrap();
    let r = step(
        &d.app,
        &sup,
        id,
        "assign",
        json!({"department_id": d.seed.dept_b}),
    )
    .await;
    assert_eq!(r.json()["status"], "assigned");
    assert_eq!(list(&d.app, &other, "").await["total"], 1);
    step(&d.app, &other, id, "send-back", json!({}))
        .await
        .invalid("field.required", "note");
    let r = step(
        &d.app,
        &other,
        id,
        "send-back",
        json!({"note": "该窗口属人社局"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "received");
    assert_eq!(list(&d.app, &other, "").await["total"], 0);
    let r = step(
        &d.app,
        &sup,
        id,
        "assign",
        json!({"department_id": d.seed.dept_a}),
    )
    .await;
    assert_eq!(r.json()["department_id"], d.seed.dept_a);
}

#[tokio::test]
async fn anyone_may_complain_on_the_web() {
    let d = desk().await;
    d.app
        .post_json(
            "/api/v1/public/complaints",
            None,
            &json!({"category": "fees", "phone": "13947110008", "content": ""}),
        )
        .await
        .invalid("field.required", "content");
    let r = d
        .app
        .post_json(
            "/api/v1/public/complaints",
            None,
            &json!({"source": "hotline", "category": "乱收费", "phone": "13947110008",
                    "content": "办理时被要求缴纳资料费", "department_id": d.seed.dept_a}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let receipt = r.json();
    assert_eq!(receipt["category_name"], "乱收费");
    // 乱收费: 10 working days.
    assert_eq!(receipt["due_date"], "2026-10-20");
    let sup = d.app.token("supervisor").await;
    let c = d
        .app
        .get(&format!("/api/v1/complaints/{}", receipt["id"]), Some(&sup))
        .await
        .json();
    assert_eq!(c["source"], "web", "the public form is always the web");
    assert_eq!(c["status"], "assigned");
}

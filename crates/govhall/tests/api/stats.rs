//! Statistics over HTTP: the case report by department, item and month (on
//! Beijing days, working days counted with the calendar across National
//! Day), the ratings and complaint reports, their Excel downloads, the
//! leaders' big screen (JSON and page) and who may see them.

use crate::cases::{Desk, ID_CARD, OTHER_ID_CARD, applicant, at, desk};
use crate::helpers::{TestApp, item, limit};
use crate::reports::{first_sheet, text};
use domain::catalogue::ItemInput;
use serde_json::{Value, json};

/// The cases of the scenario, by what happens to them.
struct Cases {
    /// Accepted 30 Sep (due 20 Oct), concluded 9 Oct: 2 working days, on time.
    early: String,
    /// Accepted 30 Sep (due 20 Oct), concluded 21 Oct at 07:30 Beijing time
    /// (still 20 Oct in UTC): 11 working days, late.
    late: String,
    /// Applied online and accepted 8 Oct (due 21 Oct), still running.
    online: String,
    /// An on-the-spot case (即办) of another item, accepted and concluded 8 Oct.
    immediate: String,
}

/// 即办: a same-day item of department A.
fn on_the_spot(department_id: i64) -> ItemInput {
    ItemInput {
        case_kind: "immediate".into(),
        promised_limit: Some(limit(0)),
        ..item(department_id, "社会保障卡信息变更（测试）")
    }
}

/// A third applicant, so that no case is taken for a second acceptance of
/// the same application (两头受理).
const THIRD_ID_CARD: &str = "110101198506123010";

/// A window application of the on-the-spot item by the clerk.
async fn window_application(d: &Desk, item_id: i64) -> String {
    let r = d
        .app
        .post_json(
            "/api/v1/cases",
            Some(&d.clerk),
            &json!({
                "item_id": item_id,
                "applicant": applicant(OTHER_ID_CARD),
                "materials": [{"name": "申请书", "paper": true}]
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["case_no"].as_str().unwrap().to_string()
}

/// An application made online by the applicant, with a scan of each
/// required material.
async fn online_application(d: &Desk) -> String {
    let citizen = d.app.token("citizen").await;
    let scan = d
        .app
        .post_bytes(
            "/api/v1/files",
            Some(&citizen),
            "application/pdf",
            b"%PDF-1.4\n% scanned\n".to_vec(),
        )
        .await;
    assert_eq!(scan.status, 201, "{}", scan.text());
    let file = json!([{"sha256": scan.json()["sha256"], "filename": "扫描件.pdf"}]);
    let r = d
        .app
        .post_json(
            "/api/v1/cases",
            Some(&citizen),
            &json!({
                "item_id": d.item_id,
                "applicant": applicant(THIRD_ID_CARD),
                "materials": [
                    {"name": "食品经营许可申请书", "files": file},
                    {"name": "营业执照", "files": file}
                ]
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["case"]["channel"], "online");
    r.json()["case_no"].as_str().unwrap().to_string()
}

async fn conclude(d: &Desk, no: &str, certificate: &str) {
    d.ok(
        &d.approver,
        no,
        "steps/2/complete",
        json!({"opinion": "同意"}),
    )
    .await;
    let c = d
        .ok(
            &d.approver,
            no,
            "conclude",
            json!({"decision": "approved", "certificate_no": certificate}),
        )
        .await;
    assert_eq!(c["status"], "concluded");
}

async fn rate(d: &Desk, no: &str, code: &str, level: i64) {
    let r = d
        .app
        .post_json(
            &format!("/api/v1/public/cases/{no}/rating"),
            None,
            &json!({"query_code": code, "level": level, "channel": "web", "comment": "测试评价"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

/// Plays the scenario out, leaving the clock at 21 October 2026, 09:00.
async fn scenario() -> (Desk, Cases) {
    let d = desk().await;
    let spot = d.app.add_item(&on_the_spot(d.seed.dept_a), true).await;

    // Wednesday 30 September, 09:00: two window cases, due 20 October.
    let early = d.window_case(ID_CARD).await;
    let late = d.window_case(OTHER_ID_CARD).await;
    for no in [&early, &late] {
        let c = d.ok(&d.clerk, no, "accept", json!({})).await;
        assert_eq!(c["due_date"], "2026-10-20");
    }

    // Thursday 8 October, after the holiday: an online application and an
    // on-the-spot case concluded within the day.
    d.app.clock.set(at("2026-10-08T10:00:00+08:00"));
    let online = online_application(&d).await;
    let c = d.ok(&d.clerk, &online, "accept", json!({})).await;
    assert_eq!(c["due_date"], "2026-10-21");
    let immediate = window_application(&d, spot).await;
    let c = d.ok(&d.clerk, &immediate, "accept", json!({})).await;
    assert_eq!(c["due_date"], "2026-10-08");
    let immediate_code = c["query_code"].as_str().unwrap().to_string();
    d.app.clock.set(at("2026-10-08T11:00:00+08:00"));
    let c = d
        .ok(
            &d.approver,
            &immediate,
            "conclude",
            json!({"decision": "approved"}),
        )
        .await;
    assert_eq!(c["status"], "concluded");

    // Friday 9 October: the first case is done, and rated well; the
    // on-the-spot one is rated badly.
    d.app.clock.set(at("2026-10-09T15:00:00+08:00"));
    conclude(&d, &early, "JY11501020000001").await;
    let early_code = d.case(&d.clerk, &early).await["query_code"]
        .as_str()
        .unwrap()
        .to_string();
    rate(&d, &early, &early_code, 1).await;
    rate(&d, &immediate, &immediate_code, 4).await;

    // Wednesday 21 October, 07:30 in Beijing (20 October, 23:30 UTC): the
    // second one, a day late.
    d.app.clock.set(at("2026-10-21T07:30:00+08:00"));
    conclude(&d, &late, "JY11501020000002").await;
    d.app.clock.set(at("2026-10-21T09:00:00+08:00"));
    (
        d,
        Cases {
            early,
            late,
            online,
            immediate,
        },
    )
}

async fn report(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.get(path, Some(token)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    r.json()
}

fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key}: {report}"))
}

#[track_caller]
fn close(value: &Value, expected: f64) {
    let v = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!((v - expected).abs() < 1e-9, "{v} is not {expected}");
}

#[tokio::test]
async fn the_case_report_counts_on_beijing_days_in_working_days() {
    let (d, cases) = scenario().await;
    let leader = d.app.token("leader").await;
    let a = d.seed.dept_a.to_string();
    let b = d.seed.dept_b.to_string();

    let r = report(
        &d.app,
        &leader,
        "/api/v1/reports/cases?from=2026-09-01&to=2026-10-31",
    )
    .await;
    assert_eq!(r["group"], "department");
    assert_eq!(r["rows"].as_array().unwrap().len(), 2, "every department");
    let dept = row(&r, &a);
    assert_eq!(dept["name"], crate::helpers::DEPT_A_NAME);
    assert_eq!(dept["accepted"], 4);
    assert_eq!(dept["immediate"], 1);
    assert_eq!(dept["online"], 1);
    close(&dept["immediate_share"], 0.25);
    close(&dept["online_share"], 0.25);
    assert_eq!(dept["concluded"], 3);
    assert_eq!(dept["on_time"], 2, "{} was late", cases.late);
    close(&dept["on_time_rate"], 2.0 / 3.0);
    // 2 (8, 9 Oct) + 0 (the same day) + 11 (8, 9, Sat 10, 12–16, 19–21 Oct).
    close(&dept["average_working_days"], 13.0 / 3.0);
    let other = row(&r, &b);
    assert_eq!(other["accepted"], 0);
    assert!(other["on_time_rate"].is_null(), "nothing to divide: null");
    assert_eq!(r["total"]["concluded"], 3);
    close(&r["total"]["average_working_days"], 13.0 / 3.0);

    // October alone: two accepted in it, three concluded in it (whenever accepted).
    let october = report(
        &d.app,
        &leader,
        "/api/v1/reports/cases?from=2026-10-01&to=2026-10-31",
    )
    .await;
    assert_eq!(october["total"]["accepted"], 2);
    assert_eq!(october["total"]["concluded"], 3);
    // Up to 20 October (Beijing): the late case, concluded on the 21st in
    // Beijing though still the 20th in UTC, is not in it.
    let to_20th = report(
        &d.app,
        &leader,
        "/api/v1/reports/cases?from=2026-10-01&to=2026-10-20",
    )
    .await;
    assert_eq!(to_20th["total"]["concluded"], 2);
    assert_eq!(to_20th["total"]["on_time"], 2);
    close(&to_20th["total"]["average_working_days"], 1.0);

    let by_month = report(
        &d.app,
        &leader,
        "/api/v1/reports/cases?from=2026-09-15&to=2026-10-31&group=month",
    )
    .await;
    let months: Vec<&str> = by_month["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2026年9月", "2026年10月"]);
    let september = row(&by_month, "2026-09");
    assert_eq!(
        (
            september["accepted"].clone(),
            september["concluded"].clone()
        ),
        (json!(2), json!(0))
    );
    let october = row(&by_month, "2026-10");
    assert_eq!(october["accepted"], 2);
    assert_eq!(october["immediate"], 1);
    assert_eq!(october["online"], 1);
    assert_eq!(october["concluded"], 3);
    assert_eq!(october["on_time"], 2);

    let by_item = report(
        &d.app,
        &leader,
        "/api/v1/reports/cases?from=2026-09-01&to=2026-10-31&group=item",
    )
    .await;
    let items = by_item["rows"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let licence = row(&by_item, &d.item_id.to_string());
    assert_eq!(licence["name"], "食品经营许可（测试）");
    assert_eq!(licence["department_name"], crate::helpers::DEPT_A_NAME);
    assert_eq!(licence["accepted"], 3);
    assert_eq!(licence["concluded"], 2);
    close(&licence["on_time_rate"], 0.5);
    close(&licence["average_working_days"], 6.5);
    let spot = items
        .iter()
        .find(|r| r["name"] == "社会保障卡信息变更（测试）")
        .unwrap();
    assert_eq!(spot["immediate"], 1);
    close(&spot["immediate_share"], 1.0);
    close(&spot["average_working_days"], 0.0);
    assert!(
        !by_item.to_string().contains("张三"),
        "no applicant in a report"
    );
    insta::assert_json_snapshot!("case_report_by_item", by_item);

    // Department staff see their own department only.
    let clerk_b = d.app.token("clerk_b").await;
    let theirs = report(
        &d.app,
        &clerk_b,
        "/api/v1/reports/cases?from=2026-09-01&to=2026-10-31",
    )
    .await;
    assert_eq!(theirs["rows"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["rows"][0]["key"], b);
    assert_eq!(theirs["total"]["accepted"], 0);
    let _ = (&cases.early, &cases.online, &cases.immediate);
}

#[tokio::test]
async fn the_case_report_downloads_as_excel_and_refuses_bad_input() {
    let (d, _) = scenario().await;
    let leader = d.app.token("leader").await;

    let r = d
        .app
        .get(
            "/api/v1/reports/cases?from=2026-09-01&to=2026-10-31&group=month&format=xlsx",
            Some(&leader),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        r.header("content-disposition")
            .contains("20260901-20261031.xlsx"),
        "{}",
        r.header("content-disposition")
    );
    let sheet = first_sheet(&r.body);
    assert_eq!(
        text(&sheet, 0, 0),
        "办件统计表（按月份，2026-09-01 至 2026-10-31）"
    );
    let header: Vec<String> = (0..11).map(|c| text(&sheet, 1, c)).collect();
    assert_eq!(
        header,
        [
            "序号",
            "月份",
            "受理件数",
            "即办件",
            "即办件占比",
            "网上申报",
            "网上办理占比",
            "办结件数",
            "按时办结",
            "按时办结率",
            "平均办理用时（工作日）"
        ]
    );
    assert_eq!(text(&sheet, 2, 1), "2026年9月");
    assert_eq!(text(&sheet, 3, 7), "3");
    assert_eq!(text(&sheet, 4, 0), "合计");
    assert_eq!(text(&sheet, 4, 2), "4");

    let bad = |path: &'static str| {
        let app = &d.app;
        let leader = leader.clone();
        async move { app.get(path, Some(&leader)).await }
    };
    assert_eq!(
        bad("/api/v1/reports/cases?group=week")
            .await
            .error(400, "report.group_invalid")["field"],
        "group"
    );
    assert_eq!(
        bad("/api/v1/reports/cases?from=2026-10-31&to=2026-10-01")
            .await
            .error(400, "period.invalid")["field"],
        "from"
    );
    assert_eq!(
        bad("/api/v1/reports/cases?from=2026-13-01")
            .await
            .error(400, "request.invalid_query")["field"],
        "from"
    );
    assert_eq!(
        bad("/api/v1/reports/cases?format=pdf")
            .await
            .error(400, "request.invalid_query")["field"],
        "format"
    );

    let citizen = d.app.token("citizen").await;
    for path in [
        "/api/v1/reports/cases",
        "/api/v1/reports/ratings",
        "/api/v1/reports/complaints",
        "/api/v1/dashboard",
    ] {
        d.app
            .get(path, Some(&citizen))
            .await
            .error(403, "auth.forbidden");
        assert_eq!(d.app.get(path, None).await.status, 401, "{path}");
    }
}

#[tokio::test]
async fn the_big_screen_shows_today_this_month_and_thirty_days() {
    let (d, cases) = scenario().await;
    let leader = d.app.token("leader").await;

    let screen = report(&d.app, &leader, "/api/v1/dashboard").await;
    assert_eq!(screen["today"], "2026-10-21");
    // Today: the late case was concluded at 07:30; the online one runs on.
    assert_eq!(
        screen["cases_today"],
        json!({"accepted": 0, "concluded": 1, "in_progress": 1})
    );
    assert_eq!(screen["month"]["from"], "2026-10-01");
    assert_eq!(screen["month"]["accepted"], 2);
    assert_eq!(screen["month"]["concluded"], 3);
    close(&screen["month"]["on_time_rate"], 2.0 / 3.0);
    // One good and one bad rating this month.
    assert_eq!(screen["satisfaction"]["ratings"], 2);
    close(&screen["satisfaction"]["good_rate"], 0.5);
    // The online case is due today: yellow, as the supervision desk counts it.
    let summary = report(&d.app, &leader, "/api/v1/warnings/summary").await;
    assert_eq!(screen["warnings"]["red"], summary["red"]);
    assert_eq!(screen["warnings"]["yellow"], summary["yellow"]);
    assert_eq!(screen["warnings"]["red"], 0);
    assert!(
        screen["warnings"]["yellow"].as_i64().unwrap() >= 1,
        "{screen}"
    );
    // Only departments with cases this month are ranked, by short name.
    assert_eq!(
        screen["ranking"],
        json!([{"department_id": d.seed.dept_a, "name": "人社局", "accepted": 2, "concluded": 3,
                "on_time": 2, "on_time_rate": 2.0 / 3.0}])
    );
    let trend = screen["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 30);
    assert_eq!(trend[0]["day"], "2026-09-22");
    assert_eq!(trend[29]["day"], "2026-10-21");
    let day = |d: &str| trend.iter().find(|t| t["day"] == d).unwrap().clone();
    assert_eq!(
        day("2026-09-30"),
        json!({"day": "2026-09-30", "accepted": 2, "concluded": 0})
    );
    assert_eq!(
        day("2026-10-08"),
        json!({"day": "2026-10-08", "accepted": 2, "concluded": 1})
    );
    assert_eq!(day("2026-10-09")["concluded"], 1);
    assert_eq!(
        day("2026-10-20")["concluded"],
        0,
        "07:30 Beijing is the 21st"
    );
    assert_eq!(day("2026-10-21")["concluded"], 1);
    insta::assert_json_snapshot!("dashboard", screen);
    let text = screen.to_string();
    for personal in ["张三", ID_CARD, "13800138000", cases.late.as_str()] {
        assert!(!text.contains(personal), "{personal} on the big screen");
    }

    // The page: a leader reaches it from the navigation; an applicant does not.
    let browser = d.app.browser();
    browser.login_ok("leader").await;
    let admin = browser.get("/admin").await.text();
    assert!(admin.contains(r#"<a href="/dashboard">领导大屏</a>"#));
    let page = browser.get("/dashboard").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.header("cache-control"), "no-store");
    let html = page.text();
    assert!(html.contains(r#"href="/static/dashboard.css""#));
    assert!(!html.contains("/static/govhall.css"), "a page of its own");
    assert!(html.contains("2026年10月21日 星期三"));
    assert!(html.contains(r#"data-testid="today-concluded">1<"#));
    assert!(html.contains(r#"data-testid="in-progress">1<"#));
    assert!(html.contains("<title id=\"gauge-on-time-title\">10月按时办结率</title>"));
    assert!(html.contains(">66.7%</text>"));
    assert!(html.contains("第1名人社局，66.7%（办结3件）"));
    assert!(html.contains("近30天共受理4件、办结3件"));
    for personal in ["张三", ID_CARD, "13800138000", cases.late.as_str()] {
        assert!(!html.contains(personal), "{personal} on the big screen");
    }
    let css = d.app.get("/static/dashboard.css", None).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));

    let citizen = d.app.browser();
    citizen.login("citizen").await;
    assert_eq!(citizen.get("/dashboard").await.status, 403);
    let nobody = d.app.browser().get("/dashboard").await;
    assert_eq!(nobody.status, 303);
    assert!(nobody.header("location").starts_with("/login"));
}

#[tokio::test]
async fn the_report_pages_show_the_figures_with_their_excel_links() {
    let (d, _) = scenario().await;
    let browser = d.app.browser();
    browser.login_ok("leader").await;
    let admin = browser.get("/admin").await.text();
    assert!(admin.contains(r#"<a href="/reports/cases">办件统计</a>"#));

    let page = browser
        .get("/reports/cases?from=2026-09-01&to=2026-10-31&group=item")
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("办件统计表（按事项，2026-09-01 至 2026-10-31）"));
    assert!(html.contains("/api/v1/reports/cases?from=2026-09-01"));
    assert!(html.contains("group=item") && html.contains("format=xlsx"));
    assert!(html.contains(r#"data-testid="total-on-time-rate">66.7%<"#));
    assert!(html.contains("食品经营许可（测试）"));
    assert!(html.contains(r#"class="card period-form no-print""#));

    // A bad period is said in Chinese, and this month is shown instead.
    let bad = browser
        .get("/reports/cases?from=2026-10-31&to=2026-10-01")
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("开始日期不能晚于结束日期"));

    let ratings = browser.get("/reports/ratings?period=month").await;
    assert_eq!(ratings.status, 200, "{}", ratings.text());
    assert!(ratings.text().contains(r#"data-testid="good-rate">50.0%<"#));
    let complaints = browser.get("/reports/complaints").await;
    assert_eq!(complaints.status, 200, "{}", complaints.text());
    assert!(
        complaints
            .text()
            .contains("投诉与诉求统计表（2026-10-01 至 2026-10-21）")
    );

    let citizen = d.app.browser();
    citizen.login("citizen").await;
    assert_eq!(citizen.get("/reports/cases").await.status, 403);
}

#[tokio::test]
async fn the_ratings_report_is_the_published_figures_and_downloads() {
    let (d, _) = scenario().await;
    let leader = d.app.token("leader").await;
    let r = report(
        &d.app,
        &leader,
        "/api/v1/reports/ratings?from=2026-10-01&to=2026-10-31",
    )
    .await;
    assert_eq!(r["total"]["ratings"], 2);
    assert_eq!(r["total"]["bad"], 1);
    close(&r["total"]["good_rate"], 0.5);
    let public = report(
        &d.app,
        &leader,
        "/api/v1/public/ratings?from=2026-10-01&to=2026-10-31",
    )
    .await;
    assert_eq!(r, public, "the same figures as published");

    let x = d
        .app
        .get(
            "/api/v1/reports/ratings?from=2026-10-01&to=2026-10-31&format=xlsx",
            Some(&leader),
        )
        .await;
    assert_eq!(x.status, 200, "{}", x.text());
    let sheet = first_sheet(&x.body);
    assert_eq!(
        text(&sheet, 0, 0),
        "好差评统计表（2026-10-01 至 2026-10-31）"
    );
    assert_eq!(text(&sheet, 1, 1), "部门");
    assert_eq!(text(&sheet, 1, 6), "好评率");
    assert_eq!(text(&sheet, 2, 1), crate::helpers::DEPT_A_NAME);
    assert_eq!(text(&sheet, 2, 3), "2");
    assert_eq!(text(&sheet, 2, 6), "0.5");
}

#[tokio::test]
async fn the_complaint_report_counts_answers_lateness_and_satisfaction() {
    let d = desk().await;
    let sup = d.app.token("supervisor").await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;
    let register = |body: Value| {
        let app = &d.app;
        let sup = sup.clone();
        async move {
            let r = app.post_json("/api/v1/complaints", Some(&sup), &body).await;
            assert_eq!(r.status, 201, "{}", r.text());
            r.json()["id"].as_i64().unwrap()
        }
    };
    let step = |id: i64, token: String, action: &'static str, body: Value| {
        let app = &d.app;
        async move {
            let r = app
                .post_json(
                    &format!("/api/v1/complaints/{id}/{action}"),
                    Some(&token),
                    &body,
                )
                .await;
            assert_eq!(r.status, 200, "{action}: {}", r.text());
        }
    };
    // 30 September: a delay about the case (department A, due 13 October),
    // answered the same day and closed satisfied.
    let answered = register(
        json!({"source": "hall", "category": "delay", "phone": "13947110002",
        "complainant_name": "刘芳", "content": "材料交了一周还没有审核", "case_no": no}),
    )
    .await;
    step(answered, d.clerk.clone(), "accept", json!({})).await;
    step(
        answered,
        d.clerk.clone(),
        "reply",
        json!({"note": "已审核"}),
    )
    .await;
    step(
        answered,
        sup.clone(),
        "close",
        json!({"satisfaction": "satisfied"}),
    )
    .await;
    // An attitude complaint sent to department B and never answered (due 13
    // October), and a consultation nobody has assigned yet (due 10 October).
    let ignored = register(
        json!({"source": "hotline", "category": "attitude", "phone": "13947110003",
        "content": "窗口人员态度生硬"}),
    )
    .await;
    step(
        ignored,
        sup.clone(),
        "assign",
        json!({"department_id": d.seed.dept_b}),
    )
    .await;
    register(
        json!({"source": "web", "category": "consultation", "phone": "13947110004",
        "content": "咨询社保转移"}),
    )
    .await;

    d.app.clock.set(at("2026-10-14T10:00:00+08:00"));
    let leader = d.app.token("leader").await;
    let path = "/api/v1/reports/complaints?from=2026-09-01&to=2026-09-30";
    let r = report(&d.app, &leader, path).await;
    let line = |list: &str, key: &str| -> Value {
        r[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == key)
            .unwrap_or_else(|| panic!("no {key} in {list}: {r}"))
            .clone()
    };
    assert_eq!(
        r["by_category"].as_array().unwrap().len(),
        7,
        "every category"
    );
    let delay = line("by_category", "delay");
    assert_eq!(delay["name"], "办事拖延");
    assert_eq!(
        (
            &delay["received"],
            &delay["answered"],
            &delay["answered_on_time"],
            &delay["satisfied"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1))
    );
    assert_eq!(line("by_category", "attitude")["overdue_open"], 1);
    assert_eq!(line("by_category", "consultation")["overdue_open"], 1);
    assert_eq!(line("by_category", "fees")["received"], 0);
    assert_eq!(
        line("by_department", &d.seed.dept_a.to_string())["answered"],
        1
    );
    assert_eq!(
        line("by_department", &d.seed.dept_b.to_string())["overdue_open"],
        1
    );
    let unassigned = line("by_department", "none");
    assert_eq!(unassigned["name"], "未交办");
    assert_eq!(unassigned["received"], 1);
    let total = &r["total"];
    assert_eq!(total["received"], 3);
    assert_eq!(total["answered"], 1);
    assert_eq!(total["overdue_open"], 2);
    close(&total["answer_rate"], 1.0 / 3.0);
    close(&total["on_time_rate"], 1.0);
    close(&total["satisfaction_rate"], 1.0);
    assert!(
        !r.to_string().contains("刘芳"),
        "no complainant in a report"
    );
    assert!(!r.to_string().contains("13947110002"));

    // Department B sees its own complaint only.
    let clerk_b = d.app.token("clerk_b").await;
    let theirs = report(&d.app, &clerk_b, path).await;
    assert_eq!(theirs["total"]["received"], 1);
    assert_eq!(theirs["by_department"].as_array().unwrap().len(), 1);

    let x = d
        .app
        .get(&format!("{path}&format=xlsx"), Some(&leader))
        .await;
    assert_eq!(x.status, 200, "{}", x.text());
    let sheet = first_sheet(&x.body);
    assert_eq!(
        text(&sheet, 0, 0),
        "投诉与诉求统计表（2026-09-01 至 2026-09-30）"
    );
    assert_eq!(text(&sheet, 1, 1), "类别");
    assert_eq!(text(&sheet, 1, 2), "受理件数");
    assert_eq!(text(&sheet, 2, 1), "服务态度");
}

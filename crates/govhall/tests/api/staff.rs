//! Staff: the roster import (all or nothing, errors by row and column),
//! masking for non-admins, the flags (single-staff windows, terms ending,
//! seed 001's rules), replacement approval, the authorisation matrix at the
//! window and attendance.

use crate::cases::{ID_CARD, at, desk};
use crate::helpers::{HallSeed, Seed, TestApp, spawn_app};
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use domain::identity::IdCardNumber;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use std::io::Cursor;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A valid GB 11643 number for someone born on `birth` (`YYYYMMDD`), `n` telling people apart.
pub(crate) fn id_number(birth: &str, n: u32) -> String {
    IdCardNumber::complete(&format!("150102{birth}{n:03}"))
        .expect("a valid number")
        .as_str()
        .to_string()
}

const HEADER: [&str; 15] = [
    "单位名称",
    "人员类别",
    "姓名",
    "性别",
    "民族",
    "身份证号",
    "文化程度",
    "政治面貌",
    "身份性质",
    "联系电话",
    "窗口号",
    "岗位",
    "进驻日期",
    "合同（服务）截止日期",
    "备注",
];

/// The roster form as a department fills it: a title, the header, the lines.
pub(crate) fn roster_xlsx(lines: &[Vec<String>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "人社局单位进驻大厅人员花名报送表")
        .unwrap();
    for (c, h) in (0u16..).zip(HEADER) {
        sheet.write_string(1, c, h).unwrap();
    }
    for (r, line) in (2u32..).zip(lines) {
        for (c, v) in (0u16..).zip(line) {
            if !v.is_empty() {
                sheet.write_string(r, c, v).unwrap();
            }
        }
    }
    sheet
        .write_string(2 + lines.len() as u32, 0, "填报人：王")
        .unwrap();
    book.save_to_buffer().unwrap()
}

#[allow(clippy::too_many_arguments)]
fn line(
    dept: &str,
    role: &str,
    name: &str,
    id: &str,
    employment: &str,
    window: &str,
    post: &str,
    joined: &str,
    ends: &str,
) -> Vec<String> {
    [
        dept,
        role,
        name,
        "",
        "汉族",
        id,
        "本科",
        "群众",
        employment,
        "13800000001",
        window,
        post,
        joined,
        ends,
        "",
    ]
    .map(String::from)
    .to_vec()
}

/// The good roster: window 01 has A and B, window 02 only A (flagged), 03 of
/// department B has A and B; a volunteer's service ends within 30 days of
/// 2026-09-30; one person was 47 when posted.
fn good_roster() -> Vec<Vec<String>> {
    vec![
        {
            let mut l = line("人社局", "分管领导", "赵局长", "", "", "", "", "", "");
            l[14] = "副局长".into();
            l
        },
        line(
            "人社局",
            "首席负责人",
            "钱首席",
            &id_number("19850101", 11),
            "正式",
            "01",
            "A岗",
            "2025-01-01",
            "",
        ),
        line(
            "人社局",
            "窗口工作人员",
            "孙窗口",
            &id_number("19900202", 12),
            "聘用",
            "01",
            "B岗",
            "2025-01-01",
            "2028-12-31",
        ),
        line(
            "人社局",
            "窗口工作人员",
            "李单岗",
            &id_number("19790101", 13),
            "正式",
            "02",
            "A",
            "2026-03-01",
            "",
        ),
        line(
            "市场监管局",
            "",
            "周志愿",
            &id_number("20000505", 22),
            "志愿者",
            "03",
            "A岗",
            "2025-11-01",
            "2026-10-20",
        ),
        line(
            "市场监管局",
            "",
            "吴正式",
            &id_number("19920303", 23),
            "正式",
            "03",
            "B岗",
            "2024-06-01",
            "",
        ),
    ]
}

async fn setup() -> (TestApp, Seed, HallSeed, String) {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let admin = app.token("admin").await;
    (app, seed, hall, admin)
}

async fn import(app: &TestApp, token: &str, lines: &[Vec<String>]) -> crate::helpers::Reply {
    app.post_bytes(
        "/api/v1/staff/import",
        Some(token),
        XLSX,
        roster_xlsx(lines),
    )
    .await
}

fn by_name<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list}"))
}

#[tokio::test]
async fn a_roster_form_is_imported_with_its_chief_and_leader() {
    let (app, seed, hall, admin) = setup().await;
    let r = import(&app, &admin, &good_roster()).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["count"], 5);

    let list = app.get("/api/v1/staff", Some(&admin)).await.json();
    assert_eq!(list["total"], 5);
    let li = by_name(&list, "李单岗");
    assert_eq!(li["window_id"], hall.windows[1]);
    assert_eq!(li["post"], "A");
    assert_eq!(li["sex"], "male", "taken from the ID number");
    assert_eq!(li["department_id"], seed.dept_a);

    let reps = app
        .get(
            &format!("/api/v1/departments/{}/representatives", seed.dept_a),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(reps["chief_name"], "钱首席");
    assert_eq!(reps["leader_name"], "赵局长");
    assert_eq!(reps["leader_post"], "副局长");

    // Importing the same file again updates instead of duplicating.
    let again = import(&app, &admin, &good_roster()).await;
    assert_eq!(again.status, 201, "{}", again.text());
    let list = app.get("/api/v1/staff", Some(&admin)).await.json();
    assert_eq!(list["total"], 5);

    // The blank template and the export read back as the form.
    let template = app.get("/api/v1/staff/template", None).await;
    assert_eq!(template.status, 200);
    let export = app.get("/api/v1/staff/export", Some(&admin)).await;
    assert_eq!(export.status, 200);
    let back = app
        .post_bytes(
            "/api/v1/staff/import",
            Some(&admin),
            XLSX,
            export.body.clone(),
        )
        .await;
    assert_eq!(back.status, 201, "{}", back.text());
    assert_eq!(
        app.get("/api/v1/staff", Some(&admin)).await.json()["total"],
        5
    );
}

#[tokio::test]
async fn a_bad_row_writes_nothing_and_is_named_by_row_and_column() {
    let (app, _seed, _hall, admin) = setup().await;
    let mut lines = good_roster();
    // The fourth line (Excel row 6): a wrong check character.
    let mut bad = lines[3][5].clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    lines[3][5] = bad;
    // The sixth line (Excel row 8): a window department B does not have.
    lines[5][10] = "09".into();
    let r = import(&app, &admin, &lines).await;
    let body = r.error(422, "staff.id_number_invalid");
    assert_eq!(body["field"], "rows[3].id_number", "{body}");
    assert_eq!(body["message"], "第6行“身份证号”列：身份证号校验位不正确");
    let errors = body["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["field"] == "rows[5].window_id"
            && e["message"]
                .as_str()
                .unwrap()
                .starts_with("第8行“窗口号”列")),
        "{body}"
    );
    assert_eq!(
        app.get("/api/v1/staff", Some(&admin)).await.json()["total"],
        0
    );

    // Two people on one post: refused too, nothing written.
    let mut lines = good_roster();
    lines[2][11] = "A岗".into();
    let body = import(&app, &admin, &lines)
        .await
        .error(422, "staff.post_taken");
    assert_eq!(body["field"], "rows[2].post");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("第5行“岗位”列")
    );
    assert_eq!(
        app.get("/api/v1/staff", Some(&admin)).await.json()["total"],
        0
    );

    // Only an admin imports.
    let clerk = app.token("clerk").await;
    import(&app, &clerk, &good_roster())
        .await
        .error(403, "auth.forbidden");
}

#[tokio::test]
async fn id_numbers_and_phones_are_masked_for_everyone_but_admins() {
    let (app, seed, _hall, admin) = setup().await;
    assert_eq!(import(&app, &admin, &good_roster()).await.status, 201);
    let full = id_number("19850101", 11);
    let list = app.get("/api/v1/staff", Some(&admin)).await.json();
    assert_eq!(by_name(&list, "钱首席")["id_number"], full.as_str());
    assert_eq!(by_name(&list, "钱首席")["phone"], "13800000001");

    let chief = app.token("chief").await;
    let list = app.get("/api/v1/staff", Some(&chief)).await.json();
    // A department sees its own people only.
    assert_eq!(list["total"], 3, "{list}");
    let qian = by_name(&list, "钱首席");
    assert_eq!(
        qian["id_number"],
        format!("{}********{}", &full[..6], &full[14..])
    );
    assert_eq!(qian["phone"], "138****0001");
    assert!(!list.to_string().contains(&full));
    let one = app
        .get(&format!("/api/v1/staff/{}", qian["id"]), Some(&chief))
        .await
        .json();
    assert_eq!(one["id_number"], qian["id_number"]);
    // Another department's person is not even there.
    let other = app.get("/api/v1/staff", Some(&admin)).await.json();
    let wu = by_name(&other, "吴正式")["id"].clone();
    assert_eq!(
        app.get(&format!("/api/v1/staff/{wu}"), Some(&chief))
            .await
            .status,
        404
    );
    let reps = app
        .get(
            &format!("/api/v1/departments/{}/representatives", seed.dept_a),
            Some(&chief),
        )
        .await
        .json();
    assert_eq!(reps["leader_phone"], "138****0001");

    // The export is masked for them too.
    let export = app.get("/api/v1/staff/export", Some(&chief)).await;
    assert_eq!(export.status, 200);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(export.body.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(
        cells
            .iter()
            .any(|c| c == qian["id_number"].as_str().unwrap())
    );
    assert!(!cells.iter().any(|c| c == &full));
    // And the public board shows nothing personal.
    let board = app.get("/staff", None).await;
    assert_eq!(board.status, 200);
    let html = board.text();
    assert!(
        html.contains("钱首席") && html.contains("01号窗口"),
        "{html}"
    );
    assert!(!html.contains("13800000001") && !html.contains(&full[..10]));
}

#[tokio::test]
async fn the_flags_name_single_staff_windows_ending_terms_and_rule_breaches() {
    let (app, _seed, hall, admin) = setup().await;
    assert_eq!(import(&app, &admin, &good_roster()).await.status, 201);
    let flags = app.get("/api/v1/staff/flags", Some(&admin)).await.json();
    let windows = flags["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1, "{flags}");
    assert_eq!(windows[0]["window_id"], hall.windows[1]);
    assert_eq!(windows[0]["staffing"], "single");
    let people = flags["people"].as_array().unwrap();
    let flags_of = |name: &str| -> Vec<String> {
        people
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| {
                p["flags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["code"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    // Ends 2026-10-20: within 30 days of 2026-09-30, and under two years after joining.
    assert_eq!(flags_of("周志愿"), ["short_term", "term_ending"]);
    // Born 1979-01-01, posted 2026-03-01: 47.
    assert_eq!(flags_of("李单岗"), ["over_age"]);
    assert!(flags_of("孙窗口").is_empty());
    assert!(flags_of("钱首席").is_empty());
    assert_eq!(
        flags["departments_without_chief"],
        json!(["呼和浩特市新城区市场监督管理局"])
    );

    // The roster page shows the single-staff window.
    let browser = app.browser();
    browser.login_ok("admin").await;
    let page = browser.get("/admin/staff").await.text();
    assert!(
        page.contains("仅一人在岗") && page.contains("02号窗口"),
        "{page}"
    );

    // Forty days on the volunteer's term has ended.
    app.clock.advance(chrono::Duration::days(40));
    let admin = app.token("admin").await;
    let flags = app.get("/api/v1/staff/flags", Some(&admin)).await.json();
    let zhou = flags["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "周志愿")
        .unwrap()
        .clone();
    assert!(zhou.to_string().contains("term_ended"), "{zhou}");
}

#[tokio::test]
async fn a_replacement_changes_the_roster_only_once_approved() {
    let (app, seed, hall, admin) = setup().await;
    assert_eq!(import(&app, &admin, &good_roster()).await.status, 201);
    // A newcomer on department A's roster, without a window yet.
    let r = app
        .post_json(
            "/api/v1/staff",
            Some(&admin),
            &json!({"name": "郑新人", "id_number": id_number("19950606", 14), "employment": "聘用",
                "department_id": seed.dept_a, "joined_on": "2026-09-30", "term_ends_on": "2029-09-30"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let newcomer = r.json()["id"].as_i64().unwrap();
    let list = app.get("/api/v1/staff", Some(&admin)).await.json();
    let qian = by_name(&list, "钱首席")["id"].as_i64().unwrap();

    let chief = app.token("chief").await;
    let clerk = app.token("clerk").await;
    let body =
        json!({"leaving_staff_id": qian, "incoming_staff_id": newcomer, "reason": "工作调动"});
    app.post_json("/api/v1/staff/replacements", Some(&clerk), &body)
        .await
        .error(403, "auth.forbidden");
    let r = app
        .post_json("/api/v1/staff/replacements", Some(&chief), &body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let req = r.json();
    assert_eq!(req["status"], "pending");
    assert_eq!(req["early"], true, "joined 2025-01-01: under two years");
    app.post_json("/api/v1/staff/replacements", Some(&chief), &body)
        .await
        .error(409, "replacement.pending");

    // Nothing changes while it waits; only an admin decides.
    let list = app.get("/api/v1/staff", Some(&admin)).await.json();
    assert_eq!(by_name(&list, "钱首席")["window_id"], hall.windows[0]);
    let path = format!("/api/v1/staff/replacements/{}/decision", req["id"]);
    app.post_json(&path, Some(&chief), &json!({"approve": true}))
        .await
        .error(403, "auth.forbidden");
    let r = app
        .post_json(
            &path,
            Some(&admin),
            &json!({"approve": true, "note": "同意"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "approved");

    let list = app.get("/api/v1/staff", Some(&admin)).await.json();
    assert!(
        list["staff"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["name"] != "钱首席")
    );
    let zheng = by_name(&list, "郑新人");
    assert_eq!(zheng["window_id"], hall.windows[0]);
    assert_eq!(zheng["post"], "A");
    let reps = app
        .get(
            &format!("/api/v1/departments/{}/representatives", seed.dept_a),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(reps["chief_name"], "郑新人");
    // Decided once.
    app.post_json(
        &path,
        Some(&admin),
        &json!({"approve": false, "note": "撤回"}),
    )
    .await
    .error(409, "replacement.decided");
}

#[tokio::test]
async fn the_matrix_restricts_a_clerk_and_a_department_without_one_keeps_the_roles() {
    let d = desk().await;
    let app = &d.app;
    let admin = app.token("admin").await;
    let hall = app.seed_hall(&d.seed).await;
    let users = app.get("/api/v1/users", Some(&admin)).await.json();
    let user_id = |name: &str| {
        users
            .as_array()
            .or_else(|| users["users"].as_array())
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let clerk_staff = app
        .post_json(
            "/api/v1/staff",
            Some(&admin),
            &json!({"name": "孙窗口", "id_number": id_number("19900202", 12), "employment": "正式",
                "department_id": d.seed.dept_a, "window_id": hall.windows[0], "post": "A",
                "joined_on": "2025-01-01", "user_id": user_id("clerk")}),
        )
        .await;
    assert_eq!(clerk_staff.status, 201, "{}", clerk_staff.text());
    let staff_id = clerk_staff.json()["id"].as_i64().unwrap();

    // No matrix: the clerk accepts as today, and the page offers it.
    let first = d.window_case(ID_CARD).await;
    let browser = app.browser();
    browser.login_ok("clerk").await;
    let page = browser.get(&format!("/desk/cases/{first}")).await.text();
    assert!(page.contains("id=\"act-accept\""), "{page}");
    d.ok(&d.clerk, &first, "accept", json!({})).await;

    // The matrix gives the clerk only 一次性告知 on this item.
    let path = format!("/api/v1/departments/{}/authorisations", d.seed.dept_a);
    let r = app
        .put_json(
            &path,
            Some(&admin),
            &json!({"entries": [{"staff_id": staff_id, "item_id": d.item_id, "step": "notify"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let second = d.window_case(ID_CARD).await;
    let body = d
        .post(&d.clerk, &second, "accept", json!({}))
        .await
        .error(403, "auth.forbidden");
    assert!(
        body["message"].as_str().unwrap().contains("授权矩阵"),
        "{body}"
    );
    assert_eq!(d.case(&d.clerk, &second).await["status"], "submitted");
    // The case page offers the clerk no acceptance either.
    let page = browser.get(&format!("/desk/cases/{second}")).await.text();
    assert!(
        !page.contains("id=\"act-accept\""),
        "accept offered: {page}"
    );
    assert!(
        page.contains("id=\"act-notify\""),
        "the notice is allowed: {page}"
    );
    // The chief representative is not restricted.
    d.ok(&d.chief, &second, "accept", json!({})).await;

    // A bad step is refused by field; an empty matrix restores the roles.
    app.put_json(
        &path,
        Some(&admin),
        &json!({"entries": [{"staff_id": staff_id, "item_id": d.item_id, "step": "sign"}]}),
    )
    .await
    .invalid("matrix.step_invalid", "entries[0].step");
    let r = app
        .put_json(&path, Some(&admin), &json!({"entries": []}))
        .await;
    assert_eq!(r.status, 200);
    let third = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &third, "accept", json!({})).await;
}

#[tokio::test]
async fn attendance_counts_lateness_and_absence_from_the_hall_hours() {
    let (app, seed, hall, admin) = setup().await;
    let clerk_id = app.get("/api/v1/users", Some(&admin)).await.json();
    let list = clerk_id
        .as_array()
        .or_else(|| clerk_id["users"].as_array())
        .unwrap();
    let clerk_user = list.iter().find(|u| u["username"] == "clerk").unwrap()["id"].clone();
    let r = app
        .post_json(
            "/api/v1/staff",
            Some(&admin),
            &json!({"name": "孙窗口", "id_number": id_number("19900202", 12), "employment": "正式",
                "department_id": seed.dept_a, "window_id": hall.windows[0], "post": "A",
                "joined_on": "2026-09-28", "user_id": clerk_user}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let staff_id = r.json()["id"].clone();
    let clerk = app.token("clerk").await;

    // Wednesday 2026-09-30: signed in at 9:05 (late), out at 17:10.
    app.clock.set(at("2026-09-30T09:05:00+08:00"));
    let r = app
        .post_empty("/api/v1/attendance/sign-in", Some(&clerk))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["signed_in"], "09:05");
    app.post_empty("/api/v1/attendance/sign-in", Some(&clerk))
        .await
        .error(409, "attendance.signed_in");
    app.clock.set(at("2026-09-30T17:10:00+08:00"));
    assert_eq!(
        app.post_empty("/api/v1/attendance/sign-out", Some(&clerk))
            .await
            .status,
        200
    );
    // An admin records Tuesday: in at 8:55, out at 16:30 (early).
    let r = app
        .post_json(
            "/api/v1/attendance/records",
            Some(&admin),
            &json!({"staff_id": staff_id, "day": "2026-09-29", "signed_in": "08:55", "signed_out": "16:30"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Standing on Thursday 8 October (after the holiday): September has
    // Monday 28 absent, Tuesday early, Wednesday late.
    app.clock.set(at("2026-10-08T10:00:00+08:00"));
    let sheet = app
        .get("/api/v1/attendance?month=2026-09", Some(&admin))
        .await
        .json();
    let p = &sheet["people"][0];
    assert_eq!(
        (
            p["working_days"].clone(),
            p["days_present"].clone(),
            p["late"].clone(),
            p["early_leave"].clone(),
            p["absent"].clone()
        ),
        (json!(3), json!(2), json!(1), json!(1), json!(1)),
        "{p}"
    );
    // October: the National Day holiday (1–7) is not absence; the 8th is
    // still running.
    let oct = app
        .get("/api/v1/attendance?month=2026-10", Some(&admin))
        .await
        .json();
    let p = &oct["people"][0];
    assert_eq!(p["absent"], 0, "{p}");
    assert_eq!(p["working_days"], 1);
    let xlsx = app
        .get("/api/v1/attendance?month=2026-09&format=xlsx", Some(&admin))
        .await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(xlsx.header("content-type"), XLSX);
    app.get("/api/v1/attendance?month=2026-13", Some(&admin))
        .await
        .error(400, "attendance.month_invalid");
    // Someone not on the roster cannot sign in.
    let approver = app.token("approver").await;
    app.post_empty("/api/v1/attendance/sign-in", Some(&approver))
        .await
        .error(409, "attendance.not_on_roster");
}

#[tokio::test]
async fn a_photo_is_served_to_staff_and_on_the_public_board_only_for_the_roster() {
    let (app, _seed, _hall, admin) = setup().await;
    assert_eq!(import(&app, &admin, &good_roster()).await.status, 201);
    let list = app.get("/api/v1/staff", Some(&admin)).await.json();
    let id = by_name(&list, "孙窗口")["id"].as_i64().unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let client = reqwest::Client::new();
    let put = |body: Vec<u8>, token: String| {
        client
            .put(app.url(&format!("/api/v1/staff/{id}/photo")))
            .bearer_auth(token)
            .body(body)
            .send()
    };
    let r = put(b"plain text".to_vec(), admin.clone()).await.unwrap();
    assert_eq!(r.status(), 422);
    let clerk = app.token("clerk").await;
    assert_eq!(put(png.clone(), clerk.clone()).await.unwrap().status(), 403);
    assert_eq!(put(png.clone(), admin.clone()).await.unwrap().status(), 204);

    let path = format!("/api/v1/staff/{id}/photo");
    let r = app.get(&path, Some(&clerk)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, png);
    assert_eq!(r.header("content-type"), "image/png");
    assert_eq!(app.get(&path, None).await.status, 401);
    let clerk_b = app.token("clerk_b").await;
    assert_eq!(app.get(&path, Some(&clerk_b)).await.status, 404);
    // The public board's copy, for people on the roster only.
    assert_eq!(
        app.get(&format!("/staff/photos/{id}"), None).await.body,
        png
    );
    assert!(
        app.get("/staff", None)
            .await
            .text()
            .contains(&format!("/staff/photos/{id}"))
    );
    assert_eq!(app.get("/staff/photos/999999", None).await.status, 404);
}

#[tokio::test]
async fn the_openapi_document_describes_the_staff_api() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    for path in [
        "/api/v1/staff",
        "/api/v1/staff/{id}",
        "/api/v1/staff/import",
        "/api/v1/staff/export",
        "/api/v1/staff/flags",
        "/api/v1/staff/replacements/{id}/decision",
        "/api/v1/departments/{id}/representatives",
        "/api/v1/departments/{id}/authorisations",
        "/api/v1/attendance/sign-in",
        "/api/v1/attendance",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let tags = doc["tags"].as_array().unwrap();
    assert!(tags.iter().any(|t| t["name"] == "staff"));
}

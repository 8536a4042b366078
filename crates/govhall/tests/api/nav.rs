//! The top navigation (`base.html`, `pages/nav.rs`): which menus each role
//! gets, that every entry it offers opens for that user, and the current
//! entry's marking.

use crate::helpers::spawn_app;

/// The part of a page between the main navigation's tags.
fn nav(html: &str) -> &str {
    let start = html
        .find(r#"<nav id="site-nav""#)
        .expect("the main navigation");
    let end = start + html[start..].find("</nav>").expect("its end");
    &html[start..end]
}

/// Every `attr="…"` value in `html`, in order.
fn values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(r#"{attr}=""#);
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').expect("a closing quote")]
        })
        .collect()
}

#[tokio::test]
async fn each_role_gets_the_menus_of_its_work_and_every_entry_opens() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.seed_hall(&seed).await;

    let cases = [
        (
            "clerk",
            &["public", "window", "supervision", "reports", "office"][..],
        ),
        (
            "chief",
            &["public", "window", "supervision", "reports", "office"],
        ),
        (
            "supervisor",
            &["public", "supervision", "reports", "office"],
        ),
        ("leader", &["public", "supervision", "reports", "office"]),
        (
            "admin",
            &["public", "supervision", "reports", "office", "system"],
        ),
        ("citizen", &[]),
    ];
    for (user, menus) in cases {
        let browser = app.browser();
        // Signing in answers 303 for every role (login_ok would open /admin).
        assert_eq!(browser.login(user).await.status, 303, "{user}");
        let html = browser.get("/").await.text();
        let bar = nav(&html);
        assert_eq!(values(bar, "data-menu"), menus, "{user}");
        let hrefs = values(bar, "href");
        assert!(hrefs.contains(&"/"), "{user}: the guide");
        for href in hrefs {
            let r = browser.get(href).await;
            assert_eq!(r.status, 200, "{user}: {href}: {}", r.text());
        }
    }
}

#[tokio::test]
async fn staff_pages_stay_with_staff() {
    let app = spawn_app().await;
    app.seed().await;

    let visitor = app.browser().get("/").await.text();
    let bar = nav(&visitor);
    assert!(!bar.contains("<summary"), "a visitor gets plain links");
    for public in [
        "/hall",
        "/queue/take",
        "/appointments",
        "/inquiry",
        "/ratings",
    ] {
        assert!(bar.contains(&format!(r#"href="{public}""#)), "{public}");
    }
    for staff in ["/desk", "/supervision", "/admin", "/dashboard", "/my/cases"] {
        assert!(!bar.contains(&format!(r#"href="{staff}""#)), "{staff}");
    }

    let citizen = app.browser();
    assert_eq!(citizen.login("citizen").await.status, 303);
    let html = citizen.get("/my/cases").await.text();
    let bar = nav(&html);
    assert!(bar.contains(r#"<a href="/my/cases" aria-current="page">我的办件</a>"#));
    assert!(!bar.contains(r#"href="/desk""#) && !bar.contains("<summary"));

    // Only department staff get the case desk and the calling workbench, as before.
    for user in ["admin", "leader", "supervisor"] {
        let b = app.browser();
        b.login_ok(user).await;
        let html = b.get("/").await.text();
        let bar = nav(&html);
        assert!(
            !bar.contains(r#"href="/desk""#) && !bar.contains(r#"href="/queue/window""#),
            "{user}"
        );
        assert_eq!(
            bar.contains(r#"href="/admin/users""#),
            user == "admin",
            "{user}: user administration"
        );
    }
}

#[tokio::test]
async fn the_current_entry_and_its_menu_are_marked() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    browser.login_ok("clerk").await;

    let html = browser.get("/supervision/followups").await.text();
    let bar = nav(&html);
    assert!(bar.contains(r#"<summary aria-current="true">监督考核</summary>"#));
    assert!(bar.contains(r#"<a href="/supervision/followups" aria-current="page">差评整改</a>"#));
    assert_eq!(values(bar, "aria-current"), ["true", "page"], "one of each");

    let html = browser.get("/reports/ratings").await.text();
    let bar = nav(&html);
    assert!(bar.contains(r#"<summary aria-current="true">统计报表</summary>"#));
    assert!(bar.contains(r#"<a href="/reports/ratings" aria-current="page">好差评统计</a>"#));
}

//! The top navigation of `base.html`: the public services and the staff work
//! areas, grouped into labelled menus (办事服务, 窗口业务, 监督考核, 统计报表,
//! 日常办公, 系统管理).
//!
//! Each entry says who sees it. Entries that were in the flat navigation keep
//! the test that showed them there (the case desk and the calling workbench
//! only for department staff, the big screen for those who read reports);
//! entries that were reached from the 工作台 page are shown when the role
//! passes the permission the page itself checks, so the navigation never
//! offers a page that would refuse the user. A menu with no entry for the
//! user is left out; when only the public menu is left (a citizen, a visitor)
//! its entries are shown as plain links, since hiding them behind a menu
//! would cost every citizen a click.
//!
//! A page names its entry by a key (`Chrome::new(…, "desk")`); the entry with
//! that key is marked `aria-current="page"` and its menu as the current one.

use domain::access::{Actor, Permission, Role, authorize};

/// One menu as the template draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavMenu {
    /// Stable id (for `data-menu` and the tests).
    pub id: &'static str,
    pub label: &'static str,
    pub links: Vec<NavLink>,
    /// The current page's entry is in this menu.
    pub current: bool,
    /// Drawn as plain links rather than as a disclosure.
    pub flat: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// The menus `actor` may use, in order, with the entry keyed `current` marked.
pub fn menus(actor: Option<&Actor>, current: &str) -> Vec<NavMenu> {
    let mut out: Vec<NavMenu> = MENUS
        .iter()
        .filter_map(|m| {
            let links: Vec<NavLink> = m
                .entries
                .iter()
                .filter(|e| e.shown.allows(actor))
                .map(|e| NavLink {
                    label: e.label,
                    href: e.href,
                    current: !current.is_empty() && e.key == current,
                })
                .collect();
            (!links.is_empty()).then(|| NavMenu {
                id: m.id,
                label: m.label,
                current: links.iter().any(|l| l.current),
                links,
                flat: false,
            })
        })
        .collect();
    if let [only] = out.as_mut_slice() {
        only.flat = true;
    }
    out
}

/// Whether a page's navigation key names an entry (or is one of the keys of
/// pages outside the menus: the login page, the kiosk and error pages).
pub fn is_known_key(key: &str) -> bool {
    matches!(key, "" | "login") || MENUS.iter().flat_map(|m| m.entries).any(|e| e.key == key)
}

// ------------------------------------------------------------------ model

/// Who sees an entry.
#[derive(Debug, Clone, Copy)]
enum Shown {
    Everyone,
    /// A signed-in applicant (我的办件).
    Applicant,
    /// Department staff who work cases: clerk, approver, chief representative.
    CaseStaff,
    /// Whoever passes the permission the page checks.
    May(Permission),
}

impl Shown {
    fn allows(self, actor: Option<&Actor>) -> bool {
        match (self, actor) {
            (Shown::Everyone, _) => true,
            (_, None) => false,
            (Shown::Applicant, Some(a)) => a.role == Role::Applicant,
            (Shown::CaseStaff, Some(a)) => a.role.needs_department(),
            (Shown::May(p), Some(a)) => authorize(a, p).is_ok(),
        }
    }
}

struct Entry {
    label: &'static str,
    href: &'static str,
    key: &'static str,
    shown: Shown,
}

struct Menu {
    id: &'static str,
    label: &'static str,
    entries: &'static [Entry],
}

const fn entry(label: &'static str, href: &'static str, key: &'static str, shown: Shown) -> Entry {
    Entry {
        label,
        href,
        key,
        shown,
    }
}

use Permission::*;
use Shown::*;

const MENUS: &[Menu] = &[
    Menu {
        id: "public",
        label: "办事服务",
        entries: &[
            entry("办事指南", "/", "guide", Everyone),
            entry("大厅导览", "/hall", "hall", Everyone),
            entry("排队取号", "/queue/take", "take", Everyone),
            entry("预约办事", "/appointments", "appointments", Everyone),
            entry("办件查询", "/inquiry", "inquiry", Everyone),
            entry("好差评公示", "/ratings", "ratings", Everyone),
            entry("人员公示", "/staff", "staff", Everyone),
            entry("投诉与建议", "/complaints/new", "complaint", Everyone),
            entry("我的办件", "/my/cases", "my", Applicant),
        ],
    },
    Menu {
        id: "window",
        label: "窗口业务",
        entries: &[
            entry("办件受理台", "/desk", "desk", CaseStaff),
            entry("待办与已办", "/desk/todo", "todo", CaseStaff),
            entry("窗口叫号", "/queue/window", "queue", CaseStaff),
            entry("考勤签到", "/desk/attendance", "sign", CaseStaff),
        ],
    },
    Menu {
        id: "supervision",
        label: "监督考核",
        entries: &[
            entry(
                "电子监察",
                "/supervision",
                "supervision",
                May(ViewSupervision),
            ),
            entry(
                "督办单",
                "/supervision/corrections",
                "corrections",
                May(ViewSupervision),
            ),
            entry(
                "差评整改",
                "/supervision/followups",
                "followups",
                May(ViewSupervision),
            ),
            entry(
                "投诉与诉求",
                "/supervision/complaints",
                "complaints",
                May(ViewSupervision),
            ),
            entry("绩效考核", "/scoring", "scoring", May(ViewReports)),
        ],
    },
    Menu {
        id: "reports",
        label: "统计报表",
        entries: &[
            entry(
                "办件统计",
                "/reports/cases",
                "report-cases",
                May(ViewReports),
            ),
            entry(
                "好差评统计",
                "/reports/ratings",
                "report-ratings",
                May(ViewReports),
            ),
            entry(
                "投诉与诉求统计",
                "/reports/complaints",
                "report-complaints",
                May(ViewReports),
            ),
            entry("排队统计", "/queue/stats", "queue-stats", May(ViewReports)),
            entry(
                "进驻情况汇总表",
                "/admin/reports/entry",
                "report-entry",
                May(ViewReports),
            ),
            entry(
                "时限压缩情况",
                "/admin/reports/limits",
                "report-limits",
                May(ViewReports),
            ),
            // The big screen has no site header, so no page names this key.
            entry("领导大屏", "/dashboard", "dashboard", May(ViewReports)),
        ],
    },
    Menu {
        id: "office",
        label: "日常办公",
        entries: &[
            entry("工作台", "/admin", "admin", May(ReadCatalogue)),
            entry("功能室预约", "/rooms", "rooms", May(BookRooms)),
            entry("事项管理", "/admin/items", "items", May(ReadCatalogue)),
            entry(
                "大厅与窗口",
                "/admin/hall",
                "hall-admin",
                May(ReadCatalogue),
            ),
            entry("工作人员", "/admin/staff", "roster", May(ViewStaff)),
        ],
    },
    Menu {
        id: "system",
        label: "系统管理",
        entries: &[
            entry(
                "部门管理",
                "/admin/departments",
                "departments",
                May(ManageDepartments),
            ),
            entry("用户管理", "/admin/users", "users", May(ManageUsers)),
            entry(
                "工作日历",
                "/admin/calendar",
                "calendar",
                May(ManageCalendar),
            ),
            entry(
                "预约设置",
                "/admin/appointments",
                "appointment-settings",
                May(ManageCalendar),
            ),
            entry(
                "功能室管理",
                "/admin/rooms",
                "rooms-admin",
                May(ManageRooms),
            ),
            entry(
                "功能室预约审批",
                "/rooms/approvals",
                "room-approvals",
                May(ManageRooms),
            ),
            entry("导入与导出", "/admin/import", "import", May(ImportExport)),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            department_id: role.needs_department().then_some(7),
        }
    }

    fn shape(role: Option<Role>) -> Vec<(&'static str, Vec<&'static str>)> {
        let a = role.map(actor);
        menus(a.as_ref(), "")
            .into_iter()
            .map(|m| (m.label, m.links.iter().map(|l| l.label).collect()))
            .collect()
    }

    fn labels(role: Option<Role>) -> Vec<&'static str> {
        shape(role).into_iter().map(|(m, _)| m).collect()
    }

    #[test]
    fn a_visitor_and_a_citizen_see_the_public_services_as_plain_links() {
        let visitor = menus(None, "guide");
        assert_eq!(visitor.len(), 1);
        assert!(visitor[0].flat);
        assert!(!visitor[0].links.iter().any(|l| l.href == "/my/cases"));
        let citizen = menus(Some(&actor(Role::Applicant)), "my");
        assert_eq!(citizen.len(), 1);
        assert!(citizen[0].flat);
        let mine = citizen[0].links.iter().find(|l| l.href == "/my/cases");
        assert!(mine.is_some_and(|l| l.current));
    }

    #[test]
    fn each_role_sees_the_menus_of_its_work() {
        use Role::*;
        assert_eq!(
            labels(Some(Clerk)),
            ["办事服务", "窗口业务", "监督考核", "统计报表", "日常办公"]
        );
        assert_eq!(labels(Some(ChiefRep)), labels(Some(Clerk)));
        assert_eq!(labels(Some(Approver)), labels(Some(Clerk)));
        assert_eq!(
            labels(Some(Supervisor)),
            ["办事服务", "监督考核", "统计报表", "日常办公"]
        );
        assert_eq!(labels(Some(Leader)), labels(Some(Supervisor)));
        assert_eq!(
            labels(Some(Admin)),
            ["办事服务", "监督考核", "统计报表", "日常办公", "系统管理"]
        );
        for role in [Clerk, Supervisor, Admin] {
            assert!(menus(Some(&actor(role)), "").iter().all(|m| !m.flat));
        }
    }

    #[test]
    fn the_entries_of_the_flat_navigation_keep_their_audience() {
        use Role::*;
        let has = |role: Role, href: &str| {
            menus(Some(&actor(role)), "")
                .iter()
                .flat_map(|m| &m.links)
                .any(|l| l.href == href)
        };
        // 办件 and 叫号 were for department staff only, not for admins or leaders.
        for href in ["/desk", "/queue/window"] {
            assert!(has(Clerk, href) && has(Approver, href) && has(ChiefRep, href));
            assert!(!has(Admin, href) && !has(Leader, href) && !has(Supervisor, href));
        }
        for href in ["/supervision", "/scoring", "/rooms", "/admin", "/dashboard"] {
            for role in [Clerk, Approver, ChiefRep, Admin, Supervisor, Leader] {
                assert!(has(role, href), "{role:?} {href}");
            }
            assert!(!has(Applicant, href), "{href}");
        }
        assert!(has(Applicant, "/my/cases") && !has(Clerk, "/my/cases"));
    }

    #[test]
    fn administration_is_for_administrators_only() {
        for role in [
            Role::Clerk,
            Role::ChiefRep,
            Role::Supervisor,
            Role::Leader,
            Role::Applicant,
        ] {
            let m = menus(Some(&actor(role)), "");
            assert!(m.iter().all(|m| m.id != "system"), "{role:?}");
        }
    }

    #[test]
    fn a_department_role_without_a_department_gets_no_staff_pages() {
        let lost = Actor {
            department_id: None,
            ..actor(Role::Clerk)
        };
        // The case desk keeps the old test (the role), the rest their page's permission.
        let m = menus(Some(&lost), "");
        assert!(m.iter().all(|m| m.id != "supervision" && m.id != "office"));
    }

    #[test]
    fn the_current_entry_and_its_menu_are_marked() {
        let m = menus(Some(&actor(Role::Clerk)), "followups");
        let current: Vec<_> = m.iter().filter(|m| m.current).map(|m| m.id).collect();
        assert_eq!(current, ["supervision"]);
        let links: Vec<_> = m
            .iter()
            .flat_map(|m| &m.links)
            .filter(|l| l.current)
            .map(|l| l.href)
            .collect();
        assert_eq!(links, ["/supervision/followups"]);
        assert!(menus(None, "").iter().all(|m| !m.current));
    }

    #[test]
    fn keys_and_links_are_unique() {
        let all: Vec<&Entry> = MENUS.iter().flat_map(|m| m.entries).collect();
        for (i, e) in all.iter().enumerate() {
            assert!(
                all[i + 1..]
                    .iter()
                    .all(|o| o.key != e.key && o.href != e.href),
                "{}",
                e.key
            );
        }
        assert!(is_known_key("desk") && is_known_key("") && is_known_key("login"));
        assert!(!is_known_key("nowhere"));
    }
}

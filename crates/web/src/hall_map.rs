//! The floor map (窗口分布图) drawn on the server as inline SVG: a floor's
//! functional zones as labelled rectangles and its windows as small numbered
//! boxes with the department's short name, coloured by department (with a
//! legend) or by the window's live state. Pure functions from stored rows to
//! an SVG string, like `charts.rs`: no script, nothing from the internet.
//!
//! Coordinates are the stored map units (decimetres from the floor's top-left
//! corner); the SVG's viewBox is the floor, so the page scales it. Windows
//! the viewer is looking for are outlined and the others faded. Text is
//! escaped here: callers pass plain strings.

use crate::charts::escape;
use domain::hall::WindowState;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use store::{Floor, Window, Zone};

/// A window box's size in map units.
pub const WINDOW_W: i64 = 70;
pub const WINDOW_H: i64 = 44;

/// How windows are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colouring {
    /// One colour per department (windows of no department share one).
    Department,
    /// Open, serving, idle or closed.
    State,
}

/// One entry of a map's legend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegendEntry {
    pub label: String,
    pub color: &'static str,
}

/// Everything one floor's map needs.
#[derive(Debug, Clone)]
pub struct FloorMap<'a> {
    pub floor: &'a Floor,
    pub zones: &'a [Zone],
    /// The hall's windows (those in other floors' zones are skipped).
    pub windows: &'a [Window],
    /// Department id → short name.
    pub departments: &'a HashMap<i64, String>,
    /// Window id → live state; a window missing here counts as open.
    pub states: &'a HashMap<i64, WindowState>,
    pub colouring: Colouring,
    /// Windows to point out (the ones an item is handled at).
    pub highlight: &'a HashSet<i64>,
}

/// Colours for departments, distinct enough side by side and printable.
const PALETTE: [&str; 12] = [
    "#1f6fb2", "#2e8b57", "#b5651d", "#8e44ad", "#c0392b", "#16a085", "#d4a017", "#5d6d7e",
    "#a93226", "#1a5276", "#7d6608", "#6c3483",
];
/// Windows of no department (便民服务, 综合代办).
pub const NO_DEPARTMENT_COLOR: &str = "#7f8c8d";

/// The colour a state is shown in.
pub fn state_color(s: WindowState) -> &'static str {
    match s {
        WindowState::Open => "#2e8b57",
        WindowState::Serving => "#1f6fb2",
        WindowState::Idle => "#d4a017",
        WindowState::Closed => "#9aa0a6",
    }
}

/// The colour of a department: by its place among the department ids given,
/// so a department keeps its colour on every floor of the hall.
pub fn department_color(department_id: Option<i64>, order: &[i64]) -> &'static str {
    match department_id.and_then(|d| order.iter().position(|x| *x == d)) {
        Some(i) => PALETTE[i % PALETTE.len()],
        None => NO_DEPARTMENT_COLOR,
    }
}

/// The departments of these windows in first-seen order: the colour order.
pub fn department_order(windows: &[Window]) -> Vec<i64> {
    let mut out = Vec::new();
    for d in windows.iter().filter_map(|w| w.department_id) {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// The legend for a colouring: the departments present (and 便民/综合 when a
/// window has none), or the four states.
pub fn legend(
    colouring: Colouring,
    windows: &[Window],
    departments: &HashMap<i64, String>,
) -> Vec<LegendEntry> {
    match colouring {
        Colouring::State => WindowState::ALL
            .iter()
            .map(|s| LegendEntry {
                label: s.label().to_string(),
                color: state_color(*s),
            })
            .collect(),
        Colouring::Department => {
            let order = department_order(windows);
            let mut out: Vec<LegendEntry> = order
                .iter()
                .map(|d| LegendEntry {
                    label: departments.get(d).cloned().unwrap_or_default(),
                    color: department_color(Some(*d), &order),
                })
                .collect();
            if windows.iter().any(|w| w.department_id.is_none()) {
                out.push(LegendEntry {
                    label: "便民服务、综合代办".into(),
                    color: NO_DEPARTMENT_COLOR,
                });
            }
            out
        }
    }
}

/// What a window box says: the department's short name, else the window's name.
pub fn window_label(w: &Window, departments: &HashMap<i64, String>) -> String {
    w.department_id
        .and_then(|d| departments.get(&d).cloned())
        .unwrap_or_else(|| w.name.clone())
}

/// One floor as an `<svg role="img">` with a title and a description.
pub fn floor_svg(m: &FloorMap) -> String {
    let f = m.floor;
    let zone_ids: HashSet<i64> = m.zones.iter().map(|z| z.id).collect();
    let on_floor: Vec<&Window> = m
        .windows
        .iter()
        .filter(|w| w.zone_id.is_some_and(|z| zone_ids.contains(&z)))
        .collect();
    let order = department_order(m.windows);
    let zone_name = |id: Option<i64>| {
        m.zones
            .iter()
            .find(|z| Some(z.id) == id)
            .map_or("", |z| z.name.as_str())
    };
    let mut svg = String::new();
    let id = format!("floor-{}", f.id);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="hall-map" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" data-floor="{level}"><title id="{id}-title">{title}窗口分布图</title><desc id="{id}-desc">{desc}</desc>"##,
        w = f.width,
        h = f.height,
        level = f.level,
        title = escape(&f.name),
        desc = escape(&format!(
            "{}共{}个功能区、{}个窗口：{}",
            f.name,
            m.zones.len(),
            on_floor.len(),
            m.zones
                .iter()
                .map(|z| z.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )),
    );
    let _ = write!(
        svg,
        r##"<rect class="map-floor" x="0" y="0" width="{}" height="{}" fill="#ffffff" stroke="#5d6d7e" stroke-width="3"/>"##,
        f.width, f.height
    );
    for z in m.zones {
        let (fill, stroke) = zone_colors(z.purpose);
        let size = (z.height / 6).clamp(12, 20);
        let _ = write!(
            svg,
            r##"<g class="map-zone" data-zone="{id}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="2"/><text x="{tx}" y="{ty}" font-size="{size}" fill="#2c3e50" font-weight="bold">{name}</text></g>"##,
            id = z.id,
            x = z.x,
            y = z.y,
            w = z.width,
            h = z.height,
            tx = z.x + 8,
            ty = z.y + size + 4,
            name = escape(&z.name),
        );
    }
    let faded = !m.highlight.is_empty();
    for w in &on_floor {
        let state = m.states.get(&w.id).copied().unwrap_or(WindowState::Open);
        let color = match m.colouring {
            Colouring::Department => department_color(w.department_id, &order),
            Colouring::State => state_color(state),
        };
        let label = window_label(w, m.departments);
        let lit = m.highlight.contains(&w.id);
        let class = match (lit, faded, state) {
            (true, _, _) => "map-window highlight",
            (false, true, _) => "map-window faded",
            (false, false, WindowState::Closed) => "map-window closed",
            _ => "map-window",
        };
        let name_size = (66.0 / label.chars().count().max(1) as f64).clamp(7.0, 12.0);
        let _ = write!(
            svg,
            r##"<g class="{class}" data-window="{id}" data-number="{number}" data-state="{state_code}"{opacity}><title>{number}号窗口 {name}（{zone}，{state}）</title>"##,
            id = w.id,
            number = escape(&w.number),
            state_code = state.code(),
            opacity = if class.ends_with("faded") {
                r#" opacity="0.35""#
            } else {
                ""
            },
            name = escape(&w.name),
            zone = escape(zone_name(w.zone_id)),
            state = state.label(),
        );
        if lit {
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="8" fill="none" stroke="#e74c3c" stroke-width="5"/>"##,
                w.x - 6,
                w.y - 6,
                WINDOW_W + 12,
                WINDOW_H + 12
            );
        }
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="{ww}" height="{wh}" rx="4" fill="{color}" stroke="#1b2631" stroke-width="1.5"{dash}/><text x="{cx}" y="{ny}" font-size="18" font-weight="bold" text-anchor="middle" fill="#ffffff">{number}</text><text x="{cx}" y="{ly}" font-size="{name_size:.1}" text-anchor="middle" fill="#ffffff">{label}</text></g>"##,
            x = w.x,
            y = w.y,
            ww = WINDOW_W,
            wh = WINDOW_H,
            dash = if state == WindowState::Closed {
                r#" stroke-dasharray="4 3""#
            } else {
                ""
            },
            cx = w.x + WINDOW_W / 2,
            ny = w.y + 20,
            ly = w.y + 37,
            number = escape(&w.number),
            label = escape(&label),
        );
    }
    svg.push_str("</svg>");
    svg
}

fn zone_colors(p: domain::hall::ZonePurpose) -> (&'static str, &'static str) {
    use domain::hall::ZonePurpose::*;
    match p {
        Windows => ("#eaf2fb", "#85a9cf"),
        Waiting => ("#eafaf1", "#82c09a"),
        SelfService => ("#fef5e7", "#e0b26b"),
        Office => ("#f4f6f6", "#aab7b8"),
        Room => ("#f5eef8", "#b39bc8"),
        Other => ("#fbfcfc", "#b2babb"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::hall::{WindowKind, ZonePurpose};

    fn floor() -> Floor {
        Floor {
            id: 1,
            hall_id: 1,
            level: 3,
            name: "3楼".into(),
            width: 600,
            height: 300,
        }
    }

    fn zone(id: i64, name: &str) -> Zone {
        Zone {
            id,
            floor_id: 1,
            name: name.into(),
            purpose: ZonePurpose::Windows,
            x: 10,
            y: 10,
            width: 300,
            height: 200,
        }
    }

    fn window(id: i64, number: &str, department_id: Option<i64>, zone_id: Option<i64>) -> Window {
        Window {
            id,
            hall_id: 1,
            zone_id,
            number: number.into(),
            kind: if department_id.is_some() {
                WindowKind::Resident
            } else {
                WindowKind::Convenience
            },
            name: format!("窗口<{number}>"),
            department_id,
            branch_hall_id: None,
            x: 20 * id,
            y: 40,
            active: true,
            department_ids: department_id.into_iter().collect(),
            category_ids: vec![],
            item_ids: vec![],
        }
    }

    #[test]
    fn the_map_draws_zones_and_this_floors_windows_with_their_numbers() {
        let zones = [zone(5, "部门办事窗口区")];
        let windows = [
            window(1, "01", Some(7), Some(5)),
            window(2, "02", None, Some(5)),
            window(3, "03", Some(7), Some(99)),
        ];
        let departments = HashMap::from([(7, "人社局".to_string())]);
        let states = HashMap::from([(2, WindowState::Closed)]);
        let svg = floor_svg(&FloorMap {
            floor: &floor(),
            zones: &zones,
            windows: &windows,
            departments: &departments,
            states: &states,
            colouring: Colouring::Department,
            highlight: &HashSet::new(),
        });
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("部门办事窗口区"));
        assert!(svg.contains(r#"data-number="01""#) && svg.contains(r#"data-number="02""#));
        assert!(
            !svg.contains(r#"data-number="03""#),
            "another floor's window"
        );
        assert!(svg.contains(">人社局<"));
        // A window of no department is labelled by its (escaped) name.
        assert!(svg.contains("窗口&lt;02&gt;"));
        assert!(svg.contains(r#"class="map-window closed""#));
        assert!(svg.contains(PALETTE[0]) && svg.contains(NO_DEPARTMENT_COLOR));
    }

    #[test]
    fn highlighted_windows_are_outlined_and_the_rest_faded() {
        let zones = [zone(5, "便民服务窗口")];
        let windows = [
            window(1, "01", Some(7), Some(5)),
            window(2, "02", Some(8), Some(5)),
        ];
        let svg = floor_svg(&FloorMap {
            floor: &floor(),
            zones: &zones,
            windows: &windows,
            departments: &HashMap::new(),
            states: &HashMap::new(),
            colouring: Colouring::State,
            highlight: &HashSet::from([2]),
        });
        assert!(svg.contains(r#"class="map-window highlight" data-window="2""#));
        assert!(svg.contains(r#"class="map-window faded" data-window="1""#));
        assert!(svg.contains(state_color(WindowState::Open)));
    }

    #[test]
    fn legends_name_the_departments_or_the_states() {
        let windows = [
            window(1, "01", Some(7), Some(5)),
            window(2, "02", None, Some(5)),
        ];
        let departments = HashMap::from([(7, "人社局".to_string())]);
        let l = legend(Colouring::Department, &windows, &departments);
        let labels: Vec<&str> = l.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["人社局", "便民服务、综合代办"]);
        let l = legend(Colouring::State, &windows, &departments);
        let labels: Vec<&str> = l.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["开放", "办理中", "空闲", "暂停"]);
    }
}

//! The queue's demo data: when the demo center has no business categories
//! yet, a main hall (if it has none) with categories A 社保业务 and B 户政业务
//! and windows 01, 02 (人社局, A) and 03 (公安分局, B), so the kiosk, the
//! window workbench and the displays work out of the box. A fuller hall
//! layout written before this step makes it stand aside.

use chrono::{DateTime, Utc};
use domain::hall::{CategoryInput, HallInput, NewCategory, NewHall, NewWindow, WindowInput};
use store::{Department, Store};

pub(crate) async fn ensure_queue_demo(
    store: &Store,
    center_id: i64,
    departments: &[(&Department, &str)],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if !store.list_categories(center_id).await?.is_empty() {
        return Ok(());
    }
    let hall = match store.list_halls(center_id).await?.into_iter().next() {
        Some(h) => h,
        None => {
            let h = NewHall::parse(&HallInput {
                name: "政务服务大厅".into(),
                kind: "main".into(),
                ..Default::default()
            })
            .map_err(|e| anyhow::anyhow!("demo hall: {e}"))?;
            store.create_hall(center_id, &h, now).await?
        }
    };
    let mut categories = Vec::new();
    for (code, name) in [("A", "社保业务"), ("B", "户政业务")] {
        let c = NewCategory::parse(&CategoryInput {
            code: code.into(),
            name: name.into(),
            description: String::new(),
        })
        .map_err(|e| anyhow::anyhow!("demo category: {e}"))?;
        categories.push(store.create_category(center_id, &c, now).await?.id);
    }
    let existing = store.list_windows(center_id).await?;
    for (i, (department, number)) in departments.iter().enumerate() {
        if existing.iter().any(|w| w.number == *number) {
            continue;
        }
        let w = NewWindow::parse(&WindowInput {
            hall_id: hall.id,
            number: (*number).into(),
            kind: "resident".into(),
            name: format!("{}{number}号窗口", department.short_name),
            department_id: Some(department.id),
            category_ids: vec![categories[usize::from(i >= 2)]],
            x: 40 + 80 * i as i64,
            y: 40,
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("demo window: {e}"))?;
        store.create_window(&w, now).await?;
    }
    Ok(())
}

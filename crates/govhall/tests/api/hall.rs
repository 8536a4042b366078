//! The hall's data through the store: the seeded layout reads back, and the
//! rules the database keeps (one main hall, unique window numbers) hold on
//! both backends.

use crate::helpers::*;
use domain::hall::*;

#[tokio::test]
async fn the_seeded_hall_reads_back_with_its_windows() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let store = &app.state.store;
    let halls = store.list_halls(seed.center_id).await.unwrap();
    assert_eq!(halls.len(), 1);
    assert_eq!(halls[0].hours.text(), "09:00–12:00，13:30–17:00");
    let windows = store.list_windows(seed.center_id).await.unwrap();
    let numbers: Vec<&str> = windows.iter().map(|w| w.number.as_str()).collect();
    assert_eq!(numbers, ["01", "02", "03"]);
    assert_eq!(windows[2].department_ids, [seed.dept_b]);
    assert_eq!(windows[2].category_ids, [hall.category_b]);
    assert_eq!(windows[0].kind, WindowKind::Resident);
    assert_eq!(windows[0].zone_id, Some(hall.zone_id));
    let ids: Vec<i64> = windows.iter().map(|w| w.id).collect();
    assert_eq!(ids, hall.windows);
    let zones = store.list_zones(hall.hall_id).await.unwrap();
    assert_eq!(zones[0].floor_id, hall.floor_id);

    let second_main = NewHall::parse(&HallInput {
        name: "第二大厅".into(),
        kind: "main".into(),
        ..Default::default()
    })
    .unwrap();
    let e = store
        .create_hall(seed.center_id, &second_main, start_time())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            store::StoreError::Conflict {
                code: "hall.main_exists",
                ..
            }
        ),
        "{e:?}"
    );

    let again = NewWindow::parse(&WindowInput {
        hall_id: hall.hall_id,
        number: "01".into(),
        kind: "convenience".into(),
        name: "复印".into(),
        ..Default::default()
    })
    .unwrap();
    let e = store.create_window(&again, start_time()).await.unwrap_err();
    assert!(
        matches!(
            e,
            store::StoreError::Conflict {
                code: "window.number_taken",
                ..
            }
        ),
        "{e:?}"
    );

    let stray = NewWindow::parse(&WindowInput {
        hall_id: hall.hall_id,
        number: "09".into(),
        kind: "agency".into(),
        name: "综合代办".into(),
        department_ids: vec![seed.dept_a, 9999],
        category_ids: vec![hall.category_a, 8888],
        ..Default::default()
    })
    .unwrap();
    let e = store.create_window(&stray, start_time()).await.unwrap_err();
    let store::StoreError::Invalid(errors) = e else {
        panic!("{e:?}")
    };
    let fields: Vec<&str> = errors.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["department_ids[1]", "category_ids[1]"]);
    assert_eq!(
        store.list_windows(seed.center_id).await.unwrap().len(),
        3,
        "nothing written"
    );
}

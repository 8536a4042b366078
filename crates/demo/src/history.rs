//! A demo center's recent past (`govhall demo --history-days N`): the working
//! days before `now` filled with the cases a hall of this size handles, each
//! written through the same case writer and domain rules as a real one —
//! accepted at the window, worked through its steps, most concluded on time
//! and some late, some still open (so warnings show), immediate items
//! concluded at the window there and then, rated by most applicants (a few
//! badly, with follow-ups), a few complaints — and the supervision worker run
//! for each day, so the desk, the figures, the scores and the big screen have
//! something true to show.
//!
//! The cases are the whole hall's: every department with items and people at
//! resident windows gets its share (by its windows and items, so the big
//! bureaus are the busiest), accepted by the clerk of one of its windows and
//! decided by that window's approver, so each person's figures are their own
//! and a month's red flags and a quarter's advanced staff come from them.
//!
//! Deterministic: the same `now` and days give the same history.

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::access::{Actor, Permission, Role, authorize};
use domain::case::{
    Action, ApplicantInput, CaseItem, CaseStatus, Channel, Decision, Event, EventActor,
    ProvidedMaterial,
};
use domain::catalogue::CaseKind;
use domain::complaint::{ComplaintInput, ComplaintSource, NewComplaint, Satisfaction};
use domain::rating::{FollowupAction, NewRating};
use store::{ComplaintIntake, Store, Written};

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct History {
    pub cases: usize,
    pub ratings: usize,
    pub complaints: usize,
}

/// A small deterministic generator (xorshift).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with `percent` per cent.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "丽华", "海燕", "春梅", "晓东", "玉兰", "文博", "桂英", "子涵", "雨轩",
    "国华", "淑珍", "浩然", "欣怡", "明", "静", "磊", "芳",
];

/// A valid ID card number of 呼和浩特新城区 for a birth date and sequence.
fn id_number(dice: &mut Dice) -> String {
    let year = 1950 + dice.below(55);
    let month = 1 + dice.below(12);
    let day = 1 + dice.below(28);
    let seq = dice.below(1000);
    let first17 = format!("150102{year:04}{month:02}{day:02}{seq:03}");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

fn beijing(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    offset
        .from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("a time of day"))
        .single()
        .expect("no daylight saving in Beijing")
        .with_timezone(&Utc)
}

/// Who works a window: the person who accepts there (clerk, or the chief
/// representative at an A post) and the one who decides (approver, or the
/// chief representative).
struct Staff {
    clerk: Actor,
    clerk_name: String,
    approver: Actor,
    approver_name: String,
}

/// A department at the hall: its staffed windows, the items the history
/// draws from (free window items, promised or immediate), and how many of
/// the hall's cases a day it gets, in hundredths.
struct Desk {
    windows: Vec<Staff>,
    items: Vec<(i64, CaseKind)>,
    per_day: u64,
}

/// Cases a day across the whole hall, on average.
const CASES_PER_DAY: u64 = 36;

fn actor(u: &store::User) -> (Actor, String) {
    (u.actor(), u.display_name.clone())
}

/// Every department with items and people at resident windows, in the
/// roster's order, each with its share of the hall's cases: a department
/// weighs two for each staffed window and one for every eight items, so the
/// big bureaus are the busiest.
async fn desks(store: &Store, center_id: i64) -> anyhow::Result<Vec<Desk>> {
    let system = Actor {
        user_id: 0,
        username: "system".into(),
        role: Role::Admin,
        department_id: None,
    };
    let grant = authorize(&system, Permission::ViewStaff)?;
    // In the order things were created, the same on either database.
    let mut roster = store
        .list_staff(&grant, center_id, &store::StaffFilter::default())
        .await?;
    roster.sort_by_key(|s| (s.department_id, s.window_id, s.id));
    let users = store.list_users().await?;
    let windows = store.list_windows(center_id).await?;
    let mut published = store.all_published().await?;
    published.sort_by_key(|i| i.item_id);
    let mut desks: Vec<(Desk, u64)> = Vec::new();
    let mut departments: Vec<i64> = roster.iter().map(|s| s.department_id).collect();
    departments.sort_unstable();
    departments.dedup();
    for department in departments {
        let people: Vec<(&store::StaffMember, &store::User)> = roster
            .iter()
            .filter(|s| s.department_id == department && s.left_on.is_none())
            .filter(|s| {
                s.window_id.is_some_and(|w| {
                    windows.iter().any(|x| {
                        x.id == w && x.active && x.kind == domain::hall::WindowKind::Resident
                    })
                })
            })
            .filter_map(|s| {
                let u = users.iter().find(|u| Some(u.id) == s.user_id)?;
                (u.active && u.department_id == Some(department)).then_some((s, u))
            })
            .collect();
        let deciders: Vec<&store::User> = people
            .iter()
            .map(|p| p.1)
            .filter(|u| matches!(u.role, Role::Approver | Role::ChiefRep))
            .collect();
        let mut staffed = Vec::new();
        let mut window_ids: Vec<i64> = people.iter().filter_map(|p| p.0.window_id).collect();
        window_ids.sort_unstable();
        window_ids.dedup();
        for w in window_ids {
            let here: Vec<&store::User> = people
                .iter()
                .filter(|p| p.0.window_id == Some(w))
                .map(|p| p.1)
                .collect();
            let clerk = here
                .iter()
                .find(|u| u.role == Role::Clerk)
                .or_else(|| here.iter().find(|u| u.role == Role::ChiefRep));
            let approver = here
                .iter()
                .find(|u| u.role == Role::Approver)
                .or_else(|| here.iter().find(|u| u.role == Role::ChiefRep))
                .or_else(|| deciders.first());
            if let (Some(clerk), Some(approver)) = (clerk, approver) {
                let (clerk, clerk_name) = actor(clerk);
                let (approver, approver_name) = actor(approver);
                staffed.push(Staff {
                    clerk,
                    clerk_name,
                    approver,
                    approver_name,
                });
            }
        }
        let items: Vec<(i64, CaseKind)> = published
            .iter()
            .filter(|i| {
                i.content.department_id == department
                    && i.content.fees.iter().all(|f| f.amount_fen == 0)
            })
            .map(|i| (i.item_id, i.content.case_kind))
            .collect();
        if staffed.is_empty() || items.is_empty() {
            continue;
        }
        let weight = 2 * staffed.len() as u64 + items.len() as u64 / 8;
        desks.push((
            Desk {
                windows: staffed,
                items,
                per_day: 0,
            },
            weight,
        ));
    }
    let total: u64 = desks.iter().map(|d| d.1).sum::<u64>().max(1);
    Ok(desks
        .into_iter()
        .map(|(mut desk, weight)| {
            desk.per_day = CASES_PER_DAY * 100 * weight / total;
            desk
        })
        .collect())
}

/// Writes `days` calendar days of history before `now` (today itself is
/// left to the people using the demo).
pub async fn load_history(
    store: &Store,
    now: DateTime<Utc>,
    days: u32,
    progress: crate::Progress<'_>,
) -> anyhow::Result<History> {
    let today = domain::supervision::beijing_date(now);
    let center = store.home_center().await?.context("the demo center")?;
    let calendar = store.calendar(center.id).await?;
    let users = store.list_users().await?;
    let by_name = |name: &str| {
        users
            .iter()
            .find(|u| u.username == name)
            .with_context(|| format!("demo account {name}"))
    };
    let desks = desks(store, center.id).await?;
    let supervisor = by_name("supervisor")?.actor();
    let supervise = authorize(&supervisor, Permission::Supervise)?;

    let first = today - Duration::days(i64::from(days));
    let working: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|d| *d < today)
        .filter(|d| calendar.is_working_day(*d))
        .collect();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ u64::from(days) ^ (today.to_string().len() as u64));
    let mut history = History::default();
    let total = working.len() as u64;
    for (n, day) in working.iter().enumerate() {
        for desk in &desks {
            // Busier and quieter days: 60% to 140% of the department's share.
            let share = desk.per_day * (60 + dice.below(81)) / 100;
            let count = share / 100 + u64::from(dice.below(100) < share % 100);
            for k in 0..count {
                let s = &desk.windows[dice.below(desk.windows.len() as u64) as usize];
                let item = desk.items[dice.below(desk.items.len() as u64) as usize];
                let at = beijing(*day, 9 + (k as u32 * 37 / 60) % 7, (k as u32 * 37) % 60);
                let written =
                    one_case(store, s, item, &mut dice, *day, at, &calendar, today).await?;
                if let Some((record, concluded_on)) = written {
                    history.cases += 1;
                    // Most applicants rate; a few badly.
                    if let Some(on) = concluded_on
                        && dice.chance(70)
                    {
                        let level = match dice.below(100) {
                            0..=59 => 1,
                            60..=84 => 2,
                            85..=94 => 3,
                            95..=97 => 4,
                            _ => 5,
                        };
                        let channel = match dice.below(10) {
                            0..=5 => "hall",
                            6..=8 => "web",
                            _ => "sms",
                        };
                        let tags: Vec<String> = if level >= 4 {
                            vec![
                                ["等待时间长", "多次跑动", "服务态度差"][dice.below(3) as usize]
                                    .into(),
                            ]
                        } else {
                            vec![
                                ["办事高效", "服务热情", "一次办成"][dice.below(3) as usize].into(),
                            ]
                        };
                        let rating = NewRating::parse(Some(level), channel, &tags, "")
                            .map_err(|e| anyhow::anyhow!("demo rating: {e}"))?;
                        let saved = store
                            .rate_case(&record, &rating, beijing(on, 16, 30))
                            .await?;
                        history.ratings += 1;
                        // Bad ratings older than two weeks have been settled.
                        if let Some(f) = saved.followup_id
                            && (today - on).num_days() > 14
                        {
                            let g = authorize(&s.approver, Permission::AnswerCorrections)?;
                            let later = |d: i64| beijing(on + Duration::days(d), 10, 0);
                            store
                                .act_on_followup(
                                    &g,
                                    f,
                                    FollowupAction::Verify,
                                    "调阅窗口记录，情况属实",
                                    later(1),
                                )
                                .await?;
                            store
                                .act_on_followup(
                                    &g,
                                    f,
                                    FollowupAction::Rectify,
                                    "窗口人员已批评教育，完善一次性告知",
                                    later(3),
                                )
                                .await?;
                            store
                                .act_on_followup(
                                    &g,
                                    f,
                                    FollowupAction::Revisit { satisfied: true },
                                    "电话回访，申请人表示满意",
                                    later(5),
                                )
                                .await?;
                        }
                    }
                    // Now and then a complaint about the case.
                    if dice.chance(3) {
                        let input = ComplaintInput {
                            source: if dice.chance(50) {
                                ComplaintSource::Hotline
                            } else {
                                ComplaintSource::Hall
                            }
                            .code()
                            .into(),
                            category: ["attitude", "delay", "consultation"][dice.below(3) as usize]
                                .into(),
                            complainant_name: record.case.applicant.name.clone(),
                            phone: record.case.applicant.phone.clone(),
                            content: "对办理进度和窗口答复不满意，请核实".into(),
                            case_no: record.case_no.clone(),
                            ..Default::default()
                        };
                        let complaint = NewComplaint::parse(&input, "")
                            .map_err(|e| anyhow::anyhow!("demo complaint: {e}"))?;
                        let received = at + Duration::hours(2);
                        let ids = store
                            .register_complaints(
                                Some(&supervise),
                                &[ComplaintIntake {
                                    complaint,
                                    department_id: None,
                                    department_name: None,
                                    field_prefix: String::new(),
                                }],
                                received,
                            )
                            .await?;
                        history.complaints += 1;
                        if (today - *day).num_days() > 10
                            && let Some((id, _)) = ids.first()
                        {
                            let g = authorize(&s.approver, Permission::AnswerCorrections)?;
                            let later = |d: i64| received + Duration::days(d);
                            use domain::complaint::ComplaintAction as A;
                            store
                                .act_on_complaint(&g, *id, A::Accept, "", later(1))
                                .await?;
                            store
                                .act_on_complaint(
                                    &g,
                                    *id,
                                    A::Reply,
                                    "已核实并电话答复诉求人",
                                    later(2),
                                )
                                .await?;
                            let close = A::Close {
                                satisfaction: Satisfaction::Satisfied,
                            };
                            store
                                .act_on_complaint(&supervise, *id, close, "电话回访", later(4))
                                .await?;
                        }
                    }
                }
            }
        }
        // The worker's run at the end of each day records its warnings.
        store.run_supervision(*day, beijing(*day, 18, 0)).await?;
        progress(n as u64 + 1, total, "历史办件");
    }
    Ok(history)
}

/// One window case on `day`: submitted and accepted, then (mostly)
/// concluded some working days later — on time, or now and then late — or
/// left running. Answers the case as written and the day it was concluded.
#[allow(clippy::too_many_arguments)]
async fn one_case(
    store: &Store,
    s: &Staff,
    (item_id, kind): (i64, CaseKind),
    dice: &mut Dice,
    day: NaiveDate,
    at: DateTime<Utc>,
    calendar: &domain::calendar::WorkCalendar,
    today: NaiveDate,
) -> anyhow::Result<Option<(store::CaseRecord, Option<NaiveDate>)>> {
    let Some(version) = store.published_item(item_id).await? else {
        return Ok(None);
    };
    let item = CaseItem::from_content(
        version.item_id,
        version.id,
        version.version_no,
        &version.content,
    );
    let name = format!(
        "{}{}",
        SURNAMES[dice.below(SURNAMES.len() as u64) as usize],
        GIVEN[dice.below(GIVEN.len() as u64) as usize]
    );
    let applicant = ApplicantInput {
        kind: "person".into(),
        name,
        id_type: "id_card".into(),
        id_number: id_number(dice),
        phone: format!("13947{:06}", dice.below(1_000_000)),
        contact_name: String::new(),
    };
    let materials: Vec<ProvidedMaterial> = version
        .content
        .materials
        .iter()
        .filter(|m| m.required)
        .map(|m| ProvidedMaterial {
            name: m.name.clone(),
            files: Vec::new(),
            paper: true,
            certificate_no: None,
        })
        .collect();
    let paper: Vec<String> = materials.iter().map(|m| m.name.clone()).collect();
    let clerk = &s.clerk;
    let Ok(body) = domain::case::submit(item, &applicant, Channel::Window, materials, Some(clerk))
    else {
        return Ok(None);
    };
    let event = Event {
        at,
        actor: EventActor::of(clerk, &s.clerk_name),
        body,
    };
    let department = store
        .department(version.content.department_id)
        .await?
        .context("the item's department")?;
    let code = format!("{:06}", dice.below(1_000_000));
    let written = store
        .submit_case(department.center_id, day, &code, &event, &[], None, at)
        .await?;
    let Written::Done(w) = written else {
        return Ok(None);
    };
    let no = w.record.case_no.clone();
    let handle = authorize(clerk, Permission::HandleCases)?;
    let accept_at = at + Duration::minutes(8);
    let accepted = store
        .act_on_case(
            &handle,
            &s.clerk_name,
            &no,
            Action::Accept {
                promised_materials: Vec::new(),
                paper_materials: paper,
            },
            &[],
            None,
            accept_at,
            day,
        )
        .await;
    let Ok(Written::Done(accepted)) = accepted else {
        return Ok(None);
    };
    let mut record = accepted.record;
    // An immediate case is concluded at the window there and then, by the
    // clerk who accepted it.
    let (decider, decider_name, done_on, start) = if kind == CaseKind::Immediate {
        (
            &s.clerk,
            &s.clerk_name,
            day,
            accept_at + Duration::minutes(5),
        )
    } else {
        let Some(due) = record.case.due_date else {
            return Ok(Some((record, None)));
        };
        // Most cases end within their time, some late, the rest still run.
        let budget = calendar
            .working_days_between(day.succ_opt().unwrap_or(day), due.succ_opt().unwrap_or(due));
        let roll = dice.below(100);
        // A few are forgotten (they go red); recent ones are still being worked.
        if roll < 3 || (due >= today && roll < 50) {
            return Ok(Some((record, None)));
        }
        let used = if roll < 11 {
            budget + 1 + dice.below(3) as u32
        } else {
            1 + dice.below(u64::from(budget.max(1))) as u32
        };
        let Ok(done_on) = calendar.add_working_days(day, used) else {
            return Ok(Some((record, None)));
        };
        if done_on >= today {
            return Ok(Some((record, None)));
        }
        (
            &s.approver,
            &s.approver_name,
            done_on,
            beijing(done_on, 10, 0),
        )
    };
    let approve = authorize(decider, Permission::HandleCases)?;
    let steps = record.case.steps.len();
    for step in 1..=steps {
        if record
            .case
            .steps
            .get(step - 1)
            .is_some_and(|p| p.ended_at.is_some())
        {
            continue;
        }
        let when = start + Duration::minutes(step as i64);
        let done = store
            .act_on_case(
                &approve,
                decider_name,
                &no,
                Action::CompleteStep {
                    step,
                    opinion: "符合条件，同意".into(),
                },
                &[],
                None,
                when,
                done_on,
            )
            .await;
        match done {
            Ok(Written::Done(w)) => record = w.record,
            // The last steps (decision, delivery) end with the conclusion.
            _ => break,
        }
    }
    let concluded = store
        .act_on_case(
            &approve,
            decider_name,
            &no,
            Action::Conclude {
                decision: Decision::Approved,
                reason: String::new(),
                result_name: String::new(),
                certificate_no: String::new(),
            },
            &[],
            None,
            start + Duration::minutes(30),
            done_on,
        )
        .await;
    match concluded {
        Ok(Written::Done(w))
            if matches!(
                w.record.case.status,
                CaseStatus::Concluded | CaseStatus::Delivered
            ) =>
        {
            Ok(Some((w.record, Some(done_on))))
        }
        _ => Ok(Some((record, None))),
    }
}

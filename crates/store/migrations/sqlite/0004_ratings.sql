-- Ratings (好差评): one per case and channel, the follow-up every bad rating
-- opens (差评整改: verify → rectify → return visit, with a deadline in working
-- days watched like a case's) and its history, appeals (申诉复核).

-- The working days a department has to settle a bad rating.
ALTER TABLE supervision_settings ADD COLUMN bad_rating_working_days INTEGER NOT NULL DEFAULT 15
    CHECK (bad_rating_working_days BETWEEN 1 AND 30);

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    -- The staff member who accepted the case (the window served), if any.
    staff_user_id INTEGER REFERENCES users(id),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'hall', 'sms')),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    -- JSON array of the picked tags.
    tags TEXT NOT NULL DEFAULT '[]',
    comment TEXT NOT NULL DEFAULT '',
    rated_at TEXT NOT NULL,
    -- The day in Beijing time, for figures by period.
    rated_on TEXT NOT NULL,
    -- Set when an appeal was upheld: the rating no longer counts.
    voided_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (case_id, channel)
);
CREATE INDEX ratings_by_department ON ratings(department_id, rated_on);
CREATE INDEX ratings_by_staff ON ratings(staff_user_id, rated_on);
CREATE INDEX ratings_by_day ON ratings(rated_on);

CREATE TABLE rating_followups (
    id INTEGER PRIMARY KEY,
    rating_id INTEGER NOT NULL UNIQUE REFERENCES ratings(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    status TEXT NOT NULL CHECK (status IN ('verifying', 'rectifying', 'revisiting', 'closed', 'voided')),
    appeal TEXT CHECK (appeal IN ('pending', 'upheld', 'rejected')),
    due_date TEXT NOT NULL,
    -- When its warnings begin, like a case's; NULL once it is settled.
    yellow_on TEXT,
    red_on TEXT,
    finding TEXT NOT NULL DEFAULT '',
    measures TEXT NOT NULL DEFAULT '',
    revisit TEXT NOT NULL DEFAULT '',
    appeal_reason TEXT NOT NULL DEFAULT '',
    appeal_review TEXT NOT NULL DEFAULT '',
    closed_at TEXT,
    -- The day in Beijing time it was settled, beside its due date.
    closed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rating_followups_by_department ON rating_followups(department_id, status);
CREATE INDEX rating_followups_yellow ON rating_followups(yellow_on) WHERE yellow_on IS NOT NULL;
CREATE INDEX rating_followups_red ON rating_followups(red_on) WHERE red_on IS NOT NULL;

CREATE TABLE followup_events (
    id INTEGER PRIMARY KEY,
    followup_id INTEGER NOT NULL REFERENCES rating_followups(id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'verified', 'rectified', 'revisited', 'revisit_failed',
        'appealed', 'appeal_upheld', 'appeal_rejected')),
    actor_user_id INTEGER REFERENCES users(id),
    actor_name TEXT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX followup_events_by_followup ON followup_events(followup_id, id);

-- Figures by period count cases by the day they were accepted.
CREATE INDEX cases_by_accepted ON cases(accepted_at, department_id);

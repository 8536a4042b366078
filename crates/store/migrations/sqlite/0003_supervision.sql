-- Electronic supervision (电子监察): warning thresholds on the case
-- projection, a center's settings, violations found on case events,
-- the history of warnings, correction orders (纠错/督办) and the runs of the
-- background worker.

-- The dates a case's time warnings begin (computed by the case writer from
-- the calendar and the center's settings, NULL when its clock does not run),
-- and the current step's start and budget, so that thresholds can be rebuilt
-- from these columns without reading each case's state.
ALTER TABLE cases ADD COLUMN step_started_on TEXT;
ALTER TABLE cases ADD COLUMN step_budget_days INTEGER CHECK (step_budget_days >= 0);
ALTER TABLE cases ADD COLUMN yellow_on TEXT;
ALTER TABLE cases ADD COLUMN red_on TEXT;
ALTER TABLE cases ADD COLUMN step_over_on TEXT;
-- Partial: only cases whose clock runs are in them, so "every red case
-- today" reads the open cases, never the archive.
CREATE INDEX cases_yellow ON cases(yellow_on) WHERE yellow_on IS NOT NULL;
CREATE INDEX cases_red ON cases(red_on) WHERE red_on IS NOT NULL;
CREATE INDEX cases_step_over ON cases(step_over_on) WHERE step_over_on IS NOT NULL;
-- 两头受理: the same applicant and item accepted twice.
CREATE INDEX cases_by_applicant_item ON cases(applicant_id_number, item_id);

-- A center's thresholds; a center without a row uses the defaults (2, 800).
CREATE TABLE supervision_settings (
    center_id INTEGER PRIMARY KEY REFERENCES centers(id),
    yellow_working_days INTEGER NOT NULL CHECK (yellow_working_days BETWEEN 0 AND 30),
    yellow_permille INTEGER NOT NULL CHECK (yellow_permille BETWEEN 1 AND 1000),
    updated_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Irregular acts found when they happen (not by the clock).
CREATE TABLE violations (
    id INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    case_id INTEGER REFERENCES cases(id),
    certificate_id INTEGER REFERENCES certificates(id),
    rule TEXT NOT NULL CHECK (rule IN ('second_correction_notice', 'accepted_twice', 'certificate_without_case')),
    level TEXT NOT NULL CHECK (level IN ('yellow', 'red')),
    detail TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    -- The day in Beijing time, for lists by day beside the time warnings.
    occurred_on TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'corrected')),
    resolution TEXT NOT NULL DEFAULT '',
    resolved_by INTEGER REFERENCES users(id),
    resolved_at TEXT,
    created_at TEXT NOT NULL,
    CHECK (case_id IS NOT NULL OR certificate_id IS NOT NULL)
);
CREATE INDEX violations_open ON violations(occurred_on) WHERE status = 'open';
CREATE INDEX violations_by_case ON violations(case_id);

-- Every time warning a case has had, recorded by the worker when it
-- begins (the live state is the thresholds above): for history and scores.
CREATE TABLE warning_records (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    rule TEXT NOT NULL CHECK (rule IN ('near_deadline', 'overdue', 'immediate_not_same_day', 'step_over_budget')),
    level TEXT NOT NULL CHECK (level IN ('yellow', 'red')),
    since TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (case_id, rule, since)
);
CREATE INDEX warning_records_by_since ON warning_records(since, department_id);

-- Correction orders (纠错/督办) a supervisor sends a department.
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    case_id INTEGER REFERENCES cases(id),
    violation_id INTEGER REFERENCES violations(id),
    reason TEXT NOT NULL,
    reply_working_days INTEGER NOT NULL CHECK (reply_working_days BETWEEN 1 AND 30),
    reply_due TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'replied', 'returned', 'closed')),
    reply TEXT NOT NULL DEFAULT '',
    issued_by INTEGER NOT NULL REFERENCES users(id),
    issued_at TEXT NOT NULL,
    escalated_at TEXT,
    closed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX corrections_by_department ON corrections(department_id, status);
CREATE INDEX corrections_open_due ON corrections(reply_due) WHERE status IN ('issued', 'returned');

-- What happened to a correction order, in order.
CREATE TABLE correction_events (
    id INTEGER PRIMARY KEY,
    correction_id INTEGER NOT NULL REFERENCES corrections(id),
    kind TEXT NOT NULL CHECK (kind IN ('issued', 'replied', 'returned', 'closed', 'escalated')),
    actor_user_id INTEGER REFERENCES users(id),
    actor_name TEXT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX correction_events_by_correction ON correction_events(correction_id, id);

-- Certificates registered from outside govhall (a department's upload).
ALTER TABLE certificates ADD COLUMN source TEXT NOT NULL DEFAULT 'case'
    CHECK (source IN ('case', 'external'));
ALTER TABLE certificates ADD COLUMN registered_by INTEGER REFERENCES users(id);

-- The background worker's runs: when, for which day, what it found.
CREATE TABLE supervision_runs (
    id INTEGER PRIMARY KEY,
    ran_at TEXT NOT NULL,
    today TEXT NOT NULL,
    warnings_recorded INTEGER NOT NULL,
    corrections_escalated INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

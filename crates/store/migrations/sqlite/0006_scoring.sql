-- Performance scoring (绩效考核): schemes (the latest per kind is in force),
-- manual indicator entries per period, and the runs with each unit's score
-- and its explanation (the measured values behind every indicator).

CREATE TABLE scoring_schemes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('department', 'staff')),
    name TEXT NOT NULL,
    -- The domain's Scheme as JSON.
    body TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX scoring_schemes_by_kind ON scoring_schemes(kind, id);

CREATE TABLE scoring_manual (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('department', 'staff')),
    period_key TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    indicator_code TEXT NOT NULL,
    score REAL NOT NULL CHECK (score >= 0),
    reason TEXT NOT NULL,
    entered_by INTEGER NOT NULL REFERENCES users(id),
    entered_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (kind, period_key, unit_id, indicator_code)
);

CREATE TABLE scoring_runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('department', 'staff')),
    period_kind TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    period_key TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    -- The scheme as it was used.
    scheme TEXT NOT NULL,
    units INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    computed_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (kind, period_key)
);

CREATE TABLE scores (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scoring_runs(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL,
    unit_name TEXT NOT NULL,
    department_name TEXT NOT NULL,
    total REAL NOT NULL,
    rank INTEGER NOT NULL,
    -- 流动红旗窗口 (month, departments) or 先进个人 (quarter, staff).
    honoured INTEGER NOT NULL CHECK (honoured IN (0, 1)),
    warned INTEGER NOT NULL CHECK (warned IN (0, 1)),
    -- Who was told of the warning (the unit's leaders).
    notified TEXT NOT NULL DEFAULT '',
    -- The domain's UnitScore as JSON: every indicator with what was measured.
    detail TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (run_id, unit_id)
);
CREATE INDEX scores_by_unit ON scores(unit_id, run_id);

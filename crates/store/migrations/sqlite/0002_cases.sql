-- Cases (办件): the working calendar, case numbers, the case projection, the
-- hash-chained event trail, stored materials, electronic certificates and
-- idempotency keys.

-- Days that differ from the weekend rule (and named holidays), per center.
CREATE TABLE calendar_days (
    center_id INTEGER NOT NULL REFERENCES centers(id),
    day TEXT NOT NULL CHECK (length(day) = 10),
    kind TEXT NOT NULL CHECK (kind IN ('workday', 'holiday')),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (center_id, day)
);

-- The letters in front of a center's case numbers (XC-20261122-00001).
ALTER TABLE centers ADD COLUMN case_prefix TEXT NOT NULL DEFAULT 'GH'
    CHECK (length(case_prefix) BETWEEN 1 AND 8);

CREATE TABLE case_sequences (
    center_id INTEGER NOT NULL REFERENCES centers(id),
    day TEXT NOT NULL,
    last_value INTEGER NOT NULL CHECK (last_value >= 0),
    created_at TEXT NOT NULL,
    PRIMARY KEY (center_id, day)
);

-- One row per case: a projection of its events for lists and queries. The
-- `state` column is the fold of the events (a cache `audit verify` checks).
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    query_code TEXT NOT NULL,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    item_version_id INTEGER NOT NULL REFERENCES item_versions(id),
    item_name TEXT NOT NULL,
    case_kind TEXT NOT NULL CHECK (case_kind IN ('immediate', 'promised')),
    channel TEXT NOT NULL CHECK (channel IN ('window', 'online')),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'awaiting_correction', 'accepted', 'suspended', 'refused', 'concluded', 'delivered')),
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    applicant_user_id INTEGER REFERENCES users(id),
    submitted_at TEXT NOT NULL,
    accepted_at TEXT,
    due_date TEXT,
    concluded_at TEXT,
    paused_working_days INTEGER NOT NULL DEFAULT 0 CHECK (paused_working_days >= 0),
    current_step TEXT NOT NULL DEFAULT '',
    event_count INTEGER NOT NULL CHECK (event_count >= 1),
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_by_department ON cases(department_id, status, due_date);
CREATE INDEX cases_by_applicant ON cases(applicant_user_id);
CREATE INDEX cases_by_status ON cases(status, due_date);

-- The audit trail. `id` orders the single hash chain across all cases:
-- hash = sha256(prev_hash, case_no, seq, payload); payload is the event's
-- JSON text exactly as hashed (TEXT, not JSONB, so no normalisation).
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    kind TEXT NOT NULL CHECK (kind IN ('submitted', 'accepted', 'refused', 'correction_requested', 'resubmitted', 'promised_material_received', 'step_completed', 'suspended', 'resumed', 'extension_requested', 'extended', 'concluded', 'fee_notice_issued', 'fee_paid', 'delivered')),
    actor_user_id INTEGER REFERENCES users(id),
    actor_role TEXT CHECK (actor_role IN ('applicant', 'clerk', 'approver', 'chief_rep', 'admin', 'supervisor', 'leader')),
    at TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    created_at TEXT NOT NULL,
    UNIQUE (case_id, seq)
);

-- The head of the chain: one row, locked by every writer of events.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL CHECK (length(last_hash) = 64),
    created_at TEXT NOT NULL
);
INSERT INTO audit_head (id, last_event_id, last_hash, created_at)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', CURRENT_TIMESTAMP);

-- Uploaded files, content-addressed: the bytes live under the data
-- directory at files/ab/cdef…; this table records what was stored.
CREATE TABLE stored_files (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size INTEGER NOT NULL CHECK (size >= 0),
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Which case refers to which file, for access checks on download.
CREATE TABLE case_files (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    sha256 TEXT NOT NULL REFERENCES stored_files(sha256),
    material TEXT NOT NULL,
    filename TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (case_id, sha256, material)
);
CREATE INDEX case_files_by_file ON case_files(sha256);

-- Electronic certificates (电子证照) issued by concluded cases.
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    certificate_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_id_number TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    case_id INTEGER REFERENCES cases(id),
    issued_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX certificates_by_holder ON certificates(holder_id_number);

-- Replies to POSTs that carried an Idempotency-Key, replayed on a retry.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (principal, key)
);

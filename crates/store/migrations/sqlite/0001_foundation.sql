-- Foundation: centers, departments, accounts, sessions and the versioned catalogue.
-- Booleans are INTEGER 0/1 with CHECKs; timestamps are RFC 3339 text in UTC.

CREATE TABLE centers (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES centers(id),
    name TEXT NOT NULL UNIQUE,
    short_name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('city', 'county', 'township', 'village')),
    region_code TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    complaint_phone TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    credit_code TEXT NOT NULL UNIQUE CHECK (length(credit_code) = 18),
    phone TEXT NOT NULL,
    window_count INTEGER NOT NULL DEFAULT 0 CHECK (window_count >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (center_id, name),
    UNIQUE (center_id, short_name)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 2 AND 50),
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('applicant', 'clerk', 'approver', 'chief_rep', 'admin', 'supervisor', 'leader')),
    department_id INTEGER REFERENCES departments(id),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK (role NOT IN ('clerk', 'approver', 'chief_rep') OR department_id IS NOT NULL)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX items_by_department ON items(department_id);

CREATE TABLE item_versions (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    version_no INTEGER NOT NULL CHECK (version_no >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    basic_code TEXT NOT NULL CHECK (length(basic_code) <= 36),
    implementation_code TEXT NOT NULL CHECK (length(implementation_code) <= 36),
    item_type TEXT NOT NULL CHECK (item_type IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '20')),
    case_kind TEXT NOT NULL CHECK (case_kind IN ('immediate', 'promised')),
    legal_limit_value INTEGER CHECK (legal_limit_value >= 0),
    legal_limit_unit TEXT CHECK (legal_limit_unit IN ('working_days', 'natural_days')),
    promised_limit_value INTEGER CHECK (promised_limit_value >= 0),
    promised_limit_unit TEXT CHECK (promised_limit_unit IN ('working_days', 'natural_days')),
    limit_flagged INTEGER NOT NULL CHECK (limit_flagged IN (0, 1)),
    entry_state TEXT NOT NULL CHECK (entry_state IN ('entered', 'not_entered', 'exempt')),
    window_authorisation TEXT NOT NULL CHECK (window_authorisation IN ('accept_only', 'partial', 'full')),
    online INTEGER NOT NULL CHECK (online IN (0, 1)),
    content TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_by INTEGER REFERENCES users(id),
    published_at TEXT,
    UNIQUE (item_id, version_no),
    CHECK ((legal_limit_value IS NULL) = (legal_limit_unit IS NULL)),
    CHECK ((promised_limit_value IS NULL) = (promised_limit_unit IS NULL)),
    CHECK (status = 'draft' OR (published_at IS NOT NULL AND promised_limit_value IS NOT NULL))
);
-- An item has at most one draft and at most one published version at a time.
CREATE UNIQUE INDEX item_versions_one_draft ON item_versions(item_id) WHERE status = 'draft';
CREATE UNIQUE INDEX item_versions_one_published ON item_versions(item_id) WHERE status = 'published';

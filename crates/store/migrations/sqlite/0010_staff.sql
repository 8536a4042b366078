-- Staff (工作人员): the roster of the people a department posts to the hall
-- (seed 001 attachment 3, 进驻大厅人员花名报送表), each department's chief
-- representative (首席代表) and leader in charge (分管领导), replacement
-- requests approved by the center, the authorisation matrix (授权矩阵: which
-- staff member may take which step of which item at the window) and
-- attendance (考勤: one row per person and working day).

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    window_id INTEGER REFERENCES windows(id),
    -- The AB post (AB岗) at the window.
    post TEXT CHECK (post IN ('A', 'B')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
    sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    ethnicity TEXT NOT NULL DEFAULT '',
    -- GB 11643, checked by the application; shown in full to admins only.
    id_number TEXT NOT NULL CHECK (length(id_number) = 18),
    education TEXT NOT NULL DEFAULT '',
    political_status TEXT NOT NULL DEFAULT '',
    employment TEXT NOT NULL CHECK (employment IN ('formal', 'contract', 'public_post', 'volunteer')),
    phone TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    -- SHA-256 of the photo under the data directory's files/.
    photo_sha256 TEXT,
    joined_on TEXT NOT NULL,
    -- The contract or volunteer service ends.
    term_ends_on TEXT,
    -- Left the hall (replaced): no longer on the roster.
    left_on TEXT,
    -- The account this person signs in with.
    user_id INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (post IS NULL OR window_id IS NOT NULL),
    CHECK (term_ends_on IS NULL OR term_ends_on >= joined_on)
);
CREATE UNIQUE INDEX staff_by_id_number ON staff(id_number) WHERE left_on IS NULL;
CREATE UNIQUE INDEX staff_by_user ON staff(user_id) WHERE user_id IS NOT NULL AND left_on IS NULL;
-- A and B of one window are two different people.
CREATE UNIQUE INDEX staff_window_post ON staff(window_id, post) WHERE post IS NOT NULL AND left_on IS NULL;
CREATE INDEX staff_by_department ON staff(department_id);

CREATE TABLE department_representatives (
    department_id INTEGER PRIMARY KEY REFERENCES departments(id),
    chief_staff_id INTEGER REFERENCES staff(id),
    leader_name TEXT NOT NULL DEFAULT '',
    leader_post TEXT NOT NULL DEFAULT '',
    leader_phone TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE staff_replacements (
    id INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    leaving_staff_id INTEGER NOT NULL REFERENCES staff(id),
    incoming_staff_id INTEGER NOT NULL REFERENCES staff(id),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_by INTEGER REFERENCES users(id),
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK (leaving_staff_id <> incoming_staff_id),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX staff_replacements_by_status ON staff_replacements(status);

CREATE TABLE staff_authorisations (
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    step TEXT NOT NULL CHECK (step IN ('accept', 'refuse', 'notify', 'review', 'conclude', 'fee', 'deliver')),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (staff_id, item_id, step)
);
CREATE INDEX staff_authorisations_by_department ON staff_authorisations(department_id);

CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    day TEXT NOT NULL,
    signed_in_at TEXT,
    signed_out_at TEXT,
    -- Who recorded it when not the person themselves (an admin).
    recorded_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (staff_id, day),
    CHECK (signed_out_at IS NULL OR signed_in_at IS NULL OR signed_out_at >= signed_in_at)
);
CREATE INDEX attendance_by_day ON attendance(day);

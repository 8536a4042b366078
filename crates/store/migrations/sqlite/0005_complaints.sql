-- Complaints and requests (投诉 / 12345 诉求): intake, routing to a
-- department, a time limit in working days by category, the answer, the
-- complainant's satisfaction, and the history of each.

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    source TEXT NOT NULL CHECK (source IN ('hall', 'web', 'hotline')),
    category TEXT NOT NULL CHECK (category IN ('attitude', 'delay', 'irregular', 'fees', 'consultation', 'suggestion', 'other')),
    complainant_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    content TEXT NOT NULL,
    -- What it is about: a case and the staff member who served it.
    case_id INTEGER REFERENCES cases(id),
    staff_user_id INTEGER REFERENCES users(id),
    staff_name TEXT NOT NULL DEFAULT '',
    -- The 12345 work order number of an imported one.
    external_no TEXT,
    department_id INTEGER REFERENCES departments(id),
    status TEXT NOT NULL CHECK (status IN ('received', 'assigned', 'handling', 'replied', 'closed')),
    received_at TEXT NOT NULL,
    received_on TEXT NOT NULL,
    sla_working_days INTEGER NOT NULL CHECK (sla_working_days BETWEEN 1 AND 60),
    due_date TEXT NOT NULL,
    -- The due date while it waits for an answer, NULL otherwise: overdue
    -- lists read open complaints only.
    open_due TEXT,
    reply TEXT NOT NULL DEFAULT '',
    replied_on TEXT,
    satisfaction TEXT CHECK (satisfaction IN ('satisfied', 'basic', 'dissatisfied')),
    closed_at TEXT,
    registered_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX complaints_external_no ON complaints(external_no) WHERE external_no IS NOT NULL;
CREATE INDEX complaints_by_department ON complaints(department_id, status);
CREATE INDEX complaints_by_received ON complaints(received_on);
CREATE INDEX complaints_open_due ON complaints(open_due) WHERE open_due IS NOT NULL;
CREATE INDEX complaints_by_case ON complaints(case_id);

CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    kind TEXT NOT NULL CHECK (kind IN ('received', 'assigned', 'sent_back', 'accepted', 'replied', 'returned', 'closed', 'reopened')),
    actor_user_id INTEGER REFERENCES users(id),
    actor_name TEXT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX complaint_events_by_complaint ON complaint_events(complaint_id, id);

-- The queue (排队叫号) and appointments (预约).
--
-- Tickets are numbered per business category per Beijing day (A001…) from
-- `ticket_sequences`, bumped in the ticket's own transaction. A clerk signs on
-- to a window for the day (`window_sessions`); the window calls the next
-- ticket among the categories it serves. Appointments book a slot of a
-- category on a day; `appointment_slots` counts the active bookings of each
-- slot so capacity holds under concurrent bookings. `service_days` are the
-- extra service sessions a center opens (延时服务 evenings, "5+2" weekends).

CREATE TABLE ticket_sequences (
    category_id INTEGER NOT NULL REFERENCES business_categories(id),
    day TEXT NOT NULL,
    last INTEGER NOT NULL CHECK (last > 0),
    created_at TEXT NOT NULL,
    PRIMARY KEY (category_id, day)
);

CREATE TABLE window_sessions (
    id INTEGER PRIMARY KEY,
    window_id INTEGER NOT NULL REFERENCES windows(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    day TEXT NOT NULL,
    signed_on_at TEXT NOT NULL,
    signed_off_at TEXT,
    -- Priority tickets called in a row at this window (the no-starvation rule).
    priority_streak INTEGER NOT NULL DEFAULT 0 CHECK (priority_streak >= 0),
    created_at TEXT NOT NULL
);
-- One clerk at a window, one window per clerk, at a time.
CREATE UNIQUE INDEX window_sessions_open_window ON window_sessions(window_id) WHERE signed_off_at IS NULL;
CREATE UNIQUE INDEX window_sessions_open_user ON window_sessions(user_id) WHERE signed_off_at IS NULL;

CREATE TABLE appointment_settings (
    category_id INTEGER PRIMARY KEY REFERENCES business_categories(id),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    days_ahead INTEGER NOT NULL CHECK (days_ahead BETWEEN 1 AND 60),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE service_days (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('evening', 'weekend')),
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (center_id, day, kind),
    CHECK (opens < closes)
);

CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    category_id INTEGER NOT NULL REFERENCES business_categories(id),
    day TEXT NOT NULL,
    slot_start TEXT NOT NULL,
    slot_end TEXT NOT NULL,
    -- The booking code shown to the applicant and typed at the kiosk.
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    phone TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    state TEXT NOT NULL CHECK (state IN ('booked', 'cancelled', 'checked_in', 'no_show')),
    ticket_id INTEGER,
    created_at TEXT NOT NULL,
    cancelled_at TEXT,
    checked_in_at TEXT,
    CHECK (slot_start < slot_end)
);
-- One active booking per person (phone) per category per day.
CREATE UNIQUE INDEX appointments_one_active ON appointments(phone, category_id, day) WHERE state IN ('booked', 'checked_in');
CREATE INDEX appointments_by_day ON appointments(category_id, day, slot_start);
CREATE INDEX appointments_booked ON appointments(day) WHERE state = 'booked';
CREATE INDEX appointments_by_user ON appointments(user_id);

CREATE TABLE appointment_slots (
    category_id INTEGER NOT NULL REFERENCES business_categories(id),
    day TEXT NOT NULL,
    slot_start TEXT NOT NULL,
    booked INTEGER NOT NULL CHECK (booked >= 0),
    created_at TEXT NOT NULL,
    PRIMARY KEY (category_id, day, slot_start)
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    hall_id INTEGER REFERENCES halls(id),
    -- The category it was numbered in (A001 stays A001 when transferred)…
    category_id INTEGER NOT NULL REFERENCES business_categories(id),
    -- …and the one it waits in now.
    queue_category_id INTEGER NOT NULL REFERENCES business_categories(id),
    -- The Beijing day it was issued and its number in the category that day.
    day TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    number TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'called', 'serving', 'done', 'skipped')),
    priority TEXT NOT NULL CHECK (priority IN ('none', 'appointment', 'elderly', 'disabled')),
    source TEXT NOT NULL CHECK (source IN ('kiosk', 'phone', 'appointment', 'window')),
    appointment_id INTEGER REFERENCES appointments(id),
    -- Only this window may call it (after a transfer to a window).
    window_id INTEGER REFERENCES windows(id),
    -- Where it was called.
    called_window_id INTEGER REFERENCES windows(id),
    called_by INTEGER REFERENCES users(id),
    recall_count INTEGER NOT NULL DEFAULT 0 CHECK (recall_count >= 0),
    transfer_count INTEGER NOT NULL DEFAULT 0 CHECK (transfer_count >= 0),
    -- Its place in the queue: the issue time (a transfer keeps it).
    queue_at TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    called_at TEXT,
    serving_at TEXT,
    finished_at TEXT,
    case_no TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (category_id, day, seq)
);
CREATE INDEX tickets_waiting ON tickets(center_id, day, queue_at) WHERE state = 'waiting';
CREATE INDEX tickets_by_day ON tickets(center_id, day);
CREATE INDEX tickets_called ON tickets(called_window_id, day) WHERE state IN ('called', 'serving');

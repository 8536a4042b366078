-- Shared rooms of a center (共享功能室) and their bookings. A booking holds a
-- room for a span of one Beijing day in whole minutes; pending and approved
-- ones hold it. Booking locks the room row (bumping booking_seq) inside the
-- write transaction before it looks for overlaps, so two requests for the
-- same slot cannot both succeed.

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('meeting', 'archive', 'expert_review', 'bid_opening', 'bid_evaluation')),
    floor TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    -- A JSON array of strings.
    equipment TEXT NOT NULL DEFAULT '[]',
    needs_approval INTEGER NOT NULL CHECK (needs_approval IN (0, 1)),
    -- Opening spans, `09:00-12:00,13:30-17:00`.
    hours TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Bumped by every booking: the row lock that serialises bookings of a room.
    booking_seq INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (center_id, name)
);

CREATE TABLE room_bookings (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    day TEXT NOT NULL,
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    purpose TEXT NOT NULL,
    attendees INTEGER NOT NULL CHECK (attendees >= 1),
    organiser TEXT NOT NULL,
    booked_by INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (start_minute < end_minute)
);
-- The bookings that hold a room, by day: the overlap check and the calendar.
CREATE INDEX room_bookings_holding ON room_bookings(room_id, day, start_minute) WHERE status IN ('pending', 'approved');
CREATE INDEX room_bookings_by_day ON room_bookings(day, room_id);
CREATE INDEX room_bookings_pending ON room_bookings(day) WHERE status = 'pending';

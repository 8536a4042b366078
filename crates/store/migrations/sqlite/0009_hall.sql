-- The hall (大厅): halls of a center (the main hall, branch halls, the online
-- hall), their floors and functional zones, the business categories (业务类别)
-- windows serve and queue tickets are numbered by, and the windows (窗口)
-- with their kind, departments, categories and items. Zones and windows carry
-- their place on the floor map in map units (decimetres from the floor's
-- top-left corner).

CREATE TABLE halls (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    kind TEXT NOT NULL CHECK (kind IN ('main', 'branch', 'online')),
    address TEXT NOT NULL DEFAULT '',
    -- Opening hours as 'HH:MM'; the afternoon may be absent (NULLs together).
    am_open TEXT NOT NULL DEFAULT '09:00',
    am_close TEXT NOT NULL DEFAULT '12:00',
    pm_open TEXT DEFAULT '13:30',
    pm_close TEXT DEFAULT '17:00',
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (center_id, name),
    CHECK (am_open < am_close),
    CHECK ((pm_open IS NULL) = (pm_close IS NULL)),
    CHECK (pm_open IS NULL OR (am_close <= pm_open AND pm_open < pm_close))
);
-- One main hall per center.
CREATE UNIQUE INDEX halls_one_main ON halls(center_id) WHERE kind = 'main';

CREATE TABLE floors (
    id INTEGER PRIMARY KEY,
    hall_id INTEGER NOT NULL REFERENCES halls(id),
    level INTEGER NOT NULL CHECK (level BETWEEN -5 AND 99),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
    width INTEGER NOT NULL DEFAULT 600 CHECK (width > 0),
    height INTEGER NOT NULL DEFAULT 300 CHECK (height > 0),
    created_at TEXT NOT NULL,
    UNIQUE (hall_id, level)
);

CREATE TABLE zones (
    id INTEGER PRIMARY KEY,
    floor_id INTEGER NOT NULL REFERENCES floors(id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    purpose TEXT NOT NULL CHECK (purpose IN ('windows', 'waiting', 'self_service', 'office', 'room', 'other')),
    x INTEGER NOT NULL DEFAULT 0 CHECK (x >= 0),
    y INTEGER NOT NULL DEFAULT 0 CHECK (y >= 0),
    width INTEGER NOT NULL DEFAULT 100 CHECK (width > 0),
    height INTEGER NOT NULL DEFAULT 60 CHECK (height > 0),
    created_at TEXT NOT NULL,
    UNIQUE (floor_id, name)
);

CREATE TABLE business_categories (
    id INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers(id),
    -- The letter queue numbers start with (A001).
    code TEXT NOT NULL CHECK (code GLOB '[A-Z]'),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    UNIQUE (center_id, code),
    UNIQUE (center_id, name)
);

CREATE TABLE windows (
    id INTEGER PRIMARY KEY,
    hall_id INTEGER NOT NULL REFERENCES halls(id),
    zone_id INTEGER REFERENCES zones(id),
    -- As painted above the counter: '01', '12', 'B3'.
    number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 10),
    kind TEXT NOT NULL CHECK (kind IN ('resident', 'agency', 'convenience', 'extension')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    -- The department that staffs it (none for a comprehensive agency window).
    department_id INTEGER REFERENCES departments(id),
    -- An extension window (延伸窗口) stands in for this branch hall.
    branch_hall_id INTEGER REFERENCES halls(id),
    x INTEGER NOT NULL DEFAULT 0 CHECK (x >= 0),
    y INTEGER NOT NULL DEFAULT 0 CHECK (y >= 0),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (hall_id, number),
    CHECK ((kind = 'extension') = (branch_hall_id IS NOT NULL)),
    CHECK (kind <> 'resident' OR department_id IS NOT NULL)
);
CREATE INDEX windows_by_department ON windows(department_id);
CREATE INDEX windows_by_zone ON windows(zone_id);

-- The departments whose business a window takes (the staffing one included).
CREATE TABLE window_departments (
    window_id INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (window_id, department_id)
);

CREATE TABLE window_categories (
    window_id INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES business_categories(id),
    PRIMARY KEY (window_id, category_id)
);
CREATE INDEX window_categories_by_category ON window_categories(category_id);

CREATE TABLE window_items (
    window_id INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (window_id, item_id)
);
CREATE INDEX window_items_by_item ON window_items(item_id);

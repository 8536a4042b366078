-- A hall can be closed (a branch hall merged back, the online hall retired)
-- without losing its floors and windows: it is deactivated, not deleted.
ALTER TABLE halls ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));

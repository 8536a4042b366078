-- How many running cases' warnings begin on each day, per department and kind
-- ('yellow': yellow_on, 'red': red_on, 'step': step_over_on, and 'both': the
-- later of yellow_on and red_on, from which a yellow case is red instead). The
-- number of warnings on a day is then a sum over a few hundred rows instead of
-- a count over every current warning:
--   red    = SUM(red     on_date <= today)
--   yellow = SUM(yellow  on_date <= today) - SUM(both on_date <= today)
--   step   = SUM(step    on_date <= today)
-- Triggers keep it in step with the thresholds on `cases`, whoever writes
-- them (the case writer, the rebuild), in the writer's transaction.
CREATE TABLE warning_tallies (
    department_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('yellow', 'red', 'step', 'both')),
    on_date TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (department_id, kind, on_date)
) WITHOUT ROWID;

INSERT INTO warning_tallies (department_id, kind, on_date, n)
SELECT department_id, kind, on_date, COUNT(*) FROM (
    SELECT department_id, 'yellow' AS kind, yellow_on AS on_date FROM cases WHERE yellow_on IS NOT NULL
    UNION ALL SELECT department_id, 'red', red_on FROM cases WHERE red_on IS NOT NULL
    UNION ALL SELECT department_id, 'step', step_over_on FROM cases WHERE step_over_on IS NOT NULL
    UNION ALL SELECT department_id, 'both', max(yellow_on, red_on) FROM cases
        WHERE yellow_on IS NOT NULL AND red_on IS NOT NULL
) t GROUP BY department_id, kind, on_date;

CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases
WHEN NEW.yellow_on IS NOT NULL OR NEW.red_on IS NOT NULL OR NEW.step_over_on IS NOT NULL
BEGIN
    INSERT INTO warning_tallies (department_id, kind, on_date, n)
    SELECT NEW.department_id, kind, on_date, 1 FROM (
        SELECT 'yellow' AS kind, NEW.yellow_on AS on_date
        UNION ALL SELECT 'red', NEW.red_on
        UNION ALL SELECT 'step', NEW.step_over_on
        UNION ALL SELECT 'both', CASE WHEN NEW.yellow_on IS NOT NULL AND NEW.red_on IS NOT NULL
                                     THEN max(NEW.yellow_on, NEW.red_on) END
    ) WHERE on_date IS NOT NULL
    ON CONFLICT (department_id, kind, on_date) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_tally_update AFTER UPDATE OF yellow_on, red_on, step_over_on, department_id ON cases
WHEN OLD.yellow_on IS NOT NEW.yellow_on OR OLD.red_on IS NOT NEW.red_on
  OR OLD.step_over_on IS NOT NEW.step_over_on OR OLD.department_id IS NOT NEW.department_id
BEGIN
    INSERT INTO warning_tallies (department_id, kind, on_date, n)
    SELECT department_id, kind, on_date, SUM(delta) FROM (
        SELECT OLD.department_id AS department_id, 'yellow' AS kind, OLD.yellow_on AS on_date, -1 AS delta
        UNION ALL SELECT OLD.department_id, 'red', OLD.red_on, -1
        UNION ALL SELECT OLD.department_id, 'step', OLD.step_over_on, -1
        UNION ALL SELECT OLD.department_id, 'both', CASE WHEN OLD.yellow_on IS NOT NULL AND OLD.red_on IS NOT NULL
                                                        THEN max(OLD.yellow_on, OLD.red_on) END, -1
        UNION ALL SELECT NEW.department_id, 'yellow', NEW.yellow_on, 1
        UNION ALL SELECT NEW.department_id, 'red', NEW.red_on, 1
        UNION ALL SELECT NEW.department_id, 'step', NEW.step_over_on, 1
        UNION ALL SELECT NEW.department_id, 'both', CASE WHEN NEW.yellow_on IS NOT NULL AND NEW.red_on IS NOT NULL
                                                        THEN max(NEW.yellow_on, NEW.red_on) END, 1
    ) WHERE on_date IS NOT NULL
    GROUP BY department_id, kind, on_date HAVING SUM(delta) <> 0
    ON CONFLICT (department_id, kind, on_date) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases
WHEN OLD.yellow_on IS NOT NULL OR OLD.red_on IS NOT NULL OR OLD.step_over_on IS NOT NULL
BEGIN
    INSERT INTO warning_tallies (department_id, kind, on_date, n)
    SELECT OLD.department_id, kind, on_date, -1 FROM (
        SELECT 'yellow' AS kind, OLD.yellow_on AS on_date
        UNION ALL SELECT 'red', OLD.red_on
        UNION ALL SELECT 'step', OLD.step_over_on
        UNION ALL SELECT 'both', CASE WHEN OLD.yellow_on IS NOT NULL AND OLD.red_on IS NOT NULL
                                     THEN max(OLD.yellow_on, OLD.red_on) END
    ) WHERE on_date IS NOT NULL
    ON CONFLICT (department_id, kind, on_date) DO UPDATE SET n = n - 1;
END;

-- The big screen's ratings: each day's count per department from the index
-- alone, and the few voided ones subtracted.
CREATE INDEX ratings_day_figures ON ratings(rated_on, department_id, level);
CREATE INDEX ratings_voided ON ratings(rated_on) WHERE voided_at IS NOT NULL;

-- How many running cases' warnings begin on each day, per department and kind
-- ('yellow': yellow_on, 'red': red_on, 'step': step_over_on, and 'both': the
-- later of yellow_on and red_on, from which a yellow case is red instead). The
-- number of warnings on a day is then a sum over a few hundred rows instead of
-- a count over every current warning:
--   red    = SUM(red     on_date <= today)
--   yellow = SUM(yellow  on_date <= today) - SUM(both on_date <= today)
--   step   = SUM(step    on_date <= today)
-- A trigger keeps it in step with the thresholds on `cases`, whoever writes
-- them (the case writer, the rebuild), in the writer's transaction.
CREATE TABLE warning_tallies (
    department_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('yellow', 'red', 'step', 'both')),
    on_date DATE NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (department_id, kind, on_date)
);

INSERT INTO warning_tallies (department_id, kind, on_date, n)
SELECT department_id, kind, on_date, COUNT(*) FROM (
    SELECT department_id, 'yellow' AS kind, yellow_on AS on_date FROM cases WHERE yellow_on IS NOT NULL
    UNION ALL SELECT department_id, 'red', red_on FROM cases WHERE red_on IS NOT NULL
    UNION ALL SELECT department_id, 'step', step_over_on FROM cases WHERE step_over_on IS NOT NULL
    UNION ALL SELECT department_id, 'both', GREATEST(yellow_on, red_on) FROM cases
        WHERE yellow_on IS NOT NULL AND red_on IS NOT NULL
) t GROUP BY department_id, kind, on_date;

CREATE FUNCTION cases_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.yellow_on IS NOT DISTINCT FROM NEW.yellow_on
       AND OLD.red_on IS NOT DISTINCT FROM NEW.red_on
       AND OLD.step_over_on IS NOT DISTINCT FROM NEW.step_over_on
       AND OLD.department_id = NEW.department_id THEN
        RETURN NULL;
    END IF;
    INSERT INTO warning_tallies AS w (department_id, kind, on_date, n)
    SELECT department_id, kind, on_date, SUM(delta) FROM (
        SELECT OLD.department_id AS department_id, 'yellow' AS kind, OLD.yellow_on AS on_date, -1 AS delta
            WHERE TG_OP <> 'INSERT'
        UNION ALL SELECT OLD.department_id, 'red', OLD.red_on, -1 WHERE TG_OP <> 'INSERT'
        UNION ALL SELECT OLD.department_id, 'step', OLD.step_over_on, -1 WHERE TG_OP <> 'INSERT'
        UNION ALL SELECT OLD.department_id, 'both', GREATEST(OLD.yellow_on, OLD.red_on), -1
            WHERE TG_OP <> 'INSERT' AND OLD.yellow_on IS NOT NULL AND OLD.red_on IS NOT NULL
        UNION ALL SELECT NEW.department_id, 'yellow', NEW.yellow_on, 1 WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT NEW.department_id, 'red', NEW.red_on, 1 WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT NEW.department_id, 'step', NEW.step_over_on, 1 WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT NEW.department_id, 'both', GREATEST(NEW.yellow_on, NEW.red_on), 1
            WHERE TG_OP <> 'DELETE' AND NEW.yellow_on IS NOT NULL AND NEW.red_on IS NOT NULL
    ) t WHERE on_date IS NOT NULL
    GROUP BY department_id, kind, on_date HAVING SUM(delta) <> 0
    ON CONFLICT (department_id, kind, on_date) DO UPDATE SET n = w.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases FOR EACH ROW
    WHEN (NEW.yellow_on IS NOT NULL OR NEW.red_on IS NOT NULL OR NEW.step_over_on IS NOT NULL)
    EXECUTE FUNCTION cases_tally();
CREATE TRIGGER cases_tally_update AFTER UPDATE OF yellow_on, red_on, step_over_on, department_id ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_tally();
CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases FOR EACH ROW
    WHEN (OLD.yellow_on IS NOT NULL OR OLD.red_on IS NOT NULL OR OLD.step_over_on IS NOT NULL)
    EXECUTE FUNCTION cases_tally();

-- The big screen's ratings: each day's count per department from the index
-- alone, and the few voided ones subtracted.
CREATE INDEX ratings_day_figures ON ratings(rated_on, department_id, level);
CREATE INDEX ratings_voided ON ratings(rated_on) WHERE voided_at IS NOT NULL;

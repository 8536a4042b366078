-- How many running cases' warnings begin on each day, per department and kind
-- ('yellow': yellow_on, 'red': red_on, 'step': step_over_on, and 'both': the
-- later of yellow_on and red_on, from which a yellow case is red instead). The
-- number of warnings on a day is then a sum over a few hundred rows instead of
-- a count over every current warning:
--   red    = SUM(red     on_date <= today)
--   yellow = SUM(yellow  on_date <= today) - SUM(both on_date <= today)
--   step   = SUM(step    on_date <= today)
-- The store keeps it in step with the thresholds on `cases`: whoever writes
-- them (the case writer per batch, the rebuild per chunk) upserts the changes
-- in the same transaction (store/src/tallies.rs).
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

-- The big screen's ratings: each day's count per department from the index
-- alone, and the few voided ones subtracted.
CREATE INDEX ratings_day_figures ON ratings(rated_on, department_id, level);
CREATE INDEX ratings_voided ON ratings(rated_on) WHERE voided_at IS NOT NULL;

-- The watch of every running case (status 'accepted': its clock runs) in a
-- narrow table of its own, apart from the archive of cases: what the time
-- rules are computed from (kind, acceptance, due date, paused days, the
-- current step and its budget) and the days their warnings begin. The case
-- writer keeps a row per running case in the same transaction as the case
-- (deleted when the clock stops); the rebuild reads and rewrites only this
-- table, and the warning list reads it through its indexes, so neither
-- depends on how many concluded cases the archive holds.
CREATE TABLE case_watches (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    center_id BIGINT NOT NULL REFERENCES centers(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    case_kind TEXT NOT NULL CHECK (case_kind IN ('immediate', 'promised')),
    accepted_on DATE,
    due_date DATE,
    paused_working_days BIGINT NOT NULL DEFAULT 0 CHECK (paused_working_days >= 0),
    step_started_on DATE,
    step_budget_days BIGINT CHECK (step_budget_days >= 0),
    yellow_on DATE,
    red_on DATE,
    step_over_on DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

INSERT INTO case_watches (case_id, center_id, department_id, case_kind, accepted_on, due_date,
    paused_working_days, step_started_on, step_budget_days, yellow_on, red_on, step_over_on,
    created_at, updated_at)
SELECT id, center_id, department_id, case_kind, ((accepted_at AT TIME ZONE 'UTC') + interval '8 hours')::date, due_date,
    paused_working_days, step_started_on, step_budget_days, yellow_on, red_on, step_over_on,
    updated_at, updated_at
FROM cases WHERE status = 'accepted';

-- The rebuild walks one center's watches in case order.
CREATE INDEX case_watches_center ON case_watches(center_id, case_id);
-- The warning list: red ones by the day they began, yellow ones by the day
-- they turn red (the most urgent first), step-over ones by the day they
-- began; each over all departments or one.
CREATE INDEX case_watches_red ON case_watches(red_on, case_id);
CREATE INDEX case_watches_red_department ON case_watches(department_id, red_on, case_id);
CREATE INDEX case_watches_step ON case_watches(step_over_on, case_id) WHERE step_over_on IS NOT NULL;
CREATE INDEX case_watches_step_department ON case_watches(department_id, step_over_on, case_id)
    WHERE step_over_on IS NOT NULL;
-- No index on yellow_on: the list reads yellows through red_on (a planner
-- offered one would sort every yellow instead), and the worker's pass over
-- the running cases' watches is a scan of this narrow table.

DROP INDEX cases_red;
DROP INDEX cases_yellow;
DROP INDEX cases_step_over;
DROP INDEX cases_running_ids;
ALTER TABLE cases DROP COLUMN yellow_on;
ALTER TABLE cases DROP COLUMN red_on;
ALTER TABLE cases DROP COLUMN step_over_on;
ALTER TABLE cases DROP COLUMN step_started_on;
ALTER TABLE cases DROP COLUMN step_budget_days;

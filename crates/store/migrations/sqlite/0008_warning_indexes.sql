-- The warning list reads each rule through its partial index in the order the
-- warnings began, and counts per department; carrying the department (and,
-- for yellow, the red day) in the index answers both without reading the
-- table.
DROP INDEX cases_red;
DROP INDEX cases_yellow;
DROP INDEX cases_step_over;
CREATE INDEX cases_red ON cases(red_on, department_id) WHERE red_on IS NOT NULL;
CREATE INDEX cases_yellow ON cases(yellow_on, red_on, department_id) WHERE yellow_on IS NOT NULL;
CREATE INDEX cases_step_over ON cases(step_over_on, department_id) WHERE step_over_on IS NOT NULL;
-- Cases in progress on the big screen: a count over the running cases only.
CREATE INDEX cases_in_progress ON cases(center_id, department_id, accepted_at)
    WHERE status IN ('accepted', 'suspended', 'awaiting_correction');
-- The warning rebuild walks the running cases in id order, never the archive.
CREATE INDEX cases_running_ids ON cases(center_id, id) WHERE status = 'accepted';

-- Dashboards and reports (统计报表、领导大屏): cases are counted by the day
-- they were accepted (`cases_by_accepted`, 0004) and by the day they were
-- concluded. Only concluded cases have a conclusion time, so the index holds
-- those alone.
CREATE INDEX cases_by_concluded ON cases(concluded_at, department_id) WHERE concluded_at IS NOT NULL;

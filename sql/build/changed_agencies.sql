-- The agencies this build recomputed: every agency with a report that is new, changed or removed
-- since the published warehouse was built (both versions of a changed report count, so an agency
-- a report left is recomputed too), or every agency when the warehouse was built from scratch.
-- A published (old) row keeps the agency_id the published warehouse gave it: an agency known only
-- from titles is no longer in agency_aliases once its last report is gone or names another agency.
-- NULL stands for reports whose title names no agency. facts, narrative_figures and the tables
-- declared `refresh = "per agency"` (sql/schema.toml) replace these agencies' rows and keep everyone else's.
CREATE OR REPLACE TABLE changed_agencies AS
SELECT DISTINCT CASE WHEN c.published THEN c.agency_id ELSE a.agency_id END AS agency_id
FROM read_parquet($changed_reports) AS c
LEFT JOIN (
    -- a changed report's title as it was resolves as every title does (pipeline/warehouse/agencies.py)
    SELECT spelling, division_hint, substr(md5(key), 1, 12) AS agency_id
    FROM read_parquet($agency_spellings)
    WHERE role = 'changed'
) AS a ON a.spelling = c.agency AND a.division_hint IS NOT DISTINCT FROM c.division_hint AND NOT c.published
ORDER BY agency_id;

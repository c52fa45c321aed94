-- The agencies this build recomputed: every agency with a report that is new, changed or removed
-- since the published warehouse was built (both versions of a changed report count, so an agency
-- a report left is recomputed too), or every agency when the warehouse was built from scratch.
-- NULL stands for reports whose title names no agency. facts, narrative_figures and the tables
-- marked `-- refresh: per agency` replace these agencies' rows and keep everyone else's.
CREATE OR REPLACE TABLE changed_agencies AS
SELECT DISTINCT a.agency_id
FROM read_parquet($changed_reports) AS c
LEFT JOIN (
    -- a changed report's title as it was resolves as every title does (pipeline/warehouse/agencies.py)
    SELECT spelling, division_hint, substr(md5(key), 1, 12) AS agency_id
    FROM read_parquet($agency_spellings)
    WHERE role = 'changed'
) AS a ON a.spelling = c.agency AND a.division_hint IS NOT DISTINCT FROM c.division_hint
ORDER BY a.agency_id;

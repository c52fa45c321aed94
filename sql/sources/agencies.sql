-- Every agency the warehouse knows: the registry (pipeline/reference/agencies.csv, with the
-- spellings in agency_aliases.csv), every agency a report title names, and the government each
-- department belongs to. pipeline/warehouse/agencies.py decides which agency each spelling names
-- (the registry first, then the division and body the title names, else the title itself) and
-- where it sits among China's administrative divisions (pipeline/warehouse/divisions.py).
--
-- agency_id is derived here and only here, the same way for all: the first 12 hex digits of md5
-- of the normalized canonical name (full-width brackets folded to ASCII, white space removed, as
-- titles are). So an agency keeps its id when a user adds its name to agencies.csv as a canonical
-- name, and a title takes the canonical agency's id once it is added as an alias.
CREATE OR REPLACE TABLE agencies AS
WITH spellings AS (
    SELECT key, list(DISTINCT spelling ORDER BY spelling) AS spellings
    FROM read_parquet($agency_spellings)
    WHERE role IN ('registry', 'title')
    GROUP BY key
)

SELECT
    substr(md5(a.key), 1, 12) AS agency_id,
    a.key AS name,
    a.level,
    a.region,
    substr(md5(a.parent_key), 1, 12) AS parent_id,
    a.in_registry,
    coalesce(s.spellings, CAST([] AS VARCHAR[])) AS spellings,
    a.division_code,
    a.province,
    a.city,
    a.county,
    a.division_level,
    a.kind,
    a.candidates,
    a.probable_name
FROM read_parquet($agency_records) AS a
LEFT JOIN spellings AS s USING (key)
ORDER BY a.in_registry DESC, a.region ASC, a.level ASC, a.key ASC;

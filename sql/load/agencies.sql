-- Every agency the warehouse knows: the registry (pipeline/reference/agencies.csv, with the
-- spellings in agency_aliases.csv) and every report title the registry does not know, which
-- becomes an agency of its own (in_registry = false; listed by the view unknown_agencies).
--
-- agency_id is derived here and only here, the same way for both: the first 12 hex digits of
-- md5 of the normalized canonical name. Normalized = full-width brackets folded to ASCII and all
-- white space removed, as titles are. So an unknown title keeps its id when a user adds it to
-- agencies.csv as a canonical name, and takes the canonical id once it is added as an alias.
CREATE OR REPLACE TABLE agencies AS
WITH
registry AS (
    SELECT name, nullif(trim(level), '') AS level, nullif(trim(region), '') AS region, nullif(trim(parent), '') AS parent
    FROM read_csv($reference_dir || '/agencies.csv', header = true, all_varchar = true)
    WHERE nullif(trim(name), '') IS NOT NULL
),
aliases AS (
    SELECT alias, name
    FROM read_csv($reference_dir || '/agency_aliases.csv', header = true, all_varchar = true)
    WHERE nullif(trim(alias), '') IS NOT NULL AND nullif(trim(name), '') IS NOT NULL
),
titles AS (
    SELECT DISTINCT agency AS title FROM read_parquet($reports) WHERE nullif(trim(agency), '') IS NOT NULL
),
-- every spelling in any role, normalized once
written AS (
    SELECT name AS spelling FROM registry
    UNION SELECT parent FROM registry WHERE parent IS NOT NULL
    UNION SELECT alias FROM aliases
    UNION SELECT name FROM aliases
    UNION SELECT title FROM titles
),
normal AS (
    SELECT spelling, regexp_replace(translate(spelling, '（）', '()'), '[\s\x{3000}\x{00a0}\x{200b}\x{feff}]+', '', 'g') AS skey
    FROM written
),
canonical AS (
    SELECT DISTINCT n.skey FROM registry AS r JOIN normal AS n ON n.spelling = r.name
),
-- normalized spelling → normalized canonical name: a registry name is itself; an alias is its
-- registry name (aliases of names missing from agencies.csv are ignored); anything else, itself
resolved AS (
    SELECT n.skey, coalesce(c.skey, min(t.skey), n.skey) AS canonical_key, (c.skey IS NOT NULL OR min(t.skey) IS NOT NULL) AS in_registry
    FROM (SELECT DISTINCT skey FROM normal) AS n
    LEFT JOIN canonical AS c ON c.skey = n.skey
    LEFT JOIN (
        SELECT na.skey AS alias_key, nt.skey
        FROM aliases AS a
        JOIN normal AS na ON na.spelling = a.alias
        JOIN normal AS nt ON nt.spelling = a.name
        SEMI JOIN canonical AS c2 ON c2.skey = nt.skey
    ) AS t ON t.alias_key = n.skey
    GROUP BY n.skey, c.skey
),
ids AS (
    SELECT skey, canonical_key, in_registry, substr(md5(canonical_key), 1, 12) AS agency_id FROM resolved
),
-- the spellings that name each agency: canonical name, aliases, report titles
spellings AS (
    SELECT i.agency_id, list(DISTINCT n.spelling ORDER BY n.spelling) AS spellings
    FROM normal AS n JOIN ids AS i USING (skey)
    WHERE n.spelling IN (SELECT name FROM registry UNION SELECT alias FROM aliases UNION SELECT title FROM titles)
    GROUP BY i.agency_id
),
registered AS (
    SELECT DISTINCT ON (i.agency_id)
        i.agency_id, i.canonical_key AS name, r.level, r.region, p.agency_id AS parent_id, true AS in_registry
    FROM registry AS r
    JOIN normal AS n ON n.spelling = r.name
    JOIN ids AS i ON i.skey = n.skey
    LEFT JOIN normal AS pn ON pn.spelling = r.parent
    LEFT JOIN ids AS p ON p.skey = pn.skey
    ORDER BY i.agency_id
),
unknown AS (
    SELECT DISTINCT i.agency_id, i.canonical_key AS name, NULL AS level, NULL AS region, NULL AS parent_id, false AS in_registry
    FROM titles AS t
    JOIN normal AS n ON n.spelling = t.title
    JOIN ids AS i ON i.skey = n.skey
    WHERE NOT i.in_registry
)
SELECT a.agency_id, a.name, a.level, a.region, a.parent_id, a.in_registry, s.spellings
FROM (SELECT * FROM registered UNION ALL SELECT * FROM unknown) AS a
JOIN spellings AS s USING (agency_id)
ORDER BY a.in_registry DESC, a.region, a.level, a.name;

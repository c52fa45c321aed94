-- `xxgk trace`: the agency-years that --agency (any spelling of the agency) and --year, or
-- --report-id, name; each with its mart_agency_year row (NULL when the mart has none) and its files
-- with their status, which say why it has none.
WITH named AS (
    SELECT agency_id, CAST($year AS INTEGER) AS year FROM agency_aliases
    WHERE alias = $agency
    UNION
    SELECT agency_id, year FROM reports
    WHERE report_id = $report_id AND agency_id IS NOT NULL AND year IS NOT NULL
)

SELECT
    n.agency_id,
    a.name AS agency,
    n.year,
    -- m alone is the mart row as a struct, which the linter takes for an unqualified column
    CASE WHEN m.agency_id IS NOT NULL THEN m END AS mart_row,  -- noqa: RF02
    (
        SELECT list(r.source_file || ' (' || r.status || ')' ORDER BY r.source_file)
        FROM reports AS r
        WHERE r.agency_id = n.agency_id AND r.year = n.year
    ) AS files
FROM named AS n
JOIN agencies AS a USING (agency_id)
LEFT JOIN mart_agency_year AS m ON m.agency_id = n.agency_id AND m.year = n.year
ORDER BY a.name

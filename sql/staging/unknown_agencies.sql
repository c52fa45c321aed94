-- Report titles the agency registry does not know, each an agency of its own until a user adds the
-- spelling to pipeline/reference/agency_aliases.csv (alias,name) or the name to agencies.csv.
SELECT
    a.agency_id,
    a.name,
    list(DISTINCT r.agency ORDER BY r.agency) AS spellings,
    count(r.report_id) AS reports,
    list(r.source_file ORDER BY r.source_file) AS source_files,
    list(DISTINCT r.year ORDER BY r.year) AS years
FROM agencies AS a
JOIN reports AS r ON r.agency_id = a.agency_id
WHERE NOT a.in_registry
GROUP BY a.agency_id, a.name
ORDER BY a.name

-- The site's agencies: every agency of the warehouse, with its division, kind, parent and what
-- it reported (files, years), one page each.
SELECT
    a.agency_id, a.name, a.level, a.kind, a.region, a.parent_id, a.in_registry,
    a.province, a.city, a.county, a.division_level, a.division_code,
    count(r.report_id) AS files,
    list(DISTINCT r.year ORDER BY r.year) FILTER (r.year IS NOT NULL) AS years
FROM agencies AS a
LEFT JOIN reports AS r ON r.agency_id = a.agency_id
GROUP BY ALL
ORDER BY a.name, a.agency_id

-- Agencies by kind and province: how many the warehouse knows and how many have a complete report.
SELECT
    coalesce(a.kind, 'unresolved') AS kind,
    coalesce(a.province, a.region, '') AS province,
    count(*) AS agencies,
    count(*) FILTER (a.agency_id IN (SELECT m.agency_id FROM mart_agency_year AS m)) AS reporting
FROM agencies AS a
GROUP BY ALL
ORDER BY kind, province

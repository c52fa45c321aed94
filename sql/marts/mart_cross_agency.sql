-- One row per year, kind, division level, metric and agency: the agency's value of a
-- mart_agency_year metric, its rank among agencies of the same kind (government, department,
-- township_body) and division level (province, city, county, township) that year (1 = largest;
-- ties share a rank), how many such agencies reported the metric, and its percentile (cume_dist:
-- the share of those agencies whose value is at or below this one; 1 = the largest).
-- A government is never ranked with a department, nor a county with a city; agencies whose kind
-- is unknown (unknown_agencies) are ranked among themselves, as kind 'unresolved'. level is the
-- registry's ('unregistered' when not in it). Metrics with no value (a rate when nothing was
-- handled) are left out.
-- Every metric shares the DECIMAL value column (int_agency_metrics); unit says what it counts
-- (count, 10k_yuan, rate).
SELECT
    l.year,
    coalesce(a.level, 'unregistered') AS level,
    coalesce(a.kind, 'unresolved') AS kind,
    a.division_level,
    l.metric,
    metric_unit(l.metric) AS unit,
    l.agency_id,
    a.name AS agency,
    l.value,
    rank() OVER peers_desc AS rank,
    count(*) OVER peers AS agencies,
    cume_dist() OVER peers_asc AS percentile
FROM int_agency_metrics AS l
JOIN agencies AS a ON a.agency_id = l.agency_id
WHERE l.value IS NOT NULL
WINDOW
    peers AS (PARTITION BY l.year, coalesce(a.kind, 'unresolved'), a.division_level, l.metric),
    peers_desc AS (PARTITION BY l.year, coalesce(a.kind, 'unresolved'), a.division_level, l.metric ORDER BY l.value DESC),
    peers_asc AS (PARTITION BY l.year, coalesce(a.kind, 'unresolved'), a.division_level, l.metric ORDER BY l.value ASC)
ORDER BY l.year, kind, a.division_level, l.metric, rank, agency

-- Every rank of mart_cross_agency on the ranking pages this build renders ($pages: `metric-year`),
-- by metric and year, then by kind and division level, best first.
SELECT metric, year, kind, division_level, agency_id, agency, value, rank, percentile
FROM mart_cross_agency
WHERE list_contains($pages::VARCHAR[], metric || '-' || year)
ORDER BY metric, year, kind, division_level NULLS LAST, rank, agency

-- Every rank of mart_cross_agency, for the rankings pages: by metric and year, then by kind and
-- division level, best first.
SELECT metric, year, kind, division_level, agency_id, agency, value, rank, percentile
FROM mart_cross_agency
ORDER BY metric, year, kind, division_level NULLS LAST, rank, agency

-- The unit of a mart_agency_year metric, for the long marts that hold every metric in one
-- DECIMAL column: the rates, the fee amount in 万元, and counts.
CREATE OR REPLACE TEMP MACRO metric_unit(metric) AS
CASE WHEN metric LIKE '%\_rate' ESCAPE '\' THEN 'rate' WHEN metric = 'fees_10k_yuan' THEN '10k_yuan' ELSE 'count' END

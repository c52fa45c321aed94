-- One row per agency, year and metric of mart_agency_year, for years whose previous year the same
-- agency also reported: value, prior_value (the year before), change and relative_change
-- (change / prior_value; NULL when prior_value is 0 or NULL). Only consecutive years are compared.
-- Every metric shares the DECIMAL value column (int_agency_metrics); unit says what it counts
-- (count, 10k_yuan, rate).
SELECT
    c.agency_id,
    a.name AS agency,
    a.level,
    c.year,
    c.metric,
    metric_unit(c.metric) AS unit,
    c.value,
    p.year AS prior_year,
    p.value AS prior_value,
    c.value - p.value AS change,
    CAST(c.value - p.value AS DOUBLE) / nullif(CAST(p.value AS DOUBLE), 0) AS relative_change
FROM int_agency_metrics AS c
JOIN int_agency_metrics AS p ON p.agency_id = c.agency_id AND p.metric = c.metric AND p.year = c.year - 1
JOIN agencies AS a ON a.agency_id = c.agency_id
ORDER BY a.name, c.year, c.metric

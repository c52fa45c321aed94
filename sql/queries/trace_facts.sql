-- `xxgk trace`: the facts one agency-year's metric is computed from, where each was read.
SELECT
    source_file,
    coalesce('line ' || source_line, source_cell, 'page ' || source_page) AS place,
    table_code,
    row_code,
    applicant_class,
    fact_value,
    raw_text,
    doubt
FROM mart_lineage
WHERE agency_id = $agency_id AND year = $year AND metric = $metric
ORDER BY source_file, source_page, source_line, source_cell, table_code, row_code

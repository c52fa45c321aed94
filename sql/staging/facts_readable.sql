-- Every fact with its report's agency and year and the form's Chinese label, the value as a whole
-- count (BIGINT) or as an amount (DECIMAL), so ad hoc queries print 2331, not 2331.000000. A count
-- written with a fraction (a value_domain finding) has count NULL; facts keeps the exact value.
SELECT
    f.report_id,
    r.agency_id,
    coalesce(a.name, r.agency) AS agency,
    r.year,
    r.form_version,
    r.status,
    f.table_code,
    f.row_code,
    f.applicant_class,
    c.section,
    c.item,
    c.label_zh,
    CASE WHEN f.unit = 'count' AND f.value = trunc(f.value) THEN CAST(f.value AS BIGINT) END AS count,
    CASE WHEN f.unit <> 'count' THEN f.value END AS amount,
    f.unit,
    r.source_file,
    f.source_line,
    f.source_page
FROM facts AS f
JOIN reports AS r USING (report_id)
LEFT JOIN agencies AS a ON a.agency_id = r.agency_id
LEFT JOIN codebook AS c ON c.table_code = f.table_code AND c.row_code = f.row_code AND c.form_version = r.form_version

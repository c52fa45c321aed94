-- Facts of complete (ok) reports, with the report's agency, year and form version.
SELECT
    r.report_id,
    r.agency,
    r.year,
    r.form_version,
    f.table_code,
    f.row_code,
    f.applicant_class,
    f.value
FROM facts AS f
JOIN reports AS r USING (report_id)
WHERE r.status = 'ok'

-- Facts of complete (ok) reports, with the report's agency (agency_id, canonical name, level),
-- year and form version, and where each cell was read (source_place). conflicted: another ok file
-- of the same agency and year disagrees with this one (the `duplicate` check names them); the
-- marts leave such agency-years out, the checks on single reports still judge each file.
SELECT
    r.report_id,
    r.source_file,
    r.agency_id,
    a.name AS agency,
    a.level,
    r.year,
    r.form_version,
    f.table_code,
    f.row_code,
    f.applicant_class,
    f.value,
    f.source_line,
    f.source_page,
    f.source_cell,
    -- where a reader finds the cell: `line 92` (text, HTML), `page 3` (PDF), `table 2 row 5 cell 3` (Word)
    coalesce('line ' || f.source_line, f.source_cell, 'page ' || f.source_page) AS source_place,
    f.raw_text,
    coalesce(d.conflict, false) AS conflicted
FROM facts AS f
JOIN reports AS r USING (report_id)
LEFT JOIN agencies AS a ON a.agency_id = r.agency_id
LEFT JOIN agency_year_duplicates AS d ON d.report_id = r.report_id
WHERE r.status = 'ok'

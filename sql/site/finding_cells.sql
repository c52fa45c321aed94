-- For every finding of site_shown_findings (shown_findings.sql), each cell it involves, where it was read and
-- its text as printed: the cell checked (role checked), the cells the rule computes the expected
-- value from (term), last year's cells it compares with (last_year) and the sentence of the
-- prose that states the figure (prose, for the narrative rule). The rules are those of
-- sql/checks; findings about a whole file or a whole division have no cells.
WITH wanted AS (
    -- only the reports findings are about, and for the rules that compare years the agency's
    -- report of the year before: the facts of every other report are never read
    SELECT report_id FROM site_shown_findings
    WHERE report_id IS NOT NULL
    UNION
    SELECT r.report_id
    FROM site_shown_findings AS s
    JOIN reports AS r ON r.agency_id = s.agency_id AND r.year = s.year - 1
    WHERE s.check_name IN ('carryover', 'regdoc_stock')
),

cells AS MATERIALIZED (
    SELECT f.*, c.label_zh
    FROM stg_report_facts AS f
    LEFT JOIN codebook AS c USING (table_code, row_code, form_version)
    WHERE f.report_id IN (SELECT w.report_id FROM wanted AS w)
),

involved AS (
    SELECT s.finding_id, 'checked' AS role, c.*
    FROM site_shown_findings AS s
    JOIN cells AS c
        ON
            c.report_id = s.report_id AND c.table_code = s.table_code
            AND list_contains(string_split(s.row_code, '+'), c.row_code)
            AND c.applicant_class IS NOT DISTINCT FROM s.applicant_class
    UNION ALL
    SELECT s.finding_id, 'term' AS role, c.*
    FROM site_shown_findings AS s
    JOIN cells AS c ON c.report_id = s.report_id AND c.table_code = s.table_code
    WHERE (
        s.check_name = 'balance' AND c.row_code IN ('new_received', 'carried_over', 'carried_forward')
        AND c.applicant_class = s.applicant_class
    )
    OR (s.check_name = 'row_total' AND c.row_code = s.row_code AND c.applicant_class <> 'total')
    OR (
        s.check_name = 'result_total' AND c.row_code LIKE 'result.%' AND c.row_code <> 'result.total'
        AND c.applicant_class = s.applicant_class
    )
    OR (
        s.check_name = 'appeals_total' AND split_part(c.row_code, '.', 1) = split_part(s.row_code, '.', 1)
        AND c.row_code <> s.row_code
    )
    OR (
        s.check_name = 'regdoc_stock' AND split_part(c.row_code, '.', 1) = split_part(s.row_code, '.', 1)
        AND split_part(c.row_code, '.', 2) IN ('issued', 'repealed')
    )
    UNION ALL
    SELECT s.finding_id, 'last_year' AS role, c.*
    FROM site_shown_findings AS s
    JOIN cells AS c ON c.agency_id = s.agency_id AND c.year = s.year - 1 AND c.table_code = s.table_code AND NOT c.conflicted
    WHERE
        (s.check_name = 'carryover' AND c.row_code = 'carried_forward' AND c.applicant_class = s.applicant_class)
        OR (s.check_name = 'regdoc_stock' AND c.row_code = s.row_code)
)

SELECT *
FROM (
    SELECT
        finding_id, role, source_file, year, table_code, row_code, applicant_class, label_zh, value, raw_text,
        source_line, source_page, source_cell
    FROM involved
    UNION ALL
    SELECT
        s.finding_id, 'prose' AS role, r.source_file, r.year, n.table_code, n.row_code, n.applicant_class,
        NULL AS label_zh, n.value, n.raw_text, n.source_line, n.source_page, NULL AS source_cell
    FROM site_shown_findings AS s
    JOIN narrative_figures AS n
        ON
            n.report_id = s.report_id AND n.table_code = s.table_code AND n.value = s.expected
            AND list_contains(string_split(n.row_code, '|'), s.row_code)
            AND n.applicant_class IS NOT DISTINCT FROM s.applicant_class
    JOIN reports AS r ON r.report_id = s.report_id
    WHERE s.check_name = 'narrative'
) AS shown
ORDER BY
    finding_id ASC,
    role = 'prose' DESC,
    role = 'checked' DESC,
    role = 'term' DESC,
    source_file,
    source_page ASC,
    source_line ASC,
    source_cell ASC

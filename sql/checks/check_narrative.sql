-- FORM.md rule 8 (warning). A figure the prose of sections 一 or 六 states (narrative_figures)
-- against the cell it names: expected = the prose figure, actual = the table cell (or the sum of
-- the cells when row_code joins codes with '+'). Figures with no cell are not compared.
-- refresh: per agency
WITH cells AS (
    SELECT
        n.report_id,
        n.kind,
        n.value AS stated,
        coalesce('line ' || n.source_line, 'page ' || n.source_page) AS prose_place,
        n.raw_text,
        n.table_code,
        n.row_code,
        n.applicant_class,
        sum(f.value) AS cell_value,
        count(f.value) AS cells,
        string_agg(f.source_place, '+' ORDER BY f.source_page, f.source_line, f.source_cell) AS cell_places
    FROM narrative_figures AS n
    JOIN stg_report_facts AS f
        ON f.report_id = n.report_id
       AND f.table_code = n.table_code
       AND list_contains(string_split(n.row_code, '+'), f.row_code)
       AND f.applicant_class IS NOT DISTINCT FROM n.applicant_class
    WHERE n.table_code IS NOT NULL
    GROUP BY ALL
)
SELECT
    'narrative' AS check_name,
    'warning' AS severity,
    r.agency_id,
    a.name AS agency,
    r.year,
    c.report_id,
    c.table_code,
    c.row_code,
    c.applicant_class,
    c.stated AS expected,
    c.cell_value AS actual,
    format('{} {}: the prose says ''{}''; the table ({}) says {}', r.source_file, c.prose_place, c.raw_text, c.cell_places,
        plain_number(c.cell_value)) AS detail
FROM cells AS c
JOIN reports AS r ON r.report_id = c.report_id
LEFT JOIN agencies AS a ON a.agency_id = r.agency_id
WHERE c.cells = len(string_split(c.row_code, '+'))
  AND c.stated <> c.cell_value

-- docs/form.md rule 8 (warning). A figure the prose of sections 一 or 六 states (narrative_figures)
-- against the cell it names: expected = the prose figure, actual = the table cell (or the sum of
-- the cells when a reading joins codes with '+'). Where the wording allows several readings
-- (row_code lists them with '|': 受理 is new requests, or new plus carried over), the figure
-- disagrees only when it equals none of them, and the finding shows the first. Figures with no
-- cell, or whose cells are not all in the table, are not compared: a false finding is worse
-- than a missed one.
WITH readings AS (
    SELECT
        n.*,
        unnest(string_split(n.row_code, '|')) AS reading,
        generate_subscripts(string_split(n.row_code, '|'), 1) AS reading_no
    FROM narrative_figures AS n
    WHERE n.table_code IS NOT NULL
),

parts AS (
    -- one row per cell a reading sums, so that the join below is on equal values (a hash join):
    -- matching a cell against the list of parts joined each figure with every fact
    SELECT
        r.*,
        unnest(list_distinct(string_split(r.reading, '+'))) AS part
    FROM readings AS r
),

cells AS (
    SELECT
        n.report_id,
        n.kind,
        n.value AS stated,
        coalesce('line ' || n.source_line, 'page ' || n.source_page) AS prose_place,
        n.raw_text,
        n.table_code,
        n.applicant_class,
        n.reading,
        n.reading_no,
        sum(f.value) AS cell_value,
        count(f.value) AS cells,
        string_agg(f.source_place, '+' ORDER BY f.source_page, f.source_line, f.source_cell) AS cell_places
    FROM parts AS n
    LEFT JOIN stg_report_facts AS f
        ON
            f.report_id = n.report_id
            AND f.table_code = n.table_code
            AND f.row_code = n.part
            AND f.applicant_class IS NOT DISTINCT FROM n.applicant_class
    GROUP BY ALL
),

figures AS (
    SELECT
        report_id,
        kind,
        stated,
        prose_place,
        raw_text,
        table_code,
        applicant_class,
        bool_and(cells = len(string_split(reading, '+'))) AS complete,
        bool_or(stated = cell_value) AS agrees,
        arg_min(reading, reading_no) AS row_code,
        arg_min(cell_value, reading_no) AS cell_value,
        arg_min(cell_places, reading_no) AS cell_places
    FROM cells
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
    format(
        '{} {}: the prose says ''{}''; the table ({}) says {}', r.source_file, c.prose_place, c.raw_text, c.cell_places,
        plain_number(c.cell_value)
    ) AS detail
FROM figures AS c
JOIN reports AS r ON r.report_id = c.report_id
LEFT JOIN agencies AS a ON a.agency_id = r.agency_id
WHERE
    c.complete
    AND NOT c.agrees

-- Where each figure of mart_agency_year comes from: one row per agency, year, metric and fact the
-- metric is computed from, with the mart's value and, for the fact, its report, file, line, PDF
-- page or Word cell, raw_text and doubt. A count is the sum of its facts' fact_value (whole_count:
-- NULL when that sum has a fraction); grant_rate is (granted + partial) / handled and denial_rate
-- denied / handled, so their rows are the facts of those counts. Which facts make which metric is
-- declared once, in metric_rows below; tests/warehouse/test_lineage.py proves, with every cell of
-- the form weighted apart, that it selects exactly the facts mart_agency_year sums, metric by
-- metric. A view: computed when read, so it always agrees with the mart and the facts.
WITH metric_rows (metric, table_code, row_code, sub_rows_of) AS (
    -- A fact belongs to a metric when its row is row_code, or one of the sub-rows of sub_rows_of
    -- (result.denied.state_secret is a sub-row of result.denied).
    VALUES
    ('new_received', 'requests', 'new_received', NULL),
    ('carried_over', 'requests', 'carried_over', NULL),
    ('granted', 'requests', 'result.granted', NULL),
    ('partial', 'requests', 'result.partial', NULL),
    ('denied', 'requests', NULL, 'result.denied'),
    ('unable', 'requests', NULL, 'result.unable'),
    ('not_processed', 'requests', NULL, 'result.not_processed'),
    ('other', 'requests', 'result.other', NULL),
    ('other', 'requests', NULL, 'result.other'),
    ('handled', 'requests', 'result.total', NULL),
    ('carried_forward', 'requests', 'carried_forward', NULL),
    ('review_total', 'appeals', 'review.total', NULL),
    ('review_corrected', 'appeals', 'review.corrected', NULL),
    ('suit_total', 'appeals', 'suit_direct.total', NULL),
    ('suit_total', 'appeals', 'suit_after_review.total', NULL),
    ('suit_corrected', 'appeals', 'suit_direct.corrected', NULL),
    ('suit_corrected', 'appeals', 'suit_after_review.corrected', NULL),
    ('fees_10k_yuan', 'proactive', 'fees.amount_10k_yuan', NULL)
),

metric_inputs (metric, input) AS (
    -- A rate's facts are those of the counts it divides.
    SELECT DISTINCT
        metric,
        metric AS counted
    FROM metric_rows
    UNION ALL
    VALUES
    ('grant_rate', 'granted'),
    ('grant_rate', 'partial'),
    ('grant_rate', 'handled'),
    ('denial_rate', 'denied'),
    ('denial_rate', 'handled')
)

SELECT
    v.agency_id,
    v.year,
    v.metric,
    v.value,
    -- a metric that is its own count has its facts' unit; one computed from other counts is a rate
    CASE WHEN i.input = i.metric THEN f.unit ELSE 'rate' END AS unit,
    c.report_id,
    c.source_file,
    c.table_code,
    c.row_code,
    c.applicant_class,
    c.value AS fact_value,
    c.source_line,
    c.source_page,
    c.source_cell,
    c.raw_text,
    f.doubt
FROM int_agency_metrics AS v
JOIN metric_inputs AS i ON i.metric = v.metric
JOIN metric_rows AS r ON r.metric = i.input
JOIN int_agency_year_cells AS c
    ON
        c.agency_id = v.agency_id
        AND c.year = v.year
        AND c.table_code = r.table_code
        AND (c.row_code = r.row_code OR starts_with(c.row_code, r.sub_rows_of || '.'))
JOIN facts AS f
    ON
        f.report_id = c.report_id
        AND f.table_code = c.table_code
        AND f.row_code = c.row_code
        AND f.applicant_class IS NOT DISTINCT FROM c.applicant_class
ORDER BY v.agency_id, v.year, v.metric, c.report_id, c.table_code, c.row_code

-- One row per agency and year, from the one complete (ok) report of that agency-year: the request
-- figures (总计 column), rates, appeals and fees. An agency-year whose files disagree (the
-- `duplicate` check) is left out until a user removes the wrong file; incomplete reports are
-- never counted (the `completeness` check lists them). Every agency is counted on its own: an
-- aggregate (a whole district) is never added to its departments. kind, division_level and
-- division_code say what the agency is (agencies). Counts are BIGINT, the fee amount DECIMAL,
-- rates DOUBLE.
WITH per_year AS (
    SELECT
        agency_id,
        year,
        any_value(form_version) AS form_version,
        any_value(report_id) AS report_id,
        any_value(source_file) AS source_file,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code = 'new_received')) AS new_received,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code = 'carried_over')) AS carried_over,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code = 'result.granted')) AS granted,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code = 'result.partial')) AS partial,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code LIKE 'result.denied.%')) AS denied,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code LIKE 'result.unable.%')) AS unable,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code LIKE 'result.not_processed.%')) AS not_processed,
        whole_count(sum(value) FILTER (table_code = 'requests' AND (row_code = 'result.other' OR row_code LIKE 'result.other.%'))) AS other,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code = 'result.total')) AS handled,
        whole_count(sum(value) FILTER (table_code = 'requests' AND row_code = 'carried_forward')) AS carried_forward,
        whole_count(sum(value) FILTER (table_code = 'appeals' AND row_code = 'review.total')) AS review_total,
        whole_count(sum(value) FILTER (table_code = 'appeals' AND row_code = 'review.corrected')) AS review_corrected,
        whole_count(sum(value) FILTER (table_code = 'appeals' AND row_code IN ('suit_direct.total', 'suit_after_review.total')))
            AS suit_total,
        whole_count(sum(value) FILTER (table_code = 'appeals' AND row_code IN ('suit_direct.corrected', 'suit_after_review.corrected')))
            AS suit_corrected,
        sum(value) FILTER (table_code = 'proactive' AND row_code = 'fees.amount_10k_yuan') AS fees_10k_yuan
    FROM int_agency_year_cells
    GROUP BY agency_id, year
)

SELECT
    p.agency_id,
    a.name AS agency,
    a.level,
    a.region,
    a.kind,
    a.division_level,
    a.division_code,
    p.year,
    p.form_version,
    p.new_received,
    p.carried_over,
    p.granted,
    p.partial,
    p.denied,
    p.unable,
    p.not_processed,
    p.other,
    p.handled,
    p.carried_forward,
    CAST(p.granted + p.partial AS DOUBLE) / nullif(CAST(p.handled AS DOUBLE), 0) AS grant_rate,
    CAST(p.denied AS DOUBLE) / nullif(CAST(p.handled AS DOUBLE), 0) AS denial_rate,
    p.review_total,
    p.review_corrected,
    p.suit_total,
    p.suit_corrected,
    p.fees_10k_yuan,
    p.report_id,
    p.source_file
FROM per_year AS p
JOIN agencies AS a USING (agency_id)
ORDER BY a.name, p.year

-- Section 三 of each complete (ok) report, one row per applicant class: the rows the form's own
-- arithmetic uses (docs/form.md rules 1 and 3), with where the 总计 (result.total) cell was read.
SELECT
    report_id,
    any_value(source_file) AS source_file,
    any_value(agency_id) AS agency_id,
    any_value(agency) AS agency,
    any_value(year) AS year,
    any_value(form_version) AS form_version,
    bool_or(conflicted) AS conflicted,
    applicant_class,
    sum(value) FILTER (row_code = 'new_received') AS new_received,
    sum(value) FILTER (row_code = 'carried_over') AS carried_over,
    sum(value) FILTER (row_code LIKE 'result.%' AND row_code <> 'result.total') AS result_rows_sum,
    sum(value) FILTER (row_code = 'result.total') AS result_total,
    sum(value) FILTER (row_code = 'carried_forward') AS carried_forward,
    min(source_place) FILTER (row_code = 'result.total') AS result_total_place,
    min(source_place) FILTER (row_code = 'carried_over') AS carried_over_place,
    min(source_place) FILTER (row_code = 'carried_forward') AS carried_forward_place
FROM stg_report_facts
WHERE table_code = 'requests'
GROUP BY report_id, applicant_class

-- One row per agency and year: the headline request figures (总计 column) of complete reports.
SELECT
    agency,
    year,
    any_value(form_version) AS form_version,
    sum(value) FILTER (row_code = 'new_received') AS new_received,
    sum(value) FILTER (row_code = 'carried_over') AS carried_over,
    sum(value) FILTER (row_code = 'result.granted') AS granted,
    sum(value) FILTER (row_code = 'result.partial') AS partial,
    sum(value) FILTER (row_code LIKE 'result.denied.%') AS denied,
    sum(value) FILTER (row_code = 'result.total') AS handled,
    sum(value) FILTER (row_code = 'carried_forward') AS carried_forward
FROM stg_report_facts
WHERE table_code = 'requests' AND applicant_class = 'total'
GROUP BY agency, year
ORDER BY agency, year

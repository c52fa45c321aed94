-- One row per division, year and metric of mart_agency_year: the government's own figure
-- (government_value) beside the sum of its departments' reports that year (departments_sum, over
-- departments_reporting departments), so a user sees whether a government's report is an
-- aggregate of the whole division (本行政区域, 全市) and whether it is complete. A division whose
-- government did not report has government_value NULL. Bodies below the county (街道, 乡镇) are not
-- departments and are not summed. The government's figure is never added to its departments'.
-- Rebuilt whole on every build: a department's change recomputes its government's rows.
WITH summable AS (
    SELECT l.*, a.kind, a.division_code
    FROM int_agency_metrics AS l
    JOIN agencies AS a USING (agency_id)
    WHERE
        a.kind IN ('government', 'department')
        AND l.value IS NOT NULL
        -- rates are no sums: only the counts and amounts add up across departments
        AND l.metric NOT LIKE '%\_rate' ESCAPE '\'
        AND a.division_code IS NOT NULL
)

SELECT
    division_code,
    year,
    metric,
    sum(value) FILTER (kind = 'government') AS government_value,
    sum(value) FILTER (kind = 'department') AS departments_sum,
    count(*) FILTER (kind = 'department') AS departments_reporting
FROM summable
GROUP BY division_code, year, metric
ORDER BY division_code, year, metric

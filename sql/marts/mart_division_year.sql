-- One row per division, year and metric of mart_agency_year: the government's own figure
-- (government_value) beside the sum of its departments' reports that year (departments_sum, over
-- departments_reporting departments), so a user sees whether a government's report is an
-- aggregate of the whole division (本行政区域, 全市) and whether it is complete. A division whose
-- government did not report has government_value NULL. Bodies below the county (街道, 乡镇) are not
-- departments and are not summed. The government's figure is never added to its departments'.
-- Rebuilt whole on every build: a department's change recomputes its government's rows.
WITH metrics AS (
    SELECT
        agency_id, year,
        COLUMNS(* EXCLUDE (agency_id, agency, level, region, kind, division_level, division_code, year, form_version, report_id, source_file))::DECIMAL(38, 6)
    FROM mart_agency_year
    WHERE kind IN ('government', 'department')
),
long AS (
    SELECT * FROM metrics UNPIVOT (value FOR metric IN (COLUMNS(* EXCLUDE (agency_id, year))))
),
-- rates are no sums: only the counts and amounts add up across departments
summable AS (
    SELECT l.*, a.kind, a.division_code
    FROM long AS l
    JOIN agencies AS a USING (agency_id)
    WHERE l.metric NOT LIKE '%\_rate' ESCAPE '\'
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

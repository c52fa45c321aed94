-- Aggregate coverage (warning). A government's report that covers its whole division (本行政区域,
-- 全市) cannot hold fewer requests, appeals or fees than its own departments' reports together:
-- every mart_division_year figure of a government (actual) smaller than its departments' sum
-- (expected) is listed. A government that reports only on its own office is listed too; the
-- detail says so, for a user to judge. row_code is the mart_agency_year metric.
SELECT
    'aggregate_coverage' AS check_name,
    'warning' AS severity,
    g.agency_id,
    g.agency,
    d.year,
    g.report_id,
    CAST(NULL AS VARCHAR) AS table_code,
    d.metric AS row_code,
    CAST(NULL AS VARCHAR) AS applicant_class,
    d.departments_sum AS expected,
    d.government_value AS actual,
    format(
        '{} {}: {} is {} in the government''s report ({}) but {} in its {} departments'' reports together; '
        || 'an aggregate of the whole division would hold at least that, '
        || 'so the report covers only part of it (or only the government''s own office)',
        g.agency, d.year, d.metric, plain_number(d.government_value), g.source_file,
        plain_number(d.departments_sum), d.departments_reporting
    ) AS detail
FROM mart_division_year AS d
JOIN mart_agency_year AS g
    ON g.division_code = d.division_code AND g.year = d.year AND g.kind = 'government'
WHERE d.government_value < d.departments_sum

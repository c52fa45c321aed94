-- Every metric of mart_agency_year as rows: one per agency, year and metric (the column's name),
-- with value NULL where the agency-year has none (a rate when nothing was handled). Every metric
-- shares the DECIMAL value column: the long form that the marts comparing a metric across
-- agencies, divisions and years start from.
WITH metrics AS (
    SELECT
        agency_id, year,
        COLUMNS(
            * EXCLUDE (agency_id, agency, level, region, kind, division_level, division_code, year, form_version, report_id, source_file)
        )::DECIMAL(38, 6)
    FROM mart_agency_year
)

SELECT * FROM metrics UNPIVOT INCLUDE NULLS (value FOR metric IN (COLUMNS(* EXCLUDE (agency_id, year))))

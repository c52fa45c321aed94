-- The files of parquet/facts an export writes, as (year, part): those holding a report of
-- changed_agencies, or a report that changed or left ($changed_reports has both versions). part
-- is the first hex digit of report_id, so a year is 16 files and one changed report rewrites one;
-- every other file is the previous export's, unchanged. After a build from scratch, every file.
CREATE OR REPLACE TEMP TABLE export_parts AS
SELECT DISTINCT year, substr(report_id, 1, 1) AS part
FROM (
    SELECT report_id, year FROM changed_agency_reports
    UNION ALL
    SELECT report_id, CAST(year AS INTEGER) AS year FROM read_parquet($changed_reports)
) AS exported

-- The cells the agency-year marts count: the facts of complete reports that are not in conflict
-- and have an agency and a year, and of section 三 only its 总计 column (mart_agency_year sums
-- them; mart_lineage lists them beside each figure).
SELECT *
FROM stg_report_facts
WHERE
    NOT conflicted
    AND agency_id IS NOT NULL
    AND year IS NOT NULL
    AND (table_code <> 'requests' OR applicant_class = 'total')

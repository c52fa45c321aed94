-- Every finding of site_findings (findings.sql) counted by agency, rule and severity, for the
-- index, whichever pages this build renders. known_agency: the agency has a page (otherwise the
-- finding is on files.html).
SELECT
    s.agency_id,
    a.agency_id IS NOT NULL AS known_agency,
    s.check_name,
    s.severity,
    count(*) AS findings
FROM site_findings AS s
LEFT JOIN agencies AS a ON a.agency_id = s.agency_id
GROUP BY ALL

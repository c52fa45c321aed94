-- Every finding of site_findings (findings.sql) counted by agency, rule and severity, for the
-- index, whichever pages this build renders.
SELECT
    s.agency_id,
    s.known_agency,
    s.check_name,
    s.severity,
    count(*) AS findings
FROM site_findings AS s
GROUP BY ALL

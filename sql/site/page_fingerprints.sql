-- What each page that compares agencies shows, as a fingerprint an update compares with the
-- previous site's (pipeline/site/pages.py): a rule page's and files.html's the ids of their
-- findings (site_findings, findings.sql; agencies: whose findings they are, since a finding's
-- cells change with its agency's reports), a ranking page's every row it lists. A page missing
-- here (a rule without findings) shows nothing that can change but its title.
SELECT
    'rule/' || s.check_name || '.html' AS page,
    md5(string_agg(s.finding_id, ',' ORDER BY s.finding_id)) AS fingerprint,
    list(DISTINCT s.agency_id) AS agencies
FROM site_findings AS s
GROUP BY s.check_name
UNION ALL
SELECT
    'files.html' AS page,
    md5(string_agg(s.finding_id, ',' ORDER BY s.finding_id)) AS fingerprint,
    list(DISTINCT s.agency_id) AS agencies
FROM site_findings AS s
WHERE NOT s.known_agency
UNION ALL
SELECT
    'rank/' || m.metric || '-' || m.year || '.html' AS page,
    -- a page lists a set of rows, in an order they determine: their hashes combined, and their count
    concat(count(*), ' ', bit_xor(hash(m.kind, m.division_level, m.agency_id, m.agency, m.value, m.rank, m.percentile)))
        AS fingerprint,
    [] AS agencies
FROM mart_cross_agency AS m
GROUP BY m.metric, m.year

-- Report titles that name no agency for certain: not in the registry, and their division or body
-- could not be read from the title. candidates: the divisions an ambiguous name may mean
-- (鼓楼区 without its city in the report's text); probable_name: the title as probably meant when
-- a division name in it is one character off a real one (通洲区 → 通州区), a suggestion that
-- never changes the identity. Each stays an agency of its own until a user adds the spelling to
-- pipeline/reference/agency_aliases.csv (alias,name) or the name to agencies.csv.
SELECT
    a.agency_id,
    a.name,
    list(DISTINCT r.agency ORDER BY r.agency) AS spellings,
    count(r.report_id) AS reports,
    list(r.source_file ORDER BY r.source_file) AS source_files,
    list(DISTINCT r.year ORDER BY r.year) AS years,
    a.candidates,
    a.probable_name
FROM agencies AS a
JOIN reports AS r ON r.agency_id = a.agency_id
WHERE NOT a.in_registry AND a.kind IS NULL
GROUP BY a.agency_id, a.name, a.candidates, a.probable_name
ORDER BY a.name

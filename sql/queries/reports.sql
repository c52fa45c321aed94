-- `xxgk reports`: the files of the raw folder with their status and message, those of $statuses
-- only (an empty list: every status), files that need attention first.
SELECT status, source_file, agency, year, message
FROM reports
WHERE len($statuses) = 0 OR list_contains($statuses, status)
ORDER BY list_position(['incomplete', 'rejected', 'duplicate', 'ok'], status), source_file

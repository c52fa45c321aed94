-- What is in the warehouse: files by status and year (NULL: no year could be read).
SELECT status, year, count(*) AS files
FROM reports
GROUP BY ALL
ORDER BY status, year NULLS LAST

-- The run summary: how many files ended in each status.
SELECT status, count(*) AS reports, sum(fact_count) FILTER (status <> 'duplicate') AS facts
FROM reports
GROUP BY status
ORDER BY status

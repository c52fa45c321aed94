-- Headline figures per year and kind of agency. Governments' reports already cover their
-- departments, so a kind is summed only with its own kind: a government is never added to its
-- departments.
SELECT
    year,
    coalesce(kind, 'unresolved') AS kind,
    count(*) AS agencies,
    sum(new_received) AS new_received,
    sum(handled) AS handled,
    sum(granted + partial) AS granted_in_whole_or_part,
    sum(denied) AS denied,
    (sum(granted + partial) / nullif(sum(handled), 0))::DOUBLE AS grant_rate,
    (sum(denied) / nullif(sum(handled), 0))::DOUBLE AS denial_rate,
    sum(review_total) AS review_total,
    sum(suit_total) AS suit_total,
    sum(fees_10k_yuan) AS fees_10k_yuan
FROM mart_agency_year
GROUP BY ALL
ORDER BY year, kind

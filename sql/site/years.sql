-- The years the ranking pages cover (each links to the others): every year of the agencies'
-- figures, ranked or not.
SELECT DISTINCT year
FROM mart_agency_year
WHERE year IS NOT NULL
UNION
SELECT DISTINCT year FROM mart_cross_agency
ORDER BY year

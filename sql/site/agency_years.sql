-- The mart_agency_year rows of the agencies whose pages are rendered (agency_pages.sql), year by year.
SELECT * FROM mart_agency_year
WHERE agency_id IN (SELECT p.agency_id FROM site_agency_pages AS p)
ORDER BY agency_id, year

-- Every agency's figures year by year: the mart_agency_year rows the agency pages show.
SELECT * FROM mart_agency_year
ORDER BY agency_id, year

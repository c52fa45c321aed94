-- Every file with the agency its title names, for the agency pages' list of files.
SELECT agency_id, year, report_id, source_file, status, message, rendering, form_version, published_on, duplicate_of
FROM reports
WHERE agency_id IS NOT NULL
ORDER BY agency_id ASC, year DESC, source_file ASC

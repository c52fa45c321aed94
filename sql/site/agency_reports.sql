-- The files of the agencies whose pages are rendered (agency_pages.sql), for their list of files.
SELECT agency_id, year, report_id, source_file, status, message, rendering, form_version, published_on, duplicate_of
FROM reports
WHERE agency_id IN (SELECT p.agency_id FROM site_agency_pages AS p)
ORDER BY agency_id ASC, year DESC, source_file ASC

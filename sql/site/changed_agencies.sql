-- The agencies this build recomputed (NULL: files without an agency): their pages are rendered
-- again, the others' kept from the previous site.
SELECT agency_id FROM changed_agencies

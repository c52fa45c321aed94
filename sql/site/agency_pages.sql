-- The agencies whose pages this build renders (site_agency_ids, registered by pipeline/site/data.py):
-- the per-agency queries read theirs only.
CREATE OR REPLACE TEMP TABLE site_agency_pages AS
SELECT i.agency_id FROM site_agency_ids AS i

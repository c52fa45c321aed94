-- The agencies whose pages this build renders ($agencies): the per-agency queries read theirs only.
CREATE OR REPLACE TEMP TABLE site_agency_pages AS
SELECT unnest($agencies::VARCHAR[]) AS agency_id

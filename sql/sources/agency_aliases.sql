-- Every spelling of an agency seen in the registry or in a report title → its agency_id.
-- Derived from agencies (which does the normalizing and the id); a title as written joins here.
CREATE OR REPLACE TABLE agency_aliases AS
SELECT s.alias, a.agency_id, a.name AS agency, a.in_registry
FROM agencies AS a, unnest(a.spellings) AS s (alias)
ORDER BY s.alias;

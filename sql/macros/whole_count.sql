-- A count as a whole number: BIGINT, so tools print 9, not 9.000000. A count written with a
-- fraction (a value_domain finding) is NULL, never rounded.
CREATE OR REPLACE TEMP MACRO whole_count(x) AS CASE WHEN x = trunc(x) THEN CAST(x AS BIGINT) END

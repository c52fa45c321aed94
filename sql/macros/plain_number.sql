-- A number as a report writes it, for the checks' detail text: 2331 and 28983.0794, not
-- 2331.000000 (DECIMAL) or 2331.0 (DOUBLE).
CREATE OR REPLACE TEMP MACRO plain_number(x) AS regexp_replace(CAST(CAST(x AS DOUBLE) AS VARCHAR), '\.0$', '')

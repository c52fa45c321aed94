-- Every report title with what its text says of its division (division_hint) → the agency it
-- names. A title alone does not always decide: 鼓楼区人民政府 is 南京市's when the report names
-- 南京市, 福州市's when it names 福州市, and an agency of its own (listed by unknown_agencies)
-- when it names neither.
CREATE OR REPLACE TABLE agency_titles AS
SELECT DISTINCT spelling AS agency, division_hint, substr(md5(key), 1, 12) AS agency_id
FROM read_parquet($agency_spellings)
WHERE role = 'title'
ORDER BY agency, division_hint;

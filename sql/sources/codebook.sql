-- The form's cells as data (pipeline/form/codebook.csv), one row per code and form version, so a
-- query can turn a row_code into the form's Chinese label. The codebook notes a cell's kind after
-- its label, in brackets: `decimal` marks the two amounts, `2019: …` the 2019 form's wording of a
-- label the two forms share; the notes are dropped from label_zh.
CREATE OR REPLACE TABLE codebook AS
WITH source AS (
    SELECT
        row_number() OVER () AS position,
        table_code,
        row_code,
        forms,
        section,
        regexp_replace(official_label, ' \(.*\)$', '') AS label,
        regexp_extract(official_label, ' \((.*)\)$', 1) AS note
    FROM read_csv($form_dir || '/codebook.csv', header = true, all_varchar = true)
)

SELECT
    s.table_code,
    s.row_code,
    v.form_version,
    split_part(s.section, ' ', 1) AS section,
    nullif(trim(substr(s.section, length(split_part(s.section, ' ', 1)) + 1)), '') AS item,
    CASE
        WHEN v.form_version = '2019' AND s.note LIKE '2019: %'
            THEN regexp_replace(s.label, '[^/ ]+$', substr(s.note, length('2019: ') + 1))
        ELSE s.label
    END AS label_zh,
    CASE
        WHEN s.note NOT LIKE 'decimal%' THEN 'count'
        WHEN s.label LIKE '%万元%' THEN '10k_yuan'
        ELSE 'yuan'
    END AS unit
FROM source AS s, unnest(string_split(s.forms, ';')) AS v (form_version)
ORDER BY v.form_version, s.position;

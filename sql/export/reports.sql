-- The reports table as one Parquet file.
COPY (
    SELECT * FROM reports
    ORDER BY source_file
) TO $path (FORMAT parquet
)

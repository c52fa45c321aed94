"""One report's bytes → an Extraction (report.extract_bytes): title and form version, sections,
renderings → rows of cells, the form walker → facts. No file system, no Parquet (tests/extract/
test_pure.py holds it to that; LibreOffice's .doc conversion in readers/office.py is the one
documented exception); pipeline/ingest reads the files and writes the batches."""

"""One report's bytes → an Extraction (report.extract_bytes): title and form version, sections,
renderings → rows of cells, the form walker → facts. No file system, no Parquet (tests/extract/
test_pure.py holds it to that); pipeline/ingest reads the files, converts old .doc/.wps files to
.docx (ingest/convert.py) and writes the batches."""

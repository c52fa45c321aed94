"""The raw folder → extraction's Parquet batches: scanning, reading files, the manifest that keeps
a rerun from reading unchanged files again, and the process pool. pipeline/extract below it turns
one file's bytes into an Extraction and touches no file system."""

"""Loading extracted facts into DuckDB, building the SQL models, and publishing the file."""

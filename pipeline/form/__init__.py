"""The State Council's form as data: its codes (codebook.csv) and its row labels (rows.csv)."""

"""The static site: warehouse → pages a reader opens in a browser (index, one page per agency,
per rule and per ranking, and the findings about files without an agency), every figure with
the file and line it was read from. build.py writes it; data.py reads the warehouse through
sql/site; charts.py lays out the agency pages' small SVG charts."""

from pipeline.site.build import build_site

__all__ = ["build_site"]

"""What the sensor asks of ingest, without Dagster: the folder's listing and its departure from
the last extraction."""

from pipeline.ingest import incremental
from pipeline.ingest.batch import scan
from pipeline.ingest.watch import departure, listing


def test_a_departure_counts_new_changed_and_removed_files_and_is_keyed_by_the_extraction(tmp_path):
    raw, work = tmp_path / "raw", tmp_path / "work"
    raw.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (raw / name).write_text(name, encoding="utf-8")
    first = departure(listing(raw), work)
    assert (first.new, first.changed, first.removed) == (3, 0, 0) and first.describe() == "3 new, 0 changed, 0 removed"
    assert departure(listing(raw), work) == first  # the same change keeps its key

    incremental.update(raw, work, scan(raw), workers=1)
    assert departure(listing(raw), work) is None  # the last extraction saw exactly these files

    (raw / "a.txt").unlink()
    (raw / "b.txt").write_text("b, longer now", encoding="utf-8")
    (raw / "d.txt").write_text("d", encoding="utf-8")
    later = departure(listing(raw), work)
    assert later.describe() == "1 new, 1 changed, 1 removed"

    # Another extraction, then a change: a new key, whatever the listing.
    incremental.update(raw, work, scan(raw), workers=1)
    (raw / "d.txt").unlink()
    (raw / "a.txt").write_text("a.txt", encoding="utf-8")
    (raw / "b.txt").write_text("b.txt", encoding="utf-8")
    assert departure(listing(raw), work).key not in {first.key, later.key}

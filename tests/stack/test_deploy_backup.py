"""``fab backup`` and ``fab restore``: back up, change data, restore, and the data is as it was."""

from __future__ import annotations

import re

import pytest

# The first test also waits for fab setup + deploy (pip install included): a longer budget.
pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]

SLUG = "alex-and-sam"


def test_backup_then_restore_brings_back_database_and_media(site):
    out = site.fab_ok("backup")
    name = re.search(r"backup (\d{14}) in ", out).group(1)
    folder = site.prefix / "shared" / "backups" / name
    assert (folder / "db.dump").stat().st_size > 0
    assert (folder / "media.tar.gz").stat().st_size > 0
    assert (folder / "RELEASE").read_text().strip() == site.current()
    assert folder.parent.stat().st_mode & 0o777 == 0o700  # the guests' addresses are in there

    reservations = site.sql("SELECT count(*) FROM reservations_reservation")
    image = site.sql("SELECT image FROM items_item WHERE image <> '' ORDER BY id LIMIT 1")
    picture = site.prefix / "shared" / "media" / image
    original = picture.read_bytes()

    # Things happen after the backup: a guest reserves a gift, a picture is lost.
    pk = next(iter(site.gifts_left(SLUG)))
    assert site.reserve(SLUG, pk).status_code == 302
    assert site.sql("SELECT count(*) FROM reservations_reservation") == reservations + 1
    picture.unlink()

    out = site.fab_ok("restore", f"--name={name}", timeout=600)
    assert "read-only mode on meanwhile" in out
    assert f"restored backup {name}" in out
    assert site.sql("SELECT count(*) FROM reservations_reservation") == reservations
    assert picture.read_bytes() == original
    # The site is writable again and answers.
    assert "read-only mode is off" in site.fab_ok("readonly", "status")
    assert site.get("/health/").status_code == 200
    assert site.get(f"/r/{SLUG}/").status_code == 200


def test_restore_of_a_backup_that_does_not_exist_changes_nothing(site):
    done = site.fab("restore", "--name=19990101000000")
    assert done.returncode == 1
    assert "no backup '19990101000000'" in done.stderr
    assert "read-only mode is off" in site.fab_ok("readonly", "status")

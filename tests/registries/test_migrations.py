"""The registries app's hand-written migrations, on the real PostgreSQL test database."""

from __future__ import annotations

from django.db import connection


def test_no_trigger_is_left_on_the_registry_table(db):
    # registries.0004 made one to tell web processes of every change; 0010 removed it with its functions.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger"
            " WHERE tgrelid = 'registries_registry'::regclass AND NOT tgisinternal"
        )
        triggers = cursor.fetchall()
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'whisper_registr%'")
        functions = cursor.fetchall()

    assert triggers == [] and functions == []

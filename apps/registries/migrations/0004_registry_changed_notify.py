"""PostgreSQL tells every listening web process when a registry row changes.

A trigger sends ``NOTIFY whisper_registry_changed, '<slug>'`` for every row
updated or deleted, whoever changes it (the ORM, the admin, a script, a
migration), and an empty one for a TRUNCATE. PostgreSQL delivers notifications only when the transaction
commits, and drops them when it rolls back: exactly when a cached copy of
the row goes stale. :mod:`apps.registries.rows` listens. Nothing on SQLite
(``make run``), which has no listeners.
"""

from django.db import migrations

# OLD.slug: after a change of address, the copies to drop are the old address's.
CREATE = [
    """
    CREATE OR REPLACE FUNCTION whisper_registry_changed() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('whisper_registry_changed', OLD.slug);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER whisper_registry_changed
        AFTER UPDATE OR DELETE ON registries_registry
        FOR EACH ROW EXECUTE FUNCTION whisper_registry_changed()
    """,
    # A TRUNCATE (manage.py flush, say) has no rows: an empty slug says "every copy".
    """
    CREATE OR REPLACE FUNCTION whisper_registries_truncated() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('whisper_registry_changed', '');
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER whisper_registries_truncated
        AFTER TRUNCATE ON registries_registry
        FOR EACH STATEMENT EXECUTE FUNCTION whisper_registries_truncated()
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS whisper_registries_truncated ON registries_registry",
    "DROP FUNCTION IF EXISTS whisper_registries_truncated()",
    "DROP TRIGGER IF EXISTS whisper_registry_changed ON registries_registry",
    "DROP FUNCTION IF EXISTS whisper_registry_changed()",
]


def _on_postgresql(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registries", "0003_registry_owners_version")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]

"""Append-only at the database level on PostgreSQL: a trigger refuses UPDATE and DELETE of audit
entries, so that even a raw SQL client with the platform's credentials cannot edit the trail
(等保 安全审计 c: 审计记录应受到保护，避免非预期的删除、修改或覆盖). The one exception is the
retention purge (``banshi audit purge``), which sets ``banshi.audit_purge = 'on'`` for its own
DELETE only (``set_config(…, true)``: local to its transaction). No-op on SQLite, whose file is
protected by the ORM guards and the hash chain only. TRUNCATE is not blocked: the test runner
empties tables with it; a TRUNCATE is still caught by ``banshi audit verify`` and the anchors."""

from django.db import migrations

FUNCTION = "audit_entry_append_only"
TRIGGER = "audit_entry_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('banshi.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除 / the audit log is append-only (% refused)',
        TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {TRIGGER} ON audit_auditentry;
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON audit_auditentry;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no params: the "%" is plpgsql's own

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_download_action")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

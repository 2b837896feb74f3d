#!/usr/bin/env python3
"""Copies a swift-auth SQLite database into an empty, migrated PostgreSQL database.

    AuthAPI migrate                      # with AUTH_DATABASE set to the PostgreSQL URL
    python3 scripts/sqlite-to-postgres.py queue/auth.sqlite 'postgres://user:pass@host/db'

Stop the API and the worker first. Every table is copied in one PostgreSQL transaction (users
keep their ids, so tokens and sessions stay valid with the same AUTH_SECRET_KEY), then the id
sequences are moved past the copied rows. Refuses a target that already holds users. Needs only
Python's sqlite3 module and psql.
"""
import os
import pathlib
import sqlite3
import subprocess
import sys
import urllib.parse

# Tables and columns, in an order that satisfies the foreign keys. Both schemas store dates as
# Unix seconds and use the same column names, so values move unchanged; only booleans and
# blobs are spelled for PostgreSQL.
TABLES = [
    ("users", ["id", "email", "email_key", "password", "first_name", "last_name", "is_active", "is_staff",
               "is_superuser", "is_verified", "date_joined", "last_login"]),
    ("login_sessions", ["id", "user_id", "refresh_jti", "created_at", "last_used_at", "expires_at", "revoked_at",
                        "revoke_reason", "user_agent", "ip"]),
    ("one_time_codes", ["id", "purpose", "user_id", "email_key", "email", "code_hash", "created_at", "expires_at",
                        "attempts", "used_at"]),
    ("send_cooldowns", ["purpose", "subject", "last_sent_at"]),
    ("mail_jobs", ["id", "kind", "payload", "state", "attempts", "run_at", "lease_owner", "lease_expires_at",
                   "last_error", "created_at", "updated_at", "nonce"]),
    ("auth_events", ["id", "event", "user_id", "ip", "user_agent", "detail", "created_at"]),
    # Sealed with a key derived from AUTH_SECRET_KEY: they open after the move with the same key.
    ("signing_keys", ["kid", "algorithm", "state", "public_jwk", "private_key", "created_at", "activated_at",
                      "retired_at", "revoked_at"]),
]
BOOLEANS = {"is_active", "is_staff", "is_superuser", "is_verified"}
SEQUENCES = ["users", "one_time_codes", "mail_jobs", "auth_events"]


def literal(column, value):
    """A value as one field of PostgreSQL's CSV COPY format (unquoted empty field = NULL)."""
    if value is None:
        return ""
    if column in BOOLEANS:
        return "true" if value else "false"
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace('"', '""') + '"'


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(pathlib.Path(source).resolve().as_uri() + "?mode=ro", uri=True)
    # Text that is not UTF-8 reaches psql as stored; PostgreSQL then refuses it and nothing is written.
    db.text_factory = lambda raw: raw.decode("utf-8", errors="surrogateescape")
    script = ["\\set ON_ERROR_STOP on", "BEGIN;",
              "DO $$ BEGIN IF EXISTS (SELECT 1 FROM users) THEN RAISE EXCEPTION 'the target already holds users'; END IF; END $$;"]
    counts = {}
    for table, columns in TABLES:
        rows = db.execute("SELECT %s FROM %s" % (", ".join(columns), table)).fetchall()
        counts[table] = len(rows)
        script.append("COPY %s (%s) FROM STDIN WITH (FORMAT csv);" % (table, ", ".join(columns)))
        for row in rows:
            line = ",".join(literal(c, v) for c, v in zip(columns, row))
            # psql ends COPY data at a line that is exactly "\.", and PostgreSQL text holds no NUL.
            if "\n\\.\n" in "\n" + line + "\n" or "\x00" in line:
                sys.exit("%s row %r holds a value PostgreSQL cannot take (NUL, or a line that is only \\.); "
                         "fix it in the SQLite file first, nothing was written" % (table, row[0]))
            script.append(line)
        script.append("\\.")
    for table in SEQUENCES:
        script.append("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false);"
                      % (table, table))
    script.append("COMMIT;")
    # The password goes to psql in its environment, not on its command line (where ps shows it).
    parts = urllib.parse.urlsplit(target)
    env = dict(os.environ, PGCLIENTENCODING="UTF8")
    if parts.password is not None:
        env["PGPASSWORD"] = urllib.parse.unquote(parts.password)
        netloc = parts.netloc.rsplit("@", 1)
        target = urllib.parse.urlunsplit(parts._replace(netloc=netloc[0].split(":", 1)[0] + "@" + netloc[1]))
    result = subprocess.run(["psql", target, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                            input=("\n".join(script) + "\n").encode("utf-8", errors="surrogateescape"),
                            capture_output=True, env=env)
    if result.returncode != 0:
        sys.exit("copy failed, nothing was written: %s" % result.stderr.decode(errors="replace").strip())
    print("copied " + ", ".join("%d %s" % (n, t) for t, n in counts.items()))


if __name__ == "__main__":
    main()

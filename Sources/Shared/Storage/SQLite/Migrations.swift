import GRDB

extension AppDatabase {
    /// Append-only, named migrations. Never edit one that has shipped: add a new one.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-users") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL,
                    password TEXT NOT NULL,
                    first_name TEXT NOT NULL DEFAULT '' CHECK (length(first_name) <= 150),
                    last_name TEXT NOT NULL DEFAULT '' CHECK (length(last_name) <= 150),
                    is_active BOOLEAN NOT NULL DEFAULT 1,
                    is_staff BOOLEAN NOT NULL DEFAULT 0,
                    is_superuser BOOLEAN NOT NULL DEFAULT 0,
                    is_verified BOOLEAN NOT NULL DEFAULT 0,
                    date_joined REAL NOT NULL,
                    last_login REAL
                );
                CREATE UNIQUE INDEX users_email_key ON users(email_key);
                """)
        }
        migrator.registerMigration("v1-login-sessions") { db in
            try db.execute(sql: """
                CREATE TABLE login_sessions (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    refresh_jti TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    last_used_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    revoked_at REAL,
                    revoke_reason TEXT,
                    user_agent TEXT NOT NULL DEFAULT '',
                    ip TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX login_sessions_user ON login_sessions(user_id);
                CREATE INDEX login_sessions_expiry ON login_sessions(expires_at);
                """)
        }
        migrator.registerMigration("v1-one-time-codes") { db in
            try db.execute(sql: """
                CREATE TABLE one_time_codes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    purpose TEXT NOT NULL,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    email_key TEXT NOT NULL,
                    code_hash BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    used_at REAL,
                    UNIQUE (purpose, user_id)
                );
                CREATE INDEX one_time_codes_expiry ON one_time_codes(expires_at);
                CREATE TABLE send_cooldowns (
                    purpose TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    last_sent_at REAL NOT NULL,
                    PRIMARY KEY (purpose, subject)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v1-mail-jobs") { db in
            try db.execute(sql: """
                CREATE TABLE mail_jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    run_at REAL NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at REAL,
                    last_error TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX mail_jobs_due ON mail_jobs(state, run_at);
                """)
        }
        migrator.registerMigration("v2-code-address") { db in
            // The address a code was sent to, as typed (the key is lower-cased): an e-mail change
            // needs it to set the new address on confirmation.
            try db.execute(sql: "ALTER TABLE one_time_codes ADD COLUMN email TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v3-auth-events") { db in
            try db.execute(sql: """
                CREATE TABLE auth_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event TEXT NOT NULL,
                    user_id INTEGER,
                    ip TEXT NOT NULL DEFAULT '',
                    user_agent TEXT NOT NULL DEFAULT '',
                    detail TEXT NOT NULL DEFAULT '',
                    created_at REAL NOT NULL
                );
                CREATE INDEX auth_events_user ON auth_events(user_id, created_at);
                CREATE INDEX auth_events_time ON auth_events(created_at);
                """)
        }
        migrator.registerMigration("v4-throttle-hits") { db in
            // Rate-limit windows shared by every API process (see `ThrottleStore`).
            try db.execute(sql: """
                CREATE TABLE throttle_hits (
                    key TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX throttle_hits_key ON throttle_hits(key, at);
                CREATE INDEX throttle_hits_time ON throttle_hits(at);
                """)
        }
        migrator.registerMigration("v5-mail-job-nonce") { db in
            // The random seed of each job's message (see `JobRandom`); jobs queued before have none.
            try db.execute(sql: "ALTER TABLE mail_jobs ADD COLUMN nonce TEXT NOT NULL DEFAULT ''")
        }
        return migrator
    }
}

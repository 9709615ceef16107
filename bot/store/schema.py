"""The database schema as code: named migrations, each applied once, in order, in a
transaction of its own (sqlite-utils `Migrations`). Never edit a migration that shipped;
add the next one."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("followup-bot")


@migrations()
def m001_initial(db: Database) -> None:
    """Feeds (caching and health), entries, stories (one per canonical URL), developments
    (stories about one event), and the outbox of posts and edits."""
    db.execute("""
        CREATE TABLE feeds (
            name TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            baseline_at TEXT,
            last_fetch_at TEXT,
            last_success_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            title TEXT,
            moved_to TEXT,
            gone_at TEXT,
            warned INTEGER NOT NULL DEFAULT 0,
            next_poll_at TEXT,
            next_reason TEXT,
            entries_seen INTEGER NOT NULL DEFAULT 0,
            body_hash TEXT,
            recent TEXT NOT NULL DEFAULT '[]'
        )""")
    # The running service's heartbeat, for `status` and `health`.
    db.execute("""
        CREATE TABLE service (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            last_poll_at TEXT,
            stopped_at TEXT
        )""")
    db.execute("""
        CREATE TABLE developments (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            first_published TEXT NOT NULL,
            lead_story_id INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX developments_first_published ON developments(first_published)")
    db.execute("""
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            canonical_url TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            outlet TEXT NOT NULL,
            published TEXT NOT NULL,
            feed TEXT NOT NULL,
            language TEXT NOT NULL,
            kind TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            digest TEXT,
            digest_source TEXT,
            development_id INTEGER REFERENCES developments(id),
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX stories_development ON stories(development_id)")
    db.execute("""
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            feed TEXT NOT NULL REFERENCES feeds(name),
            guid TEXT NOT NULL,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            content TEXT NOT NULL,
            published TEXT NOT NULL,
            has_date INTEGER NOT NULL,
            author TEXT NOT NULL,
            outlet TEXT NOT NULL,
            language TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            relevant INTEGER NOT NULL,
            score REAL NOT NULL,
            reasons TEXT NOT NULL,
            decision TEXT NOT NULL,
            story_id INTEGER REFERENCES stories(id),
            UNIQUE (feed, guid)
        )""")
    db.execute("CREATE INDEX entries_canonical ON entries(canonical_url)")
    db.execute("CREATE INDEX entries_story ON entries(story_id)")
    # One post per development, ever; at most one edit waiting per development (it renders
    # the coverage as it is when sent, so one is enough however much arrives meanwhile; an
    # edit already being sent does not count, since it may have rendered too early).
    db.execute("""
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            development_id INTEGER REFERENCES developments(id),
            action TEXT NOT NULL CHECK (action IN ('post', 'edit', 'notice')),
            notice TEXT,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            message_id TEXT,
            next_attempt_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sent_at TEXT
        )""")
    db.execute("CREATE UNIQUE INDEX outbox_one_post ON outbox(development_id) WHERE action = 'post'")
    db.execute(
        "CREATE UNIQUE INDEX outbox_one_waiting_edit ON outbox(development_id)"
        " WHERE action = 'edit' AND state = 'pending'"
    )
    db.execute("CREATE INDEX outbox_state ON outbox(state)")
    db.execute("CREATE TABLE llm_usage (day TEXT PRIMARY KEY, requests INTEGER NOT NULL)")
    # Set when Discord rejects our credentials: delivery stops until they change, `retry`
    # clears it, or an hourly probe succeeds (Discord bans IPs that keep sending bad requests).
    db.execute("""
        CREATE TABLE delivery_halt (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            reason TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            halted_at TEXT NOT NULL
        )""")


@migrations()
def m002_retention(db: Database) -> None:
    """Forgetting old irrelevant entries looks them up by when they were first seen."""
    db.execute("CREATE INDEX entries_forgettable ON entries(first_seen_at) WHERE relevant = 0")


@migrations()
def m003_service_interval(db: Database) -> None:
    """The service records its shortest feed interval, so `health` can judge staleness from
    the database alone (feeds.yaml may be missing or invalid while the service runs)."""
    db.execute("ALTER TABLE service ADD COLUMN interval_seconds REAL")


@migrations()
def m004_placement(db: Database) -> None:
    """Why each story joined its development or started one, for `explain --entry`."""
    db.execute("ALTER TABLE stories ADD COLUMN placement TEXT")


@migrations()
def m005_candidate_index(db: Database) -> None:
    """Clustering finds its candidates through indexes, not a scan of every development in
    the window: by kind and time, and by the names a story's lede carries."""
    db.execute("CREATE INDEX developments_kind ON developments(kind, first_published)")
    db.execute("CREATE INDEX stories_development_published ON stories(development_id, published)")
    db.execute("""
        CREATE TABLE story_names (
            name TEXT NOT NULL,
            published TEXT NOT NULL,
            story_id INTEGER NOT NULL REFERENCES stories(id),
            PRIMARY KEY (name, published, story_id)
        ) WITHOUT ROWID""")


@migrations()
def m006_story_image(db: Database) -> None:
    """Each story's picture (from its feed item), shown as the post's thumbnail."""
    db.execute("ALTER TABLE stories ADD COLUMN image TEXT")


@migrations()
def m007_newsroom_outbox(db: Database) -> None:
    """Pings (`discord.ping`): a post may ping when it is news, not history (`may_ping`), says
    whether it did (`pinged`), and a development's coverage surge queues one 'ping' row.
    The story so far (`discord.timeline`): one 'timeline' row waits at a time, and each part
    of it is one message, posted once and edited after (`timeline_parts`). A digest
    (`discord.digest`) is one 'digest' row per period, keyed by the period's end in `notice`.
    With `discord.threads`, each later story of a development is one 'coverage' row, sent
    into the thread of its post (`thread_id`, on the post's row, once the thread exists).
    SQLite cannot change a CHECK constraint: the table is rebuilt with the new actions."""
    db.execute("""
        CREATE TABLE outbox_new (
            id INTEGER PRIMARY KEY,
            development_id INTEGER REFERENCES developments(id),
            action TEXT NOT NULL
                CHECK (action IN ('post', 'edit', 'notice', 'ping', 'timeline', 'digest', 'coverage')),
            notice TEXT,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            message_id TEXT,
            next_attempt_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sent_at TEXT,
            may_ping INTEGER NOT NULL DEFAULT 0,
            pinged INTEGER NOT NULL DEFAULT 0,
            thread_id TEXT,
            story_id INTEGER REFERENCES stories(id)
        )""")
    columns = "id, development_id, action, notice, state, attempts, last_error, message_id,"
    columns += " next_attempt_at, created_at, updated_at, sent_at"
    db.execute(f"INSERT INTO outbox_new ({columns}) SELECT {columns} FROM outbox")
    db.execute("DROP TABLE outbox")
    db.execute("ALTER TABLE outbox_new RENAME TO outbox")
    db.execute("CREATE UNIQUE INDEX outbox_one_post ON outbox(development_id) WHERE action = 'post'")
    db.execute(
        "CREATE UNIQUE INDEX outbox_one_waiting_edit ON outbox(development_id)"
        " WHERE action = 'edit' AND state = 'pending'"
    )
    db.execute("CREATE UNIQUE INDEX outbox_one_ping ON outbox(development_id) WHERE action = 'ping'")
    db.execute(
        "CREATE UNIQUE INDEX outbox_one_waiting_timeline ON outbox(action)"
        " WHERE action = 'timeline' AND state = 'pending'"
    )
    db.execute("CREATE UNIQUE INDEX outbox_one_digest ON outbox(notice) WHERE action = 'digest'")
    db.execute("CREATE UNIQUE INDEX outbox_one_coverage ON outbox(story_id) WHERE action = 'coverage'")
    db.execute("CREATE INDEX outbox_state ON outbox(state)")
    db.execute("CREATE TABLE timeline_parts (part INTEGER PRIMARY KEY, message_id TEXT NOT NULL)")


@migrations()
def m008_muted(db: Database) -> None:
    """`/mute development:` stops the edits and pings of one development."""
    db.execute("ALTER TABLE developments ADD COLUMN muted INTEGER NOT NULL DEFAULT 0")


@migrations()
def m009_story_document(db: Database) -> None:
    """A docket entry's filing (its PDF link), shown as the post's primary source."""
    db.execute("ALTER TABLE stories ADD COLUMN document TEXT")


@migrations()
def m010_google_links(db: Database) -> None:
    """Google News article ids and the publisher URLs they lead to: an id's URL never
    changes, so it is asked for once; `tries` and `error` for the ones Google did not tell."""
    db.execute(
        """CREATE TABLE google_links (
            id TEXT PRIMARY KEY,
            url TEXT,
            tries INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            updated_at TEXT NOT NULL
        )"""
    )

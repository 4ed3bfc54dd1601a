-- Schema version 1: account, contacts, conversations, messages, send queue, poll state and the
-- network caches. Times are milliseconds since the Unix epoch. Session IDs and keys are lowercase
-- hex text (easy to inspect with the sqlite3 shell; checked when read back).

-- The single account this data directory belongs to (one account per directory).
CREATE TABLE account (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    session_id           TEXT    NOT NULL,
    display_name         TEXT,
    read_receipts        INTEGER NOT NULL DEFAULT 0 CHECK (read_receipts IN (0, 1)),
    typing_indicators    INTEGER NOT NULL DEFAULT 0 CHECK (typing_indicators IN (0, 1)),
    notification_content TEXT    NOT NULL DEFAULT 'name_and_content'
        CHECK (notification_content IN ('name_and_content', 'name_only', 'hidden')),
    created_at           INTEGER NOT NULL
) STRICT;

-- Everyone we have exchanged messages with. `approved`: we accepted them (their messages skip
-- the requests list); `approved_me`: they accepted us.
CREATE TABLE contacts (
    session_id  TEXT    PRIMARY KEY,
    name        TEXT,
    approved    INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
    approved_me INTEGER NOT NULL DEFAULT 0 CHECK (approved_me IN (0, 1)),
    blocked     INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One-to-one conversations. A stranger's first message opens one with is_request = 1.
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    peer             TEXT    NOT NULL UNIQUE
        REFERENCES contacts (session_id) ON DELETE CASCADE,
    is_request       INTEGER NOT NULL DEFAULT 0 CHECK (is_request IN (0, 1)),
    last_activity_at INTEGER NOT NULL,
    unread_count     INTEGER NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
    draft            TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX conversations_by_activity ON conversations (is_request, last_activity_at DESC);

-- Messages. `status` is set for outgoing messages only; `is_read` means "I read it" for incoming
-- and "they read it" (read receipt) for outgoing. `server_hash` is the storage-server hash:
-- unique, so a message polled twice is stored once; NULL for outgoing until stored.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    sender          TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    sent_at         INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    server_hash     TEXT    UNIQUE,
    status          TEXT CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    is_read         INTEGER NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1)),
    CHECK ((direction = 'out') = (status IS NOT NULL))
) STRICT;

-- Keyset pagination: newest first within a conversation, ties broken by id.
CREATE INDEX messages_page ON messages (conversation_id, sent_at DESC, id DESC);
-- Small index of what is still unread, for marking a conversation read.
CREATE INDEX messages_unread ON messages (conversation_id)
    WHERE direction = 'in' AND is_read = 0;

-- Outgoing messages still to be sent. `next_attempt_at` NULL = gave up (message is 'failed');
-- while an attempt runs it holds the lease expiry, so a crash mid-send retries after the lease.
-- `payload` is the encrypted data of the first attempt, resent unchanged so that the server
-- hash stays the same and a retry after an unrecorded success is not a duplicate.
CREATE TABLE send_queue (
    message_id      INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER,
    last_error      TEXT,
    payload         TEXT
) STRICT;

CREATE INDEX send_queue_due ON send_queue (next_attempt_at) WHERE next_attempt_at IS NOT NULL;

-- Retrieve cursor per (swarm node, namespace), as Session clients keep it: nodes replicate with
-- a lag, so one node's newest hash may be unknown to another. `expires_at` is the expiry of
-- the message the hash names: after that the server no longer knows the hash.
CREATE TABLE poll_state (
    node_ed25519 TEXT    NOT NULL,
    namespace    INTEGER NOT NULL,
    last_hash    TEXT    NOT NULL,
    expires_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (node_ed25519, namespace)
) STRICT, WITHOUT ROWID;

-- Every storage-server hash already processed (including messages that never become a row,
-- such as receipts), kept until the server would have dropped the message.
CREATE TABLE seen_hashes (
    hash       TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX seen_hashes_expiry ON seen_hashes (expires_at);

-- The service-node pool from the seed nodes (or a node's get_service_nodes).
CREATE TABLE snode_pool (
    ed25519    TEXT    PRIMARY KEY,
    x25519     TEXT    NOT NULL,
    ip         TEXT    NOT NULL,
    port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    swarm_id   INTEGER,
    fetched_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The swarm of an account pubkey (ours, or a recipient's), from get_swarm or a 421 answer.
-- swarm_id is the u64 id stored bit for bit as a signed integer.
CREATE TABLE swarms (
    pubkey     TEXT    PRIMARY KEY,
    swarm_id   INTEGER,
    fetched_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE swarm_nodes (
    pubkey   TEXT    NOT NULL REFERENCES swarms (pubkey) ON DELETE CASCADE,
    ed25519  TEXT    NOT NULL,
    x25519   TEXT    NOT NULL,
    ip       TEXT    NOT NULL,
    port     INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    position INTEGER NOT NULL,
    PRIMARY KEY (pubkey, ed25519)
) STRICT, WITHOUT ROWID;

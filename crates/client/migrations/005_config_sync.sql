-- Schema version 5: config sync. The account's config objects (libsession's user profile,
-- contacts, conversation info and user groups, one per swarm namespace 2 to 5) kept as their
-- local dumps, so merges continue across restarts; and contact nicknames, which only config
-- sync carries; and per conversation the newest sent time read on any device of the account
-- (ConvoInfoVolatile), so messages at or before it arrive read.
CREATE TABLE config_dumps (
    namespace  INTEGER PRIMARY KEY CHECK (namespace BETWEEN 2 AND 5),
    dump       BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

ALTER TABLE contacts ADD COLUMN nickname TEXT;

ALTER TABLE conversations ADD COLUMN read_up_to INTEGER NOT NULL DEFAULT 0;

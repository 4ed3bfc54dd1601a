-- Schema version 4: new messages are added to the search index in batches, not one by one.
-- FTS5 writes a new index segment with every transaction that touches it; indexing each message
-- in the transaction that stores it cost about as much as the rest of that transaction. Now
-- `search_progress.indexed_upto` says which message ids the index covers: every id up to it,
-- none above. The client indexes what lies above in batches (in the background, and before
-- any search), so searches still see every message.
--
-- A deleted or edited message is taken out of the index only if the index holds it. SQLite
-- hands out the id after the largest one in use, so after the newest messages are deleted a new
-- message can get an id at or below `indexed_upto`: that one is indexed at once.

CREATE TABLE search_progress (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto INTEGER NOT NULL
) STRICT;

INSERT INTO search_progress (id, indexed_upto)
    VALUES (1, (SELECT coalesce(max(id), 0) FROM messages));

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN new.id <= (SELECT indexed_upto FROM search_progress WHERE id = 1)
BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.id <= (SELECT indexed_upto FROM search_progress WHERE id = 1)
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
WHEN old.id <= (SELECT indexed_upto FROM search_progress WHERE id = 1)
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

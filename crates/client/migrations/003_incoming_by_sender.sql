-- Schema version 3: find an incoming message by its sender and signed sent time. Session
-- clients treat (sender, sent time) as a message's identity, so a message re-wrapped and stored
-- again under another server hash (a replay) is recognised and dropped.
CREATE INDEX messages_in_by_sender ON messages (sender, sent_at) WHERE direction = 'in';

-- The customer page lists a customer's own latest group messages: without
-- this index that is a scan of every group's history on each page view.
CREATE INDEX group_messages_sender_idx ON group_messages (sender_kind, sender_id, id);

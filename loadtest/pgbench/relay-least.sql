-- The least work the database must do for one relay send to an account with 2 devices,
-- delivered and acked: the yardstick of issue 12, whatever statements the server uses.
--   The send: ONE statement, committed durably (autocommit). It takes both devices' next
--   sequence numbers (UPDATE ... RETURNING: the rows stay locked until the commit, so queue
--   order stays commit order, as in schema/0003_message_queues.sql) and inserts both
--   envelopes from them. The outer SELECT only folds the 2 inserted rows into one, because
--   \gset needs exactly one row; it reads no table.
--   Then per device (each on its own WebSocket) the delivery fetch, a single statement
--   outside a transaction, and the ack DELETE in its own transaction with
--   synchronous_commit off (an ack does not wait for the WAL flush).
-- What it leaves out on purpose, against relay.sql: the device-set and queue-cap checks,
-- pg_notify, and the separate round trips. The server needs the checks; the point of this
-- figure is how close the server gets to the rows it cannot avoid touching.
-- Needs bench_relay(i, account_id): the receiver accounts (devices 1 and 2 each), numbered
-- 1..:receivers (run-benchmarks.sh makes it). Run with -M extended.
\set i random(1, :receivers)
WITH d AS (UPDATE devices SET next_message_seq = next_message_seq + 1 WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id IN (1, 2) RETURNING account_id, device_id, next_message_seq - 1 AS seq), m AS (INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type, content, client_timestamp, server_timestamp, expires_at) SELECT account_id, device_id, seq, gen_random_uuid(), account_id, 1, 1, '\x3137303030303030303030303030303030', 1700000000000, 1700000000000, now() + make_interval(secs => 2592000000::double precision / 1000) FROM d RETURNING device_id, seq, guid) SELECT min(seq) FILTER (WHERE device_id = 1) AS seq1, min(guid::text) FILTER (WHERE device_id = 1) AS guid1, min(seq) FILTER (WHERE device_id = 2) AS seq2, min(guid::text) FILTER (WHERE device_id = 2) AS guid2 FROM m \gset
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 AND seq > :seq1 - 1 AND expires_at > now() ORDER BY seq LIMIT 256;
BEGIN;
SET LOCAL synchronous_commit = off;
DELETE FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 AND guid = :guid1::uuid;
COMMIT;
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 AND seq > :seq2 - 1 AND expires_at > now() ORDER BY seq LIMIT 256;
BEGIN;
SET LOCAL synchronous_commit = off;
DELETE FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 AND guid = :guid2::uuid;
COMMIT;

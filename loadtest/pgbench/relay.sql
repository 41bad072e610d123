-- The database work of one relay send to an account with 2 devices, as the server does it
-- (server/storage/message_repository.cpp enqueue(), fetch_envelopes(), delete_envelopes()):
--   one transaction: recipient devices FOR KEY SHARE, then per device in ascending order the
--   queue-cap check, the seq UPDATE ... RETURNING, the INSERT ... RETURNING guid, pg_notify;
--   then per device (each on its own WebSocket) the delivery fetch, a single statement
--   outside a transaction, and the ack DELETE in its own transaction with synchronous_commit
--   off (an ack does not wait for the WAL flush; see delete_envelopes()).
-- Needs bench_relay(i, account_id): the receiver accounts, numbered 1..:receivers
-- (run-benchmarks.sh makes it). Run with -M extended: the server uses parameterised queries.
\set i random(1, :receivers)
BEGIN;
SELECT device_id, registration_id FROM devices WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) ORDER BY device_id FOR KEY SHARE;
SELECT count(*) >= 100000 FROM (SELECT 1 FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 LIMIT 100000) q;
UPDATE devices SET next_message_seq = next_message_seq + 1 WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 RETURNING next_message_seq - 1 AS seq1 \gset
INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type, content, client_timestamp, server_timestamp, expires_at) VALUES ((SELECT account_id FROM bench_relay WHERE i = :i), 1, :seq1, gen_random_uuid(), (SELECT account_id FROM bench_relay WHERE i = :i), 1, 1, '\x3137303030303030303030303030303030', 1700000000000, 1700000000000, now() + make_interval(secs => 2592000000::double precision / 1000)) RETURNING guid::text AS guid1 \gset
SELECT pg_notify('sealpost', 'm ' || (SELECT account_id FROM bench_relay WHERE i = :i)::text || ' 1');
SELECT count(*) >= 100000 FROM (SELECT 1 FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 LIMIT 100000) q;
UPDATE devices SET next_message_seq = next_message_seq + 1 WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 RETURNING next_message_seq - 1 AS seq2 \gset
INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type, content, client_timestamp, server_timestamp, expires_at) VALUES ((SELECT account_id FROM bench_relay WHERE i = :i), 2, :seq2, gen_random_uuid(), (SELECT account_id FROM bench_relay WHERE i = :i), 1, 1, '\x3137303030303030303030303030303030', 1700000000000, 1700000000000, now() + make_interval(secs => 2592000000::double precision / 1000)) RETURNING guid::text AS guid2 \gset
SELECT pg_notify('sealpost', 'm ' || (SELECT account_id FROM bench_relay WHERE i = :i)::text || ' 2');
COMMIT;
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 AND seq > :seq1 - 1 AND expires_at > now() ORDER BY seq LIMIT 256;
BEGIN;
SET LOCAL synchronous_commit = off;
DELETE FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 AND guid = ANY(('{' || :guid1 || '}')::uuid[]);
COMMIT;
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 AND seq > :seq2 - 1 AND expires_at > now() ORDER BY seq LIMIT 256;
BEGIN;
SET LOCAL synchronous_commit = off;
DELETE FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 AND guid = ANY(('{' || :guid2 || '}')::uuid[]);
COMMIT;

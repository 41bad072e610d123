-- The database work of one relay send to an account with 2 devices, as the server does it
-- (server/storage/message_repository.cpp: kSend, kFetch, kDelete, with the parameters the
-- server would bind written in): the send is one call of sealpost_send, its own transaction
-- (checks, sequence numbers, inserts; schema/0006_send_function.sql); then per device the
-- delivery fetch and the ack (sealpost_ack), each its own transaction, the ack with
-- synchronous_commit off. The wake-up NOTIFY is left out: the server sends one per batch of
-- sends (every messages.wakeup_batch_ms), not per send. Regenerate by hand when those
-- statements change.
-- Needs bench_relay(i, account_id, reg1, reg2): the receiver accounts, numbered
-- 1..:receivers, with their devices' registration ids (run-benchmarks.sh makes it).
-- Run with -M extended: the server uses parameterised queries.
\set i random(1, :receivers)
SELECT split_part(split_part(inserted, ',', 1), ' ', 2) AS guid1, split_part(split_part(inserted, ',', 2), ' ', 2) AS guid2 FROM sealpost_send((SELECT account_id FROM bench_relay WHERE i = :i)::uuid, (SELECT account_id FROM bench_relay WHERE i = 1 + :i::integer % :receivers::integer)::uuid, 1::integer, '{1,2}'::integer[], ARRAY[(SELECT reg1 FROM bench_relay WHERE i = :i), (SELECT reg2 FROM bench_relay WHERE i = :i)]::integer[], '{1,1}'::bigint[], '{1,18}'::integer[], '{17,17}'::integer[], '\x31373030303030303030303030303030303137303030303030303030303030303030'::bytea, 1700000000000::bigint, 1700000000000::bigint, 2592000000::bigint, 100000::bigint, false::boolean) \gset
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 AND seq > 0 AND expires_at > now() ORDER BY seq LIMIT 256;
SELECT sealpost_ack((SELECT account_id FROM bench_relay WHERE i = :i)::uuid, 1::integer, ARRAY[:guid1::uuid], false::boolean);
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 AND seq > 0 AND expires_at > now() ORDER BY seq LIMIT 256;
SELECT sealpost_ack((SELECT account_id FROM bench_relay WHERE i = :i)::uuid, 2::integer, ARRAY[:guid2::uuid], false::boolean);

-- relay-least.sql with its send as one call of bench_least_send (least-functions.sql): the
-- same rows, one round trip, one durable commit; then per device the same delivery fetch,
-- and the ack DELETE (synchronous_commit off) as one call of bench_least_ack. The form of the least row work that Citus runs
-- on one worker (relay-least.sql's single statement is split into distributed subplans
-- there); run-benchmarks.sh uses it with LEAST=function, the default on Citus.
-- Needs bench_relay(i, account_id): the receiver accounts (devices 1 and 2 each), numbered
-- 1..:receivers (run-benchmarks.sh makes it). Run with -M extended.
\set i random(1, :receivers)
SELECT seq1, guid1::text AS guid1, seq2, guid2::text AS guid2 FROM bench_least_send((SELECT account_id FROM bench_relay WHERE i = :i)::uuid) \gset
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 1 AND seq > :seq1 - 1 AND expires_at > now() ORDER BY seq LIMIT 256;
SELECT bench_least_ack((SELECT account_id FROM bench_relay WHERE i = :i)::uuid, 1, :guid1::uuid);
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content, client_timestamp, server_timestamp FROM messages WHERE account_id = (SELECT account_id FROM bench_relay WHERE i = :i) AND device_id = 2 AND seq > :seq2 - 1 AND expires_at > now() ORDER BY seq LIMIT 256;
SELECT bench_least_ack((SELECT account_id FROM bench_relay WHERE i = :i)::uuid, 2, :guid2::uuid);

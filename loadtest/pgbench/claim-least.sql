-- The least work the database must do for one prekey bundle claim for one device: ONE
-- statement, committed durably (autocommit), one round trip. It returns the bundle row
-- (device, signed prekey, PQ last resort) with one EC and one PQ one-time key, each
-- claimed as claim.sql does (DELETE ... WHERE (..) = (SELECT .. FOR UPDATE SKIP LOCKED)
-- RETURNING, so concurrent claims never hand out one key twice) and remembered in
-- claimed_prekeys. An empty pool gives NULL key columns, as the server's claim does.
-- The yardstick of issue 12 for the claim, whatever statements the server uses.
-- Needs bench_claim(i, account_id): the target accounts, numbered 1..:targets
-- (run-benchmarks.sh makes it and refills their key pools). Run with -M extended.
\set i random(1, :targets)
WITH t AS (SELECT account_id FROM bench_claim WHERE i = :i), ec AS (DELETE FROM one_time_prekeys WHERE (account_id, device_id, key_id) = (SELECT account_id, device_id, key_id FROM one_time_prekeys WHERE account_id = (SELECT account_id FROM t) AND device_id = 1 ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING account_id, device_id, key_id, public_key), pq AS (DELETE FROM pq_one_time_prekeys WHERE (account_id, device_id, key_id) = (SELECT account_id, device_id, key_id FROM pq_one_time_prekeys WHERE account_id = (SELECT account_id FROM t) AND device_id = 1 ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING account_id, device_id, key_id, public_key, signature), remembered AS (INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id) SELECT account_id, device_id, false, key_id FROM ec UNION ALL SELECT account_id, device_id, true, key_id FROM pq ON CONFLICT DO NOTHING) SELECT d.device_id, d.registration_id, d.identity_key, s.key_id, s.public_key, s.signature, l.key_id, l.public_key, l.signature, ec.key_id, ec.public_key, pq.key_id, pq.public_key, pq.signature FROM devices d JOIN signed_prekeys s USING (account_id, device_id) LEFT JOIN pq_last_resort_prekeys l USING (account_id, device_id) LEFT JOIN ec ON ec.device_id = d.device_id LEFT JOIN pq ON pq.device_id = d.device_id WHERE d.account_id = (SELECT account_id FROM t) AND d.device_id = 1;

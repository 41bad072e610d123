-- The database work of one prekey bundle claim for one device, as the server does it
-- (server/storage/key_repository.cpp claim_bundles()): in one transaction the bundle row
-- (device, signed prekey, PQ last resort), then the EC and the PQ one-time key claims: a
-- DELETE ... WHERE (..) = (SELECT .. FOR UPDATE SKIP LOCKED) RETURNING, remembered in
-- claimed_prekeys.
-- Needs bench_claim(i, account_id): the target accounts, numbered 1..:targets
-- (run-benchmarks.sh makes it and refills their key pools). Run with -M extended.
\set i random(1, :targets)
BEGIN;
SELECT d.device_id, d.registration_id, d.identity_key, s.key_id, s.public_key, s.signature, l.key_id, l.public_key, l.signature FROM devices d JOIN signed_prekeys s USING (account_id, device_id) LEFT JOIN pq_last_resort_prekeys l USING (account_id, device_id) WHERE d.account_id = (SELECT account_id FROM bench_claim WHERE i = :i) AND (1::integer IS NULL OR d.device_id = 1) ORDER BY d.device_id;
WITH claimed AS (DELETE FROM one_time_prekeys WHERE (account_id, device_id, key_id) = (SELECT account_id, device_id, key_id FROM one_time_prekeys WHERE account_id = (SELECT account_id FROM bench_claim WHERE i = :i) AND device_id = 1 ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING account_id, device_id, key_id, public_key), remembered AS (INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id) SELECT account_id, device_id, false, key_id FROM claimed ON CONFLICT DO NOTHING) SELECT key_id, public_key FROM claimed;
WITH claimed AS (DELETE FROM pq_one_time_prekeys WHERE (account_id, device_id, key_id) = (SELECT account_id, device_id, key_id FROM pq_one_time_prekeys WHERE account_id = (SELECT account_id FROM bench_claim WHERE i = :i) AND device_id = 1 ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING account_id, device_id, key_id, public_key, signature), remembered AS (INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id) SELECT account_id, device_id, true, key_id FROM claimed ON CONFLICT DO NOTHING) SELECT key_id, public_key, signature FROM claimed;
COMMIT;

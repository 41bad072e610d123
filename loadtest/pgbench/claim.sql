-- The database work of one prekey bundle claim for one device, as the server does it
-- (server/storage/key_repository.cpp: kClaim, with the parameters the server would bind
-- written in): one call of sealpost_claim (schema/0007_claim_function.sql), its own
-- transaction: the bundle row (device, signed prekey, PQ last resort), one EC and one PQ
-- one-time key claimed (DELETE of a row locked FOR UPDATE SKIP LOCKED, remembered in
-- claimed_prekeys), and whether a pool fell below the watermark (10). Regenerate by hand
-- when kClaim changes.
-- Needs bench_claim(i, account_id): the target accounts, numbered 1..:targets
-- (run-benchmarks.sh makes it and refills their key pools). Run with -M extended.
\set i random(1, :targets)
SELECT * FROM sealpost_claim((SELECT account_id FROM bench_claim WHERE i = :i)::uuid, 1::integer, 10::bigint);

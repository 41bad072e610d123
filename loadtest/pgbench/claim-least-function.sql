-- claim-least.sql as one call of bench_least_claim (least-functions.sql): the same rows
-- (one EC and one PQ one-time key of device 1 claimed FOR UPDATE SKIP LOCKED, deleted and
-- remembered; the bundle row), one round trip, one durable commit. The form of the least
-- row work that Citus runs on one worker (claim-least.sql's single statement is refused
-- there); run-benchmarks.sh uses it with LEAST=function, the default on Citus.
-- Needs bench_claim(i, account_id): the target accounts, numbered 1..:targets
-- (run-benchmarks.sh makes it and refills their key pools). Run with -M extended.
\set i random(1, :targets)
SELECT * FROM bench_least_claim((SELECT account_id FROM bench_claim WHERE i = :i)::uuid);

-- The least row work of relay-least.sql's send and of claim-least.sql, as functions, for
-- Citus. Those single statements (data-modifying CTEs) are not router queries on Citus:
-- EXPLAIN on the coordinator shows the send split into distributed subplans whose rows
-- travel through the coordinator, and the claim refused ("could not run distributed query
-- with FOR UPDATE/SHARE commands"; docs/scaling.md, "Cost of Citus on one machine"). As a
-- function distributed by its account argument (run-benchmarks.sh calls
-- create_distributed_function on Citus), one call is one round trip to the worker that holds
-- the account, where each statement touches that shard only. The rows touched are the same:
--   bench_least_send: both devices' next sequence numbers (UPDATE ... RETURNING, rows locked
--     to the commit, device 1 then 2, the order of relay-least.sql's UPDATE), both envelopes
--     inserted in one INSERT, with the content and expiry of relay-least.sql;
--   bench_least_ack: one envelope deleted by (account, device, guid), committed with
--     synchronous_commit off, as relay-least.sql's ack. (relay-least.sql sets it with SET
--     LOCAL in a transaction block; on Citus the coordinator does not pass SET LOCAL on to
--     the worker unless citus.propagate_set_commands = 'local', so each ack would wait for
--     the worker's WAL flush: 50 such commits made 50 WAL syncs on the worker, measured with
--     pg_stat_wal.wal_sync, and 0-1 with the setting passed on.)
--   bench_least_claim: one EC and one PQ one-time key of device 1, each deleted where
--     (SELECT ... FOR UPDATE SKIP LOCKED) finds it and remembered in claimed_prekeys, and
--     the bundle row (device, signed prekey, PQ last resort), as claim-least.sql.
-- No device-set check, no queue cap, no watermark: the least work, as in the statements.
-- run-benchmarks.sh loads this file into the benchmark database (LEAST=function).
CREATE OR REPLACE FUNCTION bench_least_send(account uuid,
  OUT seq1 bigint, OUT guid1 uuid, OUT seq2 bigint, OUT guid2 uuid)
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE devices d SET next_message_seq = d.next_message_seq + 1
    WHERE d.account_id = account AND d.device_id = 1 RETURNING d.next_message_seq - 1 INTO seq1;
  UPDATE devices d SET next_message_seq = d.next_message_seq + 1
    WHERE d.account_id = account AND d.device_id = 2 RETURNING d.next_message_seq - 1 INTO seq2;
  guid1 := gen_random_uuid();
  guid2 := gen_random_uuid();
  INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type,
                        content, client_timestamp, server_timestamp, expires_at)
  VALUES (account, 1, seq1, guid1, account, 1, 1, '\x3137303030303030303030303030303030',
          1700000000000, 1700000000000, now() + make_interval(secs => 2592000000::double precision / 1000)),
         (account, 2, seq2, guid2, account, 1, 1, '\x3137303030303030303030303030303030',
          1700000000000, 1700000000000, now() + make_interval(secs => 2592000000::double precision / 1000));
END $$;

CREATE OR REPLACE FUNCTION bench_least_ack(account uuid, device integer, guid uuid)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  DELETE FROM messages m WHERE m.account_id = account AND m.device_id = device AND m.guid = bench_least_ack.guid;
END $$;

CREATE OR REPLACE FUNCTION bench_least_claim(account uuid)
RETURNS TABLE (
  r_device_id integer, r_registration_id integer, r_identity_key bytea,
  r_signed_key_id bigint, r_signed_public_key bytea, r_signed_signature bytea,
  r_last_resort_key_id bigint, r_last_resort_public_key bytea, r_last_resort_signature bytea,
  r_ec_key_id bigint, r_ec_public_key bytea,
  r_pq_key_id bigint, r_pq_public_key bytea, r_pq_signature bytea)
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM one_time_prekeys o
    WHERE o.account_id = account AND (o.account_id, o.device_id, o.key_id) = (
      SELECT k.account_id, k.device_id, k.key_id FROM one_time_prekeys k
      WHERE k.account_id = account AND k.device_id = 1 ORDER BY k.key_id LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING o.key_id, o.public_key INTO r_ec_key_id, r_ec_public_key;
  DELETE FROM pq_one_time_prekeys o
    WHERE o.account_id = account AND (o.account_id, o.device_id, o.key_id) = (
      SELECT k.account_id, k.device_id, k.key_id FROM pq_one_time_prekeys k
      WHERE k.account_id = account AND k.device_id = 1 ORDER BY k.key_id LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING o.key_id, o.public_key, o.signature INTO r_pq_key_id, r_pq_public_key, r_pq_signature;
  IF r_ec_key_id IS NOT NULL THEN
    INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id)
      VALUES (account, 1, false, r_ec_key_id) ON CONFLICT DO NOTHING;
  END IF;
  IF r_pq_key_id IS NOT NULL THEN
    INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id)
      VALUES (account, 1, true, r_pq_key_id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN QUERY
    SELECT d.device_id, d.registration_id, d.identity_key, s.key_id, s.public_key, s.signature,
           l.key_id, l.public_key, l.signature, r_ec_key_id, r_ec_public_key, r_pq_key_id,
           r_pq_public_key, r_pq_signature
    FROM devices d
    JOIN signed_prekeys s ON s.account_id = d.account_id AND s.device_id = d.device_id
    LEFT JOIN pq_last_resort_prekeys l ON l.account_id = d.account_id AND l.device_id = d.device_id
    WHERE d.account_id = account AND d.device_id = 1;
END $$;

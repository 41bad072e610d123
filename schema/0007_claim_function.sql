-- A bundle claim as one function call, for the same reason as sealpost_send (schema 6): on
-- Citus the call runs on the worker that holds the account's shard, where the single
-- statement with data-modifying CTEs it replaces was split into seven subplans.
-- Only adds a function: nodes of schema 4 keep serving.
-- sealpost:compatible_from 4
--
-- One row per device of `account` (only `device` when it is not NULL), in device order:
-- the device's identity and signed prekey, its PQ last-resort key, and one EC and one PQ
-- one-time key. Each one-time key is locked, deleted and remembered in claimed_prekeys;
-- keys locked by a concurrent claim are skipped rather than waited for, so no key is handed
-- out twice and claimers never queue behind each other. The last column says whether a
-- one-time pool of the device is now below `watermark` (counting stops at it).
CREATE FUNCTION sealpost_claim(account uuid, device integer, watermark bigint)
RETURNS TABLE (
  r_device_id integer, r_registration_id integer, r_identity_key bytea,
  r_signed_key_id bigint, r_signed_public_key bytea, r_signed_signature bytea,
  r_last_resort_key_id bigint, r_last_resort_public_key bytea, r_last_resort_signature bytea,
  r_ec_key_id bigint, r_ec_public_key bytea,
  r_pq_key_id bigint, r_pq_public_key bytea, r_pq_signature bytea,
  r_low boolean)
LANGUAGE plpgsql AS $$
BEGIN
  FOR r_device_id, r_registration_id, r_identity_key, r_signed_key_id, r_signed_public_key,
      r_signed_signature, r_last_resort_key_id, r_last_resort_public_key,
      r_last_resort_signature IN
    SELECT d.device_id, d.registration_id, d.identity_key, s.key_id, s.public_key,
           s.signature, l.key_id, l.public_key, l.signature
    FROM devices d
    JOIN signed_prekeys s ON s.account_id = d.account_id AND s.device_id = d.device_id
    LEFT JOIN pq_last_resort_prekeys l
      ON l.account_id = d.account_id AND l.device_id = d.device_id
    WHERE d.account_id = account AND (device IS NULL OR d.device_id = device)
    ORDER BY d.device_id
  LOOP
    r_ec_key_id := NULL; r_ec_public_key := NULL;
    r_pq_key_id := NULL; r_pq_public_key := NULL; r_pq_signature := NULL;

    SELECT o.key_id INTO r_ec_key_id FROM one_time_prekeys o
      WHERE o.account_id = account AND o.device_id = r_device_id
      ORDER BY o.key_id LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF r_ec_key_id IS NOT NULL THEN
      DELETE FROM one_time_prekeys o
        WHERE o.account_id = account AND o.device_id = r_device_id AND o.key_id = r_ec_key_id
        RETURNING o.public_key INTO r_ec_public_key;
      INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id)
        VALUES (account, r_device_id, false, r_ec_key_id) ON CONFLICT DO NOTHING;
    END IF;

    SELECT o.key_id INTO r_pq_key_id FROM pq_one_time_prekeys o
      WHERE o.account_id = account AND o.device_id = r_device_id
      ORDER BY o.key_id LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF r_pq_key_id IS NOT NULL THEN
      DELETE FROM pq_one_time_prekeys o
        WHERE o.account_id = account AND o.device_id = r_device_id AND o.key_id = r_pq_key_id
        RETURNING o.public_key, o.signature INTO r_pq_public_key, r_pq_signature;
      INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id)
        VALUES (account, r_device_id, true, r_pq_key_id) ON CONFLICT DO NOTHING;
    END IF;

    r_low := (SELECT count(*) FROM (SELECT 1 FROM one_time_prekeys o
                WHERE o.account_id = account AND o.device_id = r_device_id
                LIMIT watermark) q) < watermark
          OR (SELECT count(*) FROM (SELECT 1 FROM pq_one_time_prekeys o
                WHERE o.account_id = account AND o.device_id = r_device_id
                LIMIT watermark) q) < watermark;
    RETURN NEXT;
  END LOOP;
END $$;

-- Sealed envelopes (DESIGN.md, "Delivery of sealed envelopes") keep no sender: their
-- source_account and source_device are NULL, and a sealed send names no sending device to
-- leave out of the recipient's device set.
--
-- Not expand-only: nodes of schema 8 and older read every source as NOT NULL and could not
-- deliver a sealed envelope, so once this is applied they report not ready and new nodes
-- serve alone (deploy/README.md, "Rolling upgrades").
ALTER TABLE messages
  ALTER COLUMN source_account DROP NOT NULL,
  ALTER COLUMN source_device DROP NOT NULL,
  ADD CONSTRAINT messages_source_whole CHECK ((source_account IS NULL) = (source_device IS NULL));

-- sealpost_send of schema 6 with one change: a NULL sender (a sealed send) leaves no device
-- out of the set it checks. With a sender, it does what it did.
CREATE OR REPLACE FUNCTION sealpost_send(
  recipient uuid, sender uuid, sender_device integer,
  device_ids integer[], registration_ids integer[], types bigint[], starts integer[],
  lengths integer[], contents bytea,
  client_timestamp bigint, server_timestamp bigint, ttl_ms bigint, queue_cap bigint,
  online_only boolean,
  OUT recipient_found boolean, OUT missing text, OUT extra text, OUT stale text,
  OUT full_device integer, OUT inserted text)
LANGUAGE plpgsql AS $$
DECLARE
  known_ids integer[];
  known_registrations integer[];
  known_next_seqs bigint[];
  reachable integer[];
  device integer;
  i integer;
  next_seq bigint;
  lowest_seq bigint;
  guid uuid;
BEGIN
  -- The recipient's devices, less the sending device itself (none when sealed).
  SELECT coalesce(array_agg(d.device_id ORDER BY d.device_id), '{}'),
         coalesce(array_agg(d.registration_id ORDER BY d.device_id), '{}'),
         coalesce(array_agg(d.next_message_seq ORDER BY d.device_id), '{}'),
         count(*) > 0
    INTO known_ids, known_registrations, known_next_seqs, recipient_found
    FROM (SELECT r.device_id, r.registration_id, r.next_message_seq FROM devices r
          WHERE r.account_id = recipient FOR KEY SHARE) d;
  SELECT coalesce(array_agg(k.id ORDER BY k.ord), '{}'), coalesce(array_agg(k.reg ORDER BY k.ord), '{}'),
         coalesce(array_agg(k.next ORDER BY k.ord), '{}')
    INTO known_ids, known_registrations, known_next_seqs
    FROM unnest(known_ids, known_registrations, known_next_seqs) WITH ORDINALITY
         AS k(id, reg, next, ord)
    WHERE sender IS NULL OR sender <> recipient OR k.id <> sender_device;

  SELECT array_to_string(ARRAY(SELECT k FROM unnest(known_ids) k
                               WHERE k <> ALL (device_ids) ORDER BY k), ','),
         array_to_string(ARRAY(SELECT n.id FROM unnest(device_ids) WITH ORDINALITY n(id, ord)
                               WHERE n.id <> ALL (known_ids) ORDER BY n.ord), ','),
         array_to_string(ARRAY(
           SELECT n.id FROM unnest(device_ids, registration_ids) WITH ORDINALITY n(id, reg, ord)
           JOIN unnest(known_ids, known_registrations) k(id, reg) ON k.id = n.id
           WHERE k.reg <> n.reg ORDER BY n.ord), ',')
    INTO missing, extra, stale;
  IF NOT recipient_found OR missing <> '' OR extra <> '' OR stale <> '' THEN
    RETURN;
  END IF;

  reachable := device_ids;
  IF online_only THEN
    reachable := ARRAY(SELECT n FROM unnest(device_ids) n WHERE n IN (
      SELECT p.device_id FROM device_presence p
      WHERE p.account_id = recipient AND p.device_id = ANY (device_ids)));
  END IF;

  -- The queue cap: a queue holds at most its next seq minus its lowest queued seq (one
  -- index probe); the exact count, which stops at the cap, runs only when that bound
  -- reaches it.
  FOREACH device IN ARRAY ARRAY(SELECT r FROM unnest(reachable) r ORDER BY r) LOOP
    next_seq := known_next_seqs[array_position(known_ids, device)];
    SELECT min(m.seq) INTO lowest_seq FROM messages m
      WHERE m.account_id = recipient AND m.device_id = device;
    IF next_seq - coalesce(lowest_seq, next_seq) >= queue_cap AND (
         SELECT count(*) FROM (SELECT 1 FROM messages m
           WHERE m.account_id = recipient AND m.device_id = device LIMIT queue_cap) q)
         >= queue_cap THEN
      full_device := device;
      RETURN;
    END IF;
  END LOOP;

  PERFORM 1 FROM devices d
    WHERE d.account_id = recipient AND d.device_id = ANY (reachable)
    ORDER BY d.device_id FOR NO KEY UPDATE;
  FOR i IN 1 .. coalesce(array_length(device_ids, 1), 0) LOOP
    CONTINUE WHEN NOT device_ids[i] = ANY (reachable);
    UPDATE devices d SET next_message_seq = d.next_message_seq + 1
      WHERE d.account_id = recipient AND d.device_id = device_ids[i]
      RETURNING d.next_message_seq - 1 INTO next_seq;
    guid := gen_random_uuid();
    INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type,
                          content, client_timestamp, server_timestamp, expires_at)
    VALUES (recipient, device_ids[i], next_seq, guid, sender, sender_device, types[i],
            substring(contents FROM starts[i] FOR lengths[i]), client_timestamp,
            server_timestamp, now() + make_interval(secs => ttl_ms::double precision / 1000));
    inserted := concat_ws(',', inserted, device_ids[i] || ' ' || guid);
  END LOOP;
END $$;

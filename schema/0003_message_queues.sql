-- Per-device queues of ciphertext envelopes.
--
-- Ordering: every send takes its envelopes' sequence numbers from the destination device's
-- row (UPDATE ... RETURNING), which stays locked until the send commits. Two sends to one
-- device therefore commit in the order of their numbers, so a reader that has seen seq N
-- can never later find a committed envelope with a number below N: nothing is skipped.
ALTER TABLE devices ADD COLUMN next_message_seq bigint NOT NULL DEFAULT 1;

CREATE TABLE messages (
  account_id       uuid     NOT NULL,
  device_id        integer  NOT NULL,
  seq              bigint   NOT NULL,
  guid             uuid     NOT NULL UNIQUE,
  source_account   uuid     NOT NULL,
  source_device    integer  NOT NULL,
  type             bigint   NOT NULL CHECK (type BETWEEN 0 AND 4294967295),
  content          bytea    NOT NULL,
  client_timestamp bigint   NOT NULL,
  server_timestamp bigint   NOT NULL,
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (account_id, device_id, seq),
  FOREIGN KEY (account_id, device_id) REFERENCES devices ON DELETE CASCADE
);
CREATE INDEX messages_expiry ON messages (expires_at);

-- Which devices hold a WebSocket now, for online-only sends. Each connection writes its own
-- id, so a displaced connection's goodbye cannot erase its successor's row. A node that
-- dies leaves rows behind until the device reconnects: online-only sends to such a device
-- are queued (and expire) rather than dropped.
CREATE TABLE device_presence (
  account_id    uuid    NOT NULL,
  device_id     integer NOT NULL,
  connection_id uuid    NOT NULL,
  since      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, device_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices ON DELETE CASCADE
);

-- The ids of one-time prekeys already handed out, so that a client re-sending an upload
-- (say, after a lost response) cannot put a claimed key back into the pool: each one-time
-- key is handed out at most once, ever.
CREATE TABLE claimed_prekeys (
  account_id uuid    NOT NULL,
  device_id  integer NOT NULL,
  pq         boolean NOT NULL,
  key_id     bigint  NOT NULL,
  PRIMARY KEY (account_id, device_id, pq, key_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices ON DELETE CASCADE
);

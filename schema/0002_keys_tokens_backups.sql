-- The prekey directory, device-link and invite tokens, and per-account backups.
-- Every per-device row references its device with ON DELETE CASCADE, so removing a device
-- (or its account) removes its keys in the same transaction.

-- Device ids are never reused within an account, so a stale session can never address a
-- newer device that happens to get the same id.
ALTER TABLE accounts ADD COLUMN next_device_id integer NOT NULL DEFAULT 2;

CREATE TABLE signed_prekeys (
  account_id uuid    NOT NULL,
  device_id  integer NOT NULL,
  key_id     bigint  NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
  public_key bytea   NOT NULL,
  signature  bytea   NOT NULL,
  PRIMARY KEY (account_id, device_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices ON DELETE CASCADE
);

CREATE TABLE pq_last_resort_prekeys (
  account_id uuid    NOT NULL,
  device_id  integer NOT NULL,
  key_id     bigint  NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
  public_key bytea   NOT NULL,
  signature  bytea   NOT NULL,
  PRIMARY KEY (account_id, device_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices ON DELETE CASCADE
);

CREATE TABLE one_time_prekeys (
  account_id uuid    NOT NULL,
  device_id  integer NOT NULL,
  key_id     bigint  NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
  public_key bytea   NOT NULL,
  PRIMARY KEY (account_id, device_id, key_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices ON DELETE CASCADE
);

CREATE TABLE pq_one_time_prekeys (
  account_id uuid    NOT NULL,
  device_id  integer NOT NULL,
  key_id     bigint  NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
  public_key bytea   NOT NULL,
  signature  bytea   NOT NULL,
  PRIMARY KEY (account_id, device_id, key_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices ON DELETE CASCADE
);

-- Tokens are stored as SHA-256 hashes: a database dump does not hand them out.
CREATE TABLE link_tokens (
  token_hash bytea PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX link_tokens_expiry ON link_tokens (expires_at);

CREATE TABLE invites (
  token_hash bytea PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at    timestamptz,
  used_by    uuid
);

CREATE TABLE backups (
  account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  blob       bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

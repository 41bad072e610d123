-- Accounts and their devices: who may authenticate, and the public identity of each device.
CREATE TABLE accounts (
  id         uuid PRIMARY KEY,
  username   text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
  account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  device_id       integer NOT NULL CHECK (device_id >= 1),
  registration_id integer NOT NULL CHECK (registration_id BETWEEN 1 AND 16380),
  identity_key    bytea NOT NULL,
  password_salt   bytea NOT NULL,
  password_hash   bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, device_id)
);

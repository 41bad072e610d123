-- Sealed sender (DESIGN.md, "Sealed sender"): the keys every node signs delivery
-- certificates with, and each account's unidentified access key. Expand only: nodes of
-- schema 4 keep serving (they never read either).
-- sealpost:compatible_from 4

-- The one-command default ("auto mode"): the first node to start makes a trust root and a
-- server certificate, offers them here, and every node uses whichever row won. The trust
-- root's private key is never stored. The server's private key is: whoever reads this row
-- can issue sender certificates, so operators who keep it elsewhere configure the files of
-- [sealed_sender] instead. One row at most; on Citus it stays on the coordinator, read once
-- per node start.
CREATE TABLE sealed_sender_keys (
  singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  trust_root         bytea NOT NULL CHECK (length(trust_root) = 33),
  server_certificate bytea NOT NULL,
  server_private_key text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- 16 opaque bytes that the account's contacts present to send to it without credentials
-- (NULL: none), and whether any key will do. Stored raw: a multi-recipient send checks the
-- XOR of several accounts' keys.
ALTER TABLE accounts
  ADD COLUMN unidentified_access_key bytea
    CHECK (unidentified_access_key IS NULL OR length(unidentified_access_key) = 16),
  ADD COLUMN unrestricted_unidentified_access boolean NOT NULL DEFAULT false;

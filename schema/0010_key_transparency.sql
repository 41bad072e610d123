-- Key transparency, stage 1 (DESIGN.md, "Key transparency, stage 1"): the append-only log of
-- every account's device set and every username's account, and the queue of labels that
-- changed since the last log entry.
--
-- Not expand-only: nodes of schema 9 register, link and remove devices without queueing the
-- change, so the log would never publish it and every contact's search would fail. Once this
-- is applied they report not ready and new nodes serve alone (deploy/README.md, "Rolling
-- upgrades").
--
-- On Citus every kt_ table stays on the coordinator, undistributed: the sequencer of any node
-- reads and writes them in one transaction under one advisory lock, proofs read a few rows
-- per tree level, and the requests that change a label add one kt_pending row to the
-- distributed transaction they already are.

-- The log's Configuration (draft §11.2), fixed when the log is created. The keys are here only
-- in auto mode; in file mode the operator keeps them and every node checks them against it.
CREATE TABLE kt_config (
  id            smallint PRIMARY KEY CHECK (id = 1),
  configuration bytea NOT NULL,
  signing_key   bytea,  -- PKCS#8 DER, P-256
  vrf_key       bytea CHECK (vrf_key IS NULL OR length(vrf_key) = 32),  -- the secret scalar
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((signing_key IS NULL) = (vrf_key IS NULL))
);

-- Labels whose value may have changed, written by the request that changed it. The sequencer
-- deletes exactly the rows it read, so a change that lands during a batch keeps its own row.
CREATE TABLE kt_pending (
  id          bigserial PRIMARY KEY,
  label       bytea NOT NULL,
  enqueued_at timestamptz NOT NULL DEFAULT now()
);

-- One row per log entry; `signature` signs the tree head of size position + 1.
CREATE TABLE kt_entries (
  position     bigint PRIMARY KEY CHECK (position >= 0),
  timestamp_ms bigint NOT NULL,
  prefix_root  bytea NOT NULL CHECK (length(prefix_root) = 32),
  signature    bytea NOT NULL CHECK (length(signature) = 64)
);

-- The balanced subtree [idx * 2^level, (idx + 1) * 2^level) of the log tree, written once it
-- is complete and never changed: every inclusion proof is made of these.
CREATE TABLE kt_log_nodes (
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
  idx   bigint NOT NULL CHECK (idx >= 0),
  hash  bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- The versioned prefix tree: a node's value from entry `position` on, read at entry e as the
-- row with the greatest position <= e. `prefix` is the node's first `depth` key bits, packed.
CREATE TABLE kt_prefix_nodes (
  depth           smallint NOT NULL CHECK (depth BETWEEN 0 AND 256),
  prefix          bytea NOT NULL,
  position        bigint NOT NULL CHECK (position >= 0),
  hash            bytea NOT NULL CHECK (length(hash) = 32),
  leaf_key        bytea CHECK (leaf_key IS NULL OR length(leaf_key) = 32),
  leaf_commitment bytea CHECK (leaf_commitment IS NULL OR length(leaf_commitment) = 32),
  PRIMARY KEY (depth, prefix, position),
  CHECK ((leaf_key IS NULL) = (leaf_commitment IS NULL))
);

-- Every published version of every label, with what a search hands out: the VRF proof of its
-- search key, the commitment, and (to whoever may search the label) its opening and value.
CREATE TABLE kt_versions (
  label      bytea NOT NULL,
  version    integer NOT NULL CHECK (version >= 0),
  position   bigint NOT NULL,
  search_key bytea NOT NULL UNIQUE CHECK (length(search_key) = 32),
  vrf_proof  bytea NOT NULL CHECK (length(vrf_proof) = 81),
  commitment bytea NOT NULL CHECK (length(commitment) = 32),
  opening    bytea NOT NULL CHECK (length(opening) = 16),
  value      bytea NOT NULL,
  PRIMARY KEY (label, version)
);
-- The auditor feed and `admin kt verify` read the versions entry by entry.
CREATE INDEX kt_versions_position ON kt_versions (position);

-- The log publishes what exists already, in its first batches.
INSERT INTO kt_pending (label) SELECT '\x01'::bytea || uuid_send(id) FROM accounts;
INSERT INTO kt_pending (label) SELECT '\x02'::bytea || convert_to(username, 'UTF8') FROM usernames;

-- sealpost:compatible_from 10
-- The contract step after schema 5: the constraints across every account that plain Postgres
-- kept for the nodes of schema 4 (schema/0005_shard_friendly_keys.sql). Since schema 10 no
-- node older than 10 serves, and nodes of schema 10 and newer rely on the per-account keys
-- of schema 5 alone:
--   - usernames are unique in `usernames` (claimed there before the account is written);
--   - an envelope's guid is unique within its device queue (messages_device_guid), which is
--     where acks look for it;
--   - a link token is found by its account and hash (link_tokens_account_hash).
-- So the global ones only cost: a unique index on random uuids that every envelope must
-- enter, one on accounts.username, and a trigger per registration and deletion. On Citus
-- they were dropped when the tables were distributed; now both engines have the same keys.
--
-- accounts.username stays, written by every node: nodes of schema 10 and 11 free a deleted
-- account's username by it. A later contract step may drop it.

-- Citus refuses any DROP TRIGGER on a distributed table, even IF EXISTS for one it dropped.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'accounts'::regclass
             AND tgname = 'usernames_follow_accounts') THEN
    DROP TRIGGER usernames_follow_accounts ON accounts;
  END IF;
END $$;
DROP FUNCTION IF EXISTS usernames_follow_accounts();
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_username_key;
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_guid_key;

-- The per-account key identifies a row for logical replication (Citus's shard moves) once
-- the primary key on token_hash is gone, as storage/distribution.cpp does on Citus. Only
-- where it is not set yet: Citus sends this command to the workers as the whole text of
-- the query it came in, which fails there when that text holds several commands.
DO $$
BEGIN
  IF (SELECT relreplident <> 'i' FROM pg_class WHERE oid = 'link_tokens'::regclass) THEN
    ALTER TABLE link_tokens REPLICA IDENTITY USING INDEX link_tokens_account_hash;
  END IF;
END $$;
ALTER TABLE link_tokens DROP CONSTRAINT IF EXISTS link_tokens_pkey;

-- Keys that a distributed engine (Citus, docs/scaling.md) can enforce, where every table but
-- one is spread over workers by account. Expand only: nodes of schema 4 keep serving.
-- sealpost:compatible_from 4
--
-- The global constraints that Citus cannot hold (accounts.username UNIQUE, messages.guid
-- UNIQUE, link_tokens' key on token_hash alone) stay on plain Postgres for the nodes of
-- schema 4, which rely on them. On Citus they are dropped when the tables are distributed
-- (storage/distribution.cpp): a Citus database is never shared with nodes of schema 4.

-- Usernames in a table of their own, keyed (and, on Citus, distributed) by username, so
-- that a lookup by username is one shard and uniqueness holds across all workers.
CREATE TABLE usernames (
  username   text PRIMARY KEY,
  account_id uuid NOT NULL
);
INSERT INTO usernames (username, account_id) SELECT username, id FROM accounts;

-- Nodes of schema 4 register and delete accounts without knowing this table. These triggers
-- keep it in step with their writes; nodes of schema 5 write it themselves (the insert is
-- then a no-op). A later contract migration drops them together with accounts.username.
CREATE FUNCTION usernames_follow_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO usernames (username, account_id) VALUES (NEW.username, NEW.id)
    ON CONFLICT (username) DO NOTHING;
  ELSE
    DELETE FROM usernames WHERE username = OLD.username AND account_id = OLD.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER usernames_follow_accounts AFTER INSERT OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION usernames_follow_accounts();

-- An envelope's guid is unique within its device's queue: acks name the device anyway.
CREATE UNIQUE INDEX messages_device_guid ON messages (account_id, device_id, guid);

-- Link tokens name their account (storage/account_repository.cpp), so a lookup is one shard.
CREATE UNIQUE INDEX link_tokens_account_hash ON link_tokens (account_id, token_hash);

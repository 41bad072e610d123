-- The least row work of a registration, keys left out (server/storage/account_repository.cpp,
-- create_account): the username claimed in `usernames`, the account and its first device,
-- in one transaction. On Citus `usernames` is distributed by username and the other two by
-- account, so for about half the registrations (2 workers) the rows land on two workers and
-- Citus commits with two-phase commit; registration-one-shard.sql is the same transaction
-- without the username row, always on one worker. loadtest/registration-cost.sh runs both
-- on both engines (docs/scaling.md). Run with -M prepared.
SELECT gen_random_uuid() AS id, 'r' || substr(md5(random()::text), 1, 24) AS name \gset
BEGIN;
INSERT INTO usernames (username, account_id) VALUES (:name, :id);
INSERT INTO accounts (id, username) VALUES (:id, :name);
INSERT INTO devices (account_id, device_id, registration_id, identity_key, password_salt, password_hash) VALUES (:id, 1, 1, decode('05' || md5(:name) || md5(:name), 'hex'), decode(md5(:name), 'hex'), decode(md5(:name) || md5(:name), 'hex'));
END;

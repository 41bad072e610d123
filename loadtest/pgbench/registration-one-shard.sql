-- registration-least.sql without the username row: the account and its first device, in one
-- transaction that Citus always runs on one worker (no two-phase commit). The difference
-- between the two on Citus is the price of a registration's second shard. Run with -M
-- prepared.
SELECT gen_random_uuid() AS id, 'o' || substr(md5(random()::text), 1, 24) AS name \gset
BEGIN;
INSERT INTO accounts (id, username) VALUES (:id, :name);
INSERT INTO devices (account_id, device_id, registration_id, identity_key, password_salt, password_hash) VALUES (:id, 1, 1, decode('05' || md5(:name) || md5(:name), 'hex'), decode(md5(:name), 'hex'), decode(md5(:name) || md5(:name), 'hex'));
END;

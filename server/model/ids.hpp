// Identifiers of the API: account UUIDs (canonical lowercase text) and device ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sealpost::model {

// A fresh random (version 4) UUID in canonical lowercase text.
std::string new_uuid();

// The id of a new account (a fresh UUID, see new_uuid).
std::string new_account_id();

// The id of one server process (a node), fresh at every start: it names the node's
// notification listener in logs and in pg_stat_activity.
std::string new_node_id();

// The id of one WebSocket connection, unique across nodes: its row in device_presence.
std::string new_connection_id();

// True for exactly the canonical form: 36 chars, lowercase hex, dashes at 8-13-18-23.
bool is_canonical_uuid(std::string_view text);

// Parses a decimal device id in [1, 2^31); nullopt for anything else.
std::optional<std::int32_t> parse_device_id(std::string_view text);

// A random secret token (32 bytes, URL-safe base64 without padding) and its SHA-256, which is
// what gets stored.
struct secret_token {
  std::string token;
  std::string hash;  // raw 32 bytes
};
secret_token new_secret_token();
std::string token_hash(std::string_view token);

// A device-link token names its account before the secret ("<account_id>.<secret>"), so that
// redeeming it looks in that account's rows only: one shard on a distributed database.
secret_token new_link_token(std::string_view account_id);
// The account a link token names; nullopt for a token without one or with a malformed one
// (never minted by this server: nodes of schema 4 minted such tokens, but no token lives
// that long).
std::optional<std::string> link_token_account(std::string_view token);

}  // namespace sealpost::model

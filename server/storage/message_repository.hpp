// Per-device envelope queues: enqueue (one statement per send),
// fetch in queue order, delete on ack, expire, and the presence used by online-only sends.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sealpost::storage {

struct outgoing_envelope {
  std::int32_t device_id = 0;
  std::int32_t registration_id = 0;
  std::uint32_t type = 0;
  std::string content;
};

// Who sent an envelope, as the server knows it: nobody for sealed sender.
struct envelope_source {
  std::string account;
  std::int32_t device = 0;
};

struct send_request {
  std::optional<envelope_source> sender;  // nullopt: sealed, stored with no sender
  std::string recipient_account;
  std::uint64_t client_timestamp = 0;
  bool online_only = false;
  std::vector<outgoing_envelope> envelopes;
};

struct queue_limits {
  std::uint64_t max_queue_per_device;
  std::uint64_t message_ttl_ms;
};

struct send_receipt {
  std::int64_t server_timestamp = 0;
  std::vector<std::pair<std::int32_t, std::string>> guids;  // (device_id, guid) per envelope
};

enum class send_error { recipient_not_found, mismatched_devices, stale_devices, queue_full };

struct send_failure {
  send_error kind;
  std::vector<std::int32_t> missing_devices;
  std::vector<std::int32_t> extra_devices;
  std::vector<std::int32_t> stale_devices;
  std::int32_t full_device = 0;
};

// Checks the device set and the queue caps and enqueues every envelope, in one statement:
// with a nontransaction (autocommit) a send is one round trip and one commit. Waking the
// recipient's sockets is the caller's job, after the commit.
// Now, in ms since the epoch: an envelope's server timestamp.
std::int64_t now_ms();

// `server_timestamp` (ms) is now unless given: a multi-recipient send stamps all of its
// accounts' envelopes alike.
result<send_receipt, send_failure> enqueue(pqxx::transaction_base& tx, const send_request& req,
                                           const queue_limits& limits,
                                           std::optional<std::int64_t> server_timestamp = {});

struct stored_envelope {
  std::int64_t seq = 0;
  std::string guid;                       // UUID text
  std::optional<envelope_source> source;  // nullopt: sealed
  std::int32_t destination_device = 0;
  std::uint32_t type = 0;
  std::string content;
  std::uint64_t client_timestamp = 0;
  std::uint64_t server_timestamp = 0;
};

// Unexpired envelopes with seq > after_seq, oldest first, at most `limit`.
std::vector<stored_envelope> fetch_envelopes(pqxx::transaction_base& tx,
                                             const std::string& account_id, std::int32_t device_id,
                                             std::int64_t after_seq, std::size_t limit);

// Whether an ack's commit waits for the WAL flush.
enum class ack_commit {
  // Durable before the caller answers: DELETE /v1/messages/{guid}, whose 204 tells the
  // client the envelope is gone for good.
  flushed,
  // synchronous_commit off: WebSocket acks, which get no answer. A Postgres crash may undo
  // the last fraction of a second of them, and those envelopes come again, which
  // at-least-once delivery allows (clients de-duplicate by guid). Saves a disk flush per
  // delivered envelope; nothing a sender was told is stored is at risk.
  unflushed,
};

// Deletes acknowledged envelopes of this device in one statement that is its own
// transaction; `guids` must be canonical UUID text. Returns how many were deleted.
std::size_t delete_envelopes(pqxx::connection& conn, const std::string& account_id,
                             std::int32_t device_id, const std::vector<std::string>& guids,
                             ack_commit commit);

// Envelopes queued in total, and in the deepest single device queue.
std::pair<std::int64_t, std::int64_t> queue_depth(pqxx::work& tx);

// Deletes up to `batch` expired envelopes; returns how many.
std::size_t purge_expired(pqxx::work& tx, std::size_t batch);

// Presence of one WebSocket connection (by its own id) for online-only sends.
void mark_present(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                  const std::string& connection_id);
void mark_absent(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                 const std::string& connection_id);

// A number for a new WebSocket connection, higher than any drawn before on any node.
std::int64_t next_connection_generation(pqxx::work& tx);

}  // namespace sealpost::storage

// SQL for envelope queues.
#include "storage/message_repository.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "storage/pq.hpp"

namespace sealpost::storage {
namespace {

// KEY SHARE keeps the devices from being removed under the send without blocking other
// senders (their seq UPDATEs take a weaker lock than a key change).
constexpr const char* kRecipientDevices = R"sql(
SELECT device_id, registration_id FROM devices WHERE account_id = $1
ORDER BY device_id FOR KEY SHARE)sql";

constexpr const char* kPresentDevices =
    "SELECT device_id FROM device_presence WHERE account_id = $1";

// Counting stops at the cap, so a full queue costs at most `cap` index entries.
constexpr const char* kQueueAtCap = R"sql(
SELECT count(*) >= $3 FROM (
  SELECT 1 FROM messages WHERE account_id = $1 AND device_id = $2 LIMIT $3) q)sql";

constexpr const char* kTakeSeq = R"sql(
UPDATE devices SET next_message_seq = next_message_seq + 1
WHERE account_id = $1 AND device_id = $2
RETURNING next_message_seq - 1)sql";

constexpr const char* kInsertEnvelope = R"sql(
INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type,
                      content, client_timestamp, server_timestamp, expires_at)
VALUES ($1, $2, $3, gen_random_uuid(), $4, $5, $6, $7, $8, $9,
        now() + make_interval(secs => $10::double precision / 1000))
RETURNING guid::text)sql";

constexpr const char* kNotify = "SELECT pg_notify($1, $2)";

constexpr const char* kFetch = R"sql(
SELECT seq, guid::text AS guid, source_account::text AS source_account, source_device,
       device_id AS destination_device, type, content, client_timestamp, server_timestamp
FROM messages
WHERE account_id = $1 AND device_id = $2 AND seq > $3 AND expires_at > now()
ORDER BY seq LIMIT $4)sql";

constexpr const char* kLastSeq =
    "SELECT next_message_seq - 1 FROM devices WHERE account_id = $1 AND device_id = $2";

constexpr const char* kDelete = R"sql(
DELETE FROM messages WHERE account_id = $1 AND device_id = $2 AND guid = ANY($3::uuid[]))sql";

constexpr const char* kPurge = R"sql(
DELETE FROM messages WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM messages WHERE expires_at <= now() LIMIT $1)))sql";

constexpr const char* kMarkPresent = R"sql(
INSERT INTO device_presence (account_id, device_id, connection_id) VALUES ($1, $2, $3)
ON CONFLICT (account_id, device_id) DO UPDATE SET connection_id = EXCLUDED.connection_id, since = now())sql";
constexpr const char* kMarkAbsent =
    "DELETE FROM device_presence WHERE account_id = $1 AND device_id = $2 AND connection_id = $3";

constexpr const char* kKeysLow = R"sql(
SELECT (SELECT count(*) FROM one_time_prekeys WHERE account_id = $1 AND device_id = $2) < $3
    OR (SELECT count(*) FROM pq_one_time_prekeys WHERE account_id = $1 AND device_id = $2) < $3)sql";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string wake_payload(char kind, const std::string& account_id, std::int32_t device_id) {
  return std::string(1, kind) + " " + account_id + " " + std::to_string(device_id);
}

// The devices the send must name: all of the recipient's, minus the sender's own device
// when writing to its own account. Fills missing/extra/stale.
std::optional<send_failure> check_device_set(
    const send_request& req, const std::map<std::int32_t, std::int32_t>& registered) {
  const bool to_self = req.sender_account == req.recipient_account;
  send_failure f{send_error::mismatched_devices, {}, {}, {}, 0};
  std::set<std::int32_t> named;
  for (const auto& e : req.envelopes) {
    named.insert(e.device_id);
    auto it = registered.find(e.device_id);
    if (it == registered.end() || (to_self && e.device_id == req.sender_device)) {
      f.extra_devices.push_back(e.device_id);
    } else if (it->second != e.registration_id) {
      f.stale_devices.push_back(e.device_id);
    }
  }
  for (const auto& [device_id, reg] : registered) {
    if (to_self && device_id == req.sender_device)
      continue;
    if (!named.contains(device_id))
      f.missing_devices.push_back(device_id);
  }
  if (!f.missing_devices.empty() || !f.extra_devices.empty())
    return f;
  if (!f.stale_devices.empty()) {
    f.kind = send_error::stale_devices;
    return f;
  }
  return std::nullopt;
}

}  // namespace

result<send_receipt, send_failure> enqueue(pqxx::work& tx, const send_request& req,
                                           const queue_limits& limits) {
  std::map<std::int32_t, std::int32_t> registered;
  for (const auto& row : tx.exec_params(kRecipientDevices, req.recipient_account)) {
    registered.emplace(row[0].as<std::int32_t>(), row[1].as<std::int32_t>());
  }
  if (registered.empty())
    return failure{send_failure{send_error::recipient_not_found, {}, {}, {}, 0}};
  if (auto mismatch = check_device_set(req, registered))
    return failure{*mismatch};

  // Ascending device order: concurrent multi-device sends lock device rows in one order.
  std::vector<const outgoing_envelope*> order;
  for (const auto& e : req.envelopes)
    order.push_back(&e);
  std::sort(order.begin(), order.end(),
            [](auto* a, auto* b) { return a->device_id < b->device_id; });

  if (req.online_only) {
    std::set<std::int32_t> present;
    for (const auto& row : tx.exec_params(kPresentDevices, req.recipient_account)) {
      present.insert(row[0].as<std::int32_t>());
    }
    std::erase_if(order, [&](auto* e) { return !present.contains(e->device_id); });
  }

  send_receipt receipt;
  receipt.server_timestamp = now_ms();
  const auto cap = static_cast<std::int64_t>(limits.max_queue_per_device);
  for (const auto* e : order) {
    if (tx.exec_params1(kQueueAtCap, req.recipient_account, e->device_id, cap)[0].as<bool>()) {
      return failure{send_failure{send_error::queue_full, {}, {}, {}, e->device_id}};
    }
    const auto seq =
        tx.exec_params1(kTakeSeq, req.recipient_account, e->device_id)[0].as<std::int64_t>();
    auto guid = tx.exec_params1(
                      kInsertEnvelope, req.recipient_account, e->device_id, seq, req.sender_account,
                      req.sender_device, static_cast<std::int64_t>(e->type), bytea(e->content),
                      static_cast<std::int64_t>(req.client_timestamp), receipt.server_timestamp,
                      static_cast<std::int64_t>(limits.message_ttl_ms))[0]
                    .as<std::string>();
    receipt.guids.emplace_back(e->device_id, std::move(guid));
    tx.exec_params(kNotify, kNotifyChannel, wake_payload('m', req.recipient_account, e->device_id));
  }
  // Results in the order the client sent them.
  std::vector<std::pair<std::int32_t, std::string>> ordered;
  for (const auto& e : req.envelopes) {
    for (const auto& g : receipt.guids) {
      if (g.first == e.device_id)
        ordered.push_back(g);
    }
  }
  receipt.guids = std::move(ordered);
  return receipt;
}

std::vector<stored_envelope> fetch_envelopes(pqxx::transaction_base& tx,
                                             const std::string& account_id, std::int32_t device_id,
                                             std::int64_t after_seq, std::size_t limit) {
  std::vector<stored_envelope> out;
  for (const auto& row :
       tx.exec_params(kFetch, account_id, device_id, after_seq, static_cast<std::int64_t>(limit))) {
    stored_envelope e;
    e.seq = row["seq"].as<std::int64_t>();
    e.guid = row["guid"].as<std::string>();
    e.source_account = row["source_account"].as<std::string>();
    e.source_device = row["source_device"].as<std::int32_t>();
    e.destination_device = row["destination_device"].as<std::int32_t>();
    e.type = static_cast<std::uint32_t>(row["type"].as<std::int64_t>());
    e.content = bytes_of(row["content"]);
    e.client_timestamp = static_cast<std::uint64_t>(row["client_timestamp"].as<std::int64_t>());
    e.server_timestamp = static_cast<std::uint64_t>(row["server_timestamp"].as<std::int64_t>());
    out.push_back(std::move(e));
  }
  return out;
}

std::int64_t last_queued_seq(pqxx::work& tx, const std::string& account_id,
                             std::int32_t device_id) {
  auto rows = tx.exec_params(kLastSeq, account_id, device_id);
  return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

std::size_t delete_envelopes(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                             const std::vector<std::string>& guids, ack_commit commit) {
  if (guids.empty())
    return 0;
  // Callers pass canonical UUID text only, so the array literal needs no quoting.
  std::string array = "{";
  for (const auto& g : guids)
    array += (array.size() > 1 ? "," : "") + g;
  array += "}";
  if (commit == ack_commit::unflushed)
    tx.exec0("SET LOCAL synchronous_commit = off");
  return static_cast<std::size_t>(
      tx.exec_params(kDelete, account_id, device_id, array).affected_rows());
}

std::pair<std::int64_t, std::int64_t> queue_depth(pqxx::work& tx) {
  auto row = tx.exec1(
      "SELECT coalesce(sum(n), 0)::bigint, coalesce(max(n), 0)::bigint FROM ("
      "SELECT count(*) AS n FROM messages GROUP BY account_id, device_id) q");
  return {row[0].as<std::int64_t>(), row[1].as<std::int64_t>()};
}

std::size_t purge_expired(pqxx::work& tx, std::size_t batch) {
  return static_cast<std::size_t>(
      tx.exec_params(kPurge, static_cast<std::int64_t>(batch)).affected_rows());
}

void mark_present(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                  const std::string& connection_id) {
  tx.exec_params(kMarkPresent, account_id, device_id, connection_id);
}

void mark_absent(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                 const std::string& connection_id) {
  tx.exec_params(kMarkAbsent, account_id, device_id, connection_id);
}

std::int64_t next_connection_generation(pqxx::work& tx) {
  return tx.exec1("SELECT nextval('websocket_connection_generation')")[0].as<std::int64_t>();
}

void notify_connected(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                      std::int64_t generation) {
  tx.exec_params(kNotify, kNotifyChannel,
                 wake_payload('c', account_id, device_id) + " " + std::to_string(generation));
}

void notify_removed(pqxx::work& tx, const std::string& account_id,
                    std::optional<std::int32_t> device_id) {
  if (device_id) {
    tx.exec_params(kNotify, kNotifyChannel, wake_payload('x', account_id, *device_id));
    return;
  }
  for (const auto& row :
       tx.exec_params("SELECT device_id FROM devices WHERE account_id = $1", account_id)) {
    tx.exec_params(kNotify, kNotifyChannel,
                   wake_payload('x', account_id, row[0].as<std::int32_t>()));
  }
}

void notify_if_keys_low(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                        std::uint64_t watermark) {
  if (tx.exec_params1(kKeysLow, account_id, device_id, static_cast<std::int64_t>(watermark))[0]
          .as<bool>()) {
    tx.exec_params(kNotify, kNotifyChannel, wake_payload('k', account_id, device_id));
  }
}

}  // namespace sealpost::storage

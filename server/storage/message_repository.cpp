// SQL for envelope queues: the hot statements are prepared once per connection.
#include "storage/message_repository.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <string_view>

#include "storage/pq.hpp"
#include "storage/prepared.hpp"

namespace sealpost::storage {
namespace {

// A whole send in one call of sealpost_send (schema/0006_send_function.sql): one round trip,
// one commit. It checks the named devices against the recipient's and the queue caps, then
// takes each device's next sequence numbers and inserts the envelopes; when a check fails
// it stores nothing and reports why. Parameters: $1 recipient, $2 sender account, $3 sender
// device, $4 device ids, $5 registration ids, $6 types, $7 start and $8 length of each
// content in $9 (all contents concatenated), $10 client timestamp, $11 server timestamp,
// $12 ttl (ms), $13 queue cap, $14 online only.
constexpr prepared_statement kSend{"send", R"sql(
SELECT recipient_found, missing, extra, stale, full_device, inserted
FROM sealpost_send($1::uuid, $2::uuid, $3::integer, $4::integer[], $5::integer[],
                   $6::bigint[], $7::integer[], $8::integer[], $9::bytea, $10::bigint,
                   $11::bigint, $12::bigint, $13::bigint, $14::boolean))sql"};

constexpr prepared_statement kFetch{"fetch", R"sql(
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content,
       client_timestamp, server_timestamp
FROM messages
WHERE account_id = $1 AND device_id = $2 AND seq > $3 AND expires_at > now()
ORDER BY seq LIMIT $4)sql"};

// One statement, its own transaction: $4 chooses whether its commit waits for the WAL
// flush (set_config(..., true) lasts exactly this statement's transaction).
// sealpost_ack (schema/0006_send_function.sql): the delete, and synchronous_commit off for
// its own commit unless $4 asks for a flushed one.
constexpr prepared_statement kDelete{"delete_envelopes", R"sql(
SELECT sealpost_ack($1::uuid, $2::integer, $3::uuid[], $4::boolean))sql"};

// By primary key rather than ctid: Citus routes a key to its shard, a ctid means nothing
// across workers.
constexpr const char* kPurge = R"sql(
DELETE FROM messages WHERE (account_id, device_id, seq) IN (
  SELECT account_id, device_id, seq FROM messages WHERE expires_at <= now() LIMIT $1))sql";

constexpr const char* kMarkPresent = R"sql(
INSERT INTO device_presence (account_id, device_id, connection_id) VALUES ($1, $2, $3)
ON CONFLICT (account_id, device_id) DO UPDATE SET connection_id = EXCLUDED.connection_id, since = EXCLUDED.since)sql";
constexpr const char* kMarkAbsent =
    "DELETE FROM device_presence WHERE account_id = $1 AND device_id = $2 AND connection_id = $3";

// "1,2,3" (Postgres's array_to_string) as numbers; empty or NULL is none.
std::vector<std::int32_t> device_list(const pqxx::field& f) {
  std::vector<std::int32_t> out;
  if (f.is_null())
    return out;
  std::string_view rest = f.c_str();
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    out.push_back(std::stoi(std::string(rest.substr(0, comma))));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return out;
}

// The send's parameters: the envelopes' columns as arrays, the contents concatenated.
struct send_arrays {
  std::string device_ids = "{", registration_ids = "{", types = "{", starts = "{", lengths = "{";
  std::string contents;

  explicit send_arrays(const std::vector<outgoing_envelope>& envelopes) {
    for (const auto& e : envelopes) {
      const char* sep = device_ids.size() > 1 ? "," : "";
      device_ids += sep + std::to_string(e.device_id);
      registration_ids += sep + std::to_string(e.registration_id);
      types += sep + std::to_string(e.type);
      starts += sep + std::to_string(contents.size() + 1);  // SQL substring counts from 1
      lengths += sep + std::to_string(e.content.size());
      contents += e.content;
    }
    for (auto* a : {&device_ids, &registration_ids, &types, &starts, &lengths})
      *a += '}';
  }
};

std::optional<send_failure> failure_of(const pqxx::row& row) {
  if (!row[0].as<bool>())
    return send_failure{send_error::recipient_not_found, {}, {}, {}, 0};
  send_failure f{send_error::mismatched_devices, device_list(row[1]), device_list(row[2]),
                 device_list(row[3]), 0};
  if (!f.missing_devices.empty() || !f.extra_devices.empty())
    return f;
  if (!f.stale_devices.empty()) {
    f.kind = send_error::stale_devices;
    return f;
  }
  if (!row[4].is_null())
    return send_failure{send_error::queue_full, {}, {}, {}, row[4].as<std::int32_t>()};
  return std::nullopt;
}

// "device guid,device guid" from the statement, in the order the client named the devices.
std::vector<std::pair<std::int32_t, std::string>> guids_in_request_order(
    const pqxx::field& f, const std::vector<outgoing_envelope>& envelopes) {
  std::map<std::int32_t, std::string> by_device;
  if (!f.is_null()) {
    std::string_view rest = f.c_str();
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto item = rest.substr(0, comma);
      const auto space = item.find(' ');
      by_device.emplace(std::stoi(std::string(item.substr(0, space))),
                        std::string(item.substr(space + 1)));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  std::vector<std::pair<std::int32_t, std::string>> ordered;
  for (const auto& e : envelopes) {
    if (auto it = by_device.find(e.device_id); it != by_device.end())
      ordered.emplace_back(e.device_id, std::move(it->second));
  }
  return ordered;
}

}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

result<send_receipt, send_failure> enqueue(pqxx::transaction_base& tx, const send_request& req,
                                           const queue_limits& limits,
                                           std::optional<std::int64_t> server_timestamp) {
  const send_arrays arrays(req.envelopes);
  send_receipt receipt;
  receipt.server_timestamp = server_timestamp.value_or(now_ms());
  const auto rows = exec_prepared(
      tx, kSend, req.recipient_account,
      req.sender ? std::optional(req.sender->account) : std::nullopt,
      req.sender ? std::optional(req.sender->device) : std::nullopt, arrays.device_ids,
      arrays.registration_ids, arrays.types, arrays.starts, arrays.lengths, bytea(arrays.contents),
      static_cast<std::int64_t>(req.client_timestamp), receipt.server_timestamp,
      static_cast<std::int64_t>(limits.message_ttl_ms),
      static_cast<std::int64_t>(limits.max_queue_per_device), req.online_only);
  const auto row = rows.at(0);
  if (auto failed = failure_of(row))
    return failure{std::move(*failed)};
  receipt.guids = guids_in_request_order(row[5], req.envelopes);
  return receipt;
}

std::vector<stored_envelope> fetch_envelopes(pqxx::transaction_base& tx,
                                             const std::string& account_id, std::int32_t device_id,
                                             std::int64_t after_seq, std::size_t limit) {
  std::vector<stored_envelope> out;
  const auto rows =
      exec_prepared(tx, kFetch, account_id, device_id, after_seq, static_cast<std::int64_t>(limit));
  out.reserve(rows.size());
  for (const auto& row : rows) {
    stored_envelope e;
    e.seq = row[0].as<std::int64_t>();
    e.guid = row[1].as<std::string>();
    if (!row[2].is_null())
      e.source = envelope_source{row[2].as<std::string>(), row[3].as<std::int32_t>()};
    e.destination_device = row[4].as<std::int32_t>();
    e.type = static_cast<std::uint32_t>(row[5].as<std::int64_t>());
    e.content = bytes_of(row[6]);
    e.client_timestamp = static_cast<std::uint64_t>(row[7].as<std::int64_t>());
    e.server_timestamp = static_cast<std::uint64_t>(row[8].as<std::int64_t>());
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t delete_envelopes(pqxx::connection& conn, const std::string& account_id,
                             std::int32_t device_id, const std::vector<std::string>& guids,
                             ack_commit commit) {
  if (guids.empty())
    return 0;
  // Callers pass canonical UUID text only, so the array literal needs no quoting.
  std::string array = "{";
  for (const auto& g : guids)
    array += (array.size() > 1 ? "," : "") + g;
  array += "}";
  pqxx::nontransaction tx(conn);  // autocommit: the DELETE is its own transaction
  return static_cast<std::size_t>(
      exec_prepared(tx, kDelete, account_id, device_id, array, commit == ack_commit::flushed)
          .at(0)[0]
          .as<std::int64_t>());
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

}  // namespace sealpost::storage

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

// A whole send in one statement (one round trip, one commit): check the named devices
// against the recipient's, check the queue caps, take each device's next sequence numbers
// and insert the envelopes. The writes happen only when every check passes; otherwise the
// statement changes nothing and reports why. Parameters:
//   $1 recipient, $2 sender account, $3 sender device,
//   $4 device ids, $5 registration ids, $6 types, $7 start and $8 length of each content
//      in $9 (all contents concatenated: bytea arrays have no binary parameter format),
//   $10 client timestamp, $11 server timestamp, $12 ttl (ms), $13 queue cap, $14 online only.
// Locks: KEY SHARE on all the recipient's devices keeps them from being removed under the
// send without blocking other senders; then the target rows are locked in device order
// (ORDER BY under FOR NO KEY UPDATE), so concurrent sends to one account never deadlock,
// and held to the commit, so sequence order is commit order.
// The queue cap: a queue's length is at most its next seq minus its lowest queued seq, one
// index probe; the exact count (which stops at the cap) runs only when that bound reaches
// the cap.
constexpr prepared_statement kSend{"send", R"sql(
WITH named AS (
  SELECT n.ord, n.device_id, n.registration_id, n.type,
         substring($9::bytea FROM n.start FOR n.length) AS content
  FROM unnest($4::integer[], $5::integer[], $6::bigint[], $7::integer[], $8::integer[])
       WITH ORDINALITY AS n(device_id, registration_id, type, start, length, ord)),
registered AS (
  SELECT device_id, registration_id, next_message_seq FROM devices
  WHERE account_id = $1 FOR KEY SHARE),
expected AS (
  SELECT * FROM registered
  WHERE $2::uuid <> $1::uuid OR device_id <> $3::integer),
device_set AS (
  SELECT
    EXISTS (SELECT 1 FROM registered) AS recipient_found,
    ARRAY(SELECT e.device_id FROM expected e
          WHERE NOT EXISTS (SELECT 1 FROM named n WHERE n.device_id = e.device_id)
          ORDER BY e.device_id) AS missing,
    ARRAY(SELECT n.device_id FROM named n
          WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.device_id = n.device_id)
          ORDER BY n.ord) AS extra,
    ARRAY(SELECT n.device_id FROM named n JOIN expected e USING (device_id)
          WHERE e.registration_id <> n.registration_id ORDER BY n.ord) AS stale),
reachable AS (
  SELECT n.*, e.next_message_seq FROM named n JOIN expected e USING (device_id), device_set s
  WHERE s.recipient_found AND cardinality(s.missing) = 0 AND cardinality(s.extra) = 0
    AND cardinality(s.stale) = 0
    AND (NOT $14::boolean OR EXISTS (
      SELECT 1 FROM device_presence p WHERE p.account_id = $1 AND p.device_id = n.device_id))),
full_queue AS (
  SELECT min(r.device_id) AS device_id FROM reachable r
  WHERE CASE WHEN r.next_message_seq - coalesce(
                    (SELECT min(m.seq) FROM messages m
                     WHERE m.account_id = $1 AND m.device_id = r.device_id),
                    r.next_message_seq) < $13::bigint
             THEN false
             ELSE (SELECT count(*) FROM (SELECT 1 FROM messages m
                   WHERE m.account_id = $1 AND m.device_id = r.device_id LIMIT $13::bigint) q)
                  >= $13::bigint END),
targets AS (
  SELECT r.* FROM reachable r WHERE (SELECT device_id FROM full_queue) IS NULL),
locked AS (
  SELECT d.device_id FROM devices d
  WHERE d.account_id = $1 AND d.device_id IN (SELECT device_id FROM targets)
  ORDER BY d.device_id FOR NO KEY UPDATE),
seqs AS (
  UPDATE devices d SET next_message_seq = d.next_message_seq + 1
  FROM locked l WHERE d.account_id = $1 AND d.device_id = l.device_id
  RETURNING d.device_id, d.next_message_seq - 1 AS seq),
inserted AS (
  INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type,
                        content, client_timestamp, server_timestamp, expires_at)
  SELECT $1, s.device_id, s.seq, gen_random_uuid(), $2, $3, t.type, t.content, $10, $11,
         now() + make_interval(secs => $12::double precision / 1000)
  FROM seqs s JOIN targets t USING (device_id)
  RETURNING device_id, guid)
SELECT s.recipient_found, array_to_string(s.missing, ','), array_to_string(s.extra, ','),
       array_to_string(s.stale, ','), (SELECT device_id FROM full_queue),
       (SELECT string_agg(device_id || ' ' || guid, ',') FROM inserted)
FROM device_set s)sql"};

constexpr prepared_statement kFetch{"fetch", R"sql(
SELECT seq, guid::text, source_account::text, source_device, device_id, type, content,
       client_timestamp, server_timestamp
FROM messages
WHERE account_id = $1 AND device_id = $2 AND seq > $3 AND expires_at > now()
ORDER BY seq LIMIT $4)sql"};

// One statement, its own transaction: $4 chooses whether its commit waits for the WAL
// flush (set_config(..., true) lasts exactly this statement's transaction).
constexpr prepared_statement kDelete{"delete_envelopes", R"sql(
DELETE FROM messages
WHERE account_id = $1 AND device_id = $2 AND guid = ANY($3::uuid[])
  AND set_config('synchronous_commit',
                 CASE WHEN $4::boolean THEN current_setting('synchronous_commit') ELSE 'off' END,
                 true) IS NOT NULL)sql"};

// By primary key rather than ctid: Citus routes a key to its shard, a ctid means nothing
// across workers.
constexpr const char* kPurge = R"sql(
DELETE FROM messages WHERE (account_id, device_id, seq) IN (
  SELECT account_id, device_id, seq FROM messages WHERE expires_at <= now() LIMIT $1))sql";

constexpr const char* kMarkPresent = R"sql(
INSERT INTO device_presence (account_id, device_id, connection_id) VALUES ($1, $2, $3)
ON CONFLICT (account_id, device_id) DO UPDATE SET connection_id = EXCLUDED.connection_id, since = now())sql";
constexpr const char* kMarkAbsent =
    "DELETE FROM device_presence WHERE account_id = $1 AND device_id = $2 AND connection_id = $3";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

result<send_receipt, send_failure> enqueue(pqxx::transaction_base& tx, const send_request& req,
                                           const queue_limits& limits) {
  const send_arrays arrays(req.envelopes);
  send_receipt receipt;
  receipt.server_timestamp = now_ms();
  const auto rows = exec_prepared(
      tx, kSend, req.recipient_account, req.sender_account, req.sender_device, arrays.device_ids,
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
    e.source_account = row[2].as<std::string>();
    e.source_device = row[3].as<std::int32_t>();
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
          .affected_rows());
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

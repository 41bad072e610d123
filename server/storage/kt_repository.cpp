// SQL for the key-transparency tables (schema 10). Lists travel as one array parameter per
// column (bytes as hex text: libpqxx 6 has no binary array parameter), so a batch of any size
// is one statement per table.
#include "storage/kt_repository.hpp"

#include "storage/pq.hpp"

namespace sealpost::storage {
namespace {

// A sequencer lock id no other advisory lock of Sealpost uses ("KTSQ").
constexpr std::int64_t kSequencerLockId = 0x4b545351;

std::string hex_of(const std::string& raw) {
  return *optional_bytea_hex(raw);
}

// "{a,b,c}" of elements that need no quoting (hex, decimal, canonical UUIDs).
template <class Range, class Fn>
std::string array_of(const Range& items, Fn&& element) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1)
      out += ',';
    out += element(item);
  }
  out += '}';
  return out;
}

// Quoted, so that empty bytes (the root's prefix, a parent's absent leaf) stay elements.
std::string hex_array(const std::vector<std::string>& raw) {
  return array_of(raw, [](const std::string& r) { return '"' + hex_of(r) + '"'; });
}

std::string quoted_text_array(const std::vector<std::string>& items) {
  return array_of(items, [](const std::string& item) {
    std::string quoted = "\"";
    for (const char c : item) {
      if (c == '"' || c == '\\')
        quoted += '\\';
      quoted += c;
    }
    return quoted + '"';
  });
}

template <class T>
std::string number_array(const std::vector<T>& numbers) {
  return array_of(numbers, [](const T& n) { return std::to_string(n); });
}

std::optional<std::string> optional_bytes(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return bytes_of(f);
}

kt_version_row version_of(const pqxx::row& r) {
  return {bytes_of(r[0]), r[1].as<std::uint32_t>(), r[2].as<std::uint64_t>(), bytes_of(r[3]),
          bytes_of(r[4]), bytes_of(r[5]),           bytes_of(r[6]),           bytes_of(r[7])};
}

kt_entry_row entry_of(const pqxx::row& r) {
  return {r[0].as<std::uint64_t>(), r[1].as<std::uint64_t>(), bytes_of(r[2]), bytes_of(r[3])};
}

constexpr const char* kVersionColumns =
    "label, version, position, search_key, vrf_proof, commitment, opening, value";
constexpr const char* kEntryColumns = "position, timestamp_ms, prefix_root, signature";

}  // namespace

stored_kt_config::~stored_kt_config() {
  if (signing_key_der)
    OPENSSL_cleanse(signing_key_der->data(), signing_key_der->size());
  if (vrf_scalar)
    OPENSSL_cleanse(vrf_scalar->data(), vrf_scalar->size());
}

stored_kt_config offer_kt_config(pqxx::work& tx, const stored_kt_config& candidate) {
  tx.exec_params(
      "INSERT INTO kt_config (id, configuration, signing_key, vrf_key) "
      "VALUES (1, $1, decode($2, 'hex'), decode($3, 'hex')) ON CONFLICT (id) DO NOTHING",
      bytea(candidate.configuration), optional_bytea_hex(candidate.signing_key_der),
      optional_bytea_hex(candidate.vrf_scalar));
  return std::move(*find_kt_config(tx));
}

std::optional<stored_kt_config> find_kt_config(pqxx::work& tx) {
  const auto rows = tx.exec("SELECT configuration, signing_key, vrf_key FROM kt_config");
  if (rows.empty())
    return std::nullopt;
  stored_kt_config stored;
  stored.configuration = bytes_of(rows[0][0]);
  stored.signing_key_der = optional_bytes(rows[0][1]);
  stored.vrf_scalar = optional_bytes(rows[0][2]);
  return stored;
}

std::vector<std::int64_t> enqueue_kt_labels(pqxx::work& tx,
                                            const std::vector<std::string>& labels) {
  std::vector<std::int64_t> ids;
  if (labels.empty())
    return ids;
  const auto rows = tx.exec_params(
      "INSERT INTO kt_pending (label) SELECT decode(l, 'hex') FROM unnest($1::text[]) AS l "
      "RETURNING id",
      hex_array(labels));
  for (const auto& row : rows)
    ids.push_back(row[0].as<std::int64_t>());
  return ids;
}

std::size_t count_kt_pending(pqxx::work& tx, const std::vector<std::int64_t>& ids) {
  return tx
      .exec_params1("SELECT count(*) FROM kt_pending WHERE id = ANY($1::bigint[])",
                    number_array(ids))[0]
      .as<std::size_t>();
}

std::int64_t count_all_kt_pending(pqxx::work& tx) {
  return tx.exec1("SELECT count(*) FROM kt_pending")[0].as<std::int64_t>();
}

std::vector<kt_pending_row> read_kt_pending(pqxx::work& tx, std::uint64_t limit) {
  std::vector<kt_pending_row> pending;
  for (const auto& row :
       tx.exec_params("SELECT id, label FROM kt_pending ORDER BY id LIMIT $1", limit))
    pending.push_back({row[0].as<std::int64_t>(), bytes_of(row[1])});
  return pending;
}

void delete_kt_pending(pqxx::work& tx, const std::vector<std::int64_t>& ids) {
  if (!ids.empty())
    tx.exec_params("DELETE FROM kt_pending WHERE id = ANY($1::bigint[])", number_array(ids));
}

bool try_lock_kt_sequencer(pqxx::work& tx) {
  return tx.exec_params1("SELECT pg_try_advisory_xact_lock($1)", kSequencerLockId)[0].as<bool>();
}

std::map<std::string, std::vector<kt_device_row>> read_device_sets(
    pqxx::work& tx, const std::vector<std::string>& account_ids) {
  std::map<std::string, std::vector<kt_device_row>> sets;
  if (account_ids.empty())
    return sets;
  const auto rows = tx.exec_params(
      "SELECT account_id::text, device_id, registration_id, identity_key FROM devices "
      "WHERE account_id = ANY($1::uuid[]) ORDER BY account_id, device_id",
      array_of(account_ids, [](const std::string& id) { return id; }));
  for (const auto& row : rows)
    sets[row[0].as<std::string>()].push_back(
        {row[1].as<std::uint32_t>(), row[2].as<std::uint32_t>(), bytes_of(row[3])});
  return sets;
}

std::map<std::string, std::string> read_username_owners(pqxx::work& tx,
                                                        const std::vector<std::string>& names) {
  std::map<std::string, std::string> owners;
  if (names.empty())
    return owners;
  const auto rows = tx.exec_params(
      "SELECT username, account_id::text FROM usernames WHERE username = ANY($1::text[])",
      quoted_text_array(names));
  for (const auto& row : rows)
    owners.emplace(row[0].as<std::string>(), row[1].as<std::string>());
  return owners;
}

std::map<std::string, kt_version_row> latest_kt_versions(pqxx::work& tx,
                                                         const std::vector<std::string>& labels) {
  std::map<std::string, kt_version_row> latest;
  if (labels.empty())
    return latest;
  const auto rows = tx.exec_params(
      std::string("SELECT DISTINCT ON (label) ") + kVersionColumns +
          " FROM kt_versions WHERE label = ANY(SELECT decode(l, 'hex') FROM unnest($1::text[]) "
          "AS l) ORDER BY label, version DESC",
      hex_array(labels));
  for (const auto& row : rows) {
    auto version = version_of(row);
    latest.emplace(version.label, std::move(version));
  }
  return latest;
}

std::vector<kt_version_row> kt_versions_of(pqxx::work& tx, const std::string& label) {
  std::vector<kt_version_row> versions;
  for (const auto& row : tx.exec_params(std::string("SELECT ") + kVersionColumns +
                                            " FROM kt_versions WHERE label = $1 ORDER BY version",
                                        bytea(label)))
    versions.push_back(version_of(row));
  return versions;
}

std::vector<kt_version_row> kt_versions_between(pqxx::work& tx, std::uint64_t first,
                                                std::uint64_t last) {
  std::vector<kt_version_row> versions;
  for (const auto& row : tx.exec_params(
           std::string("SELECT ") + kVersionColumns +
               " FROM kt_versions WHERE position BETWEEN $1 AND $2 ORDER BY position, search_key",
           first, last))
    versions.push_back(version_of(row));
  return versions;
}

void insert_kt_versions(pqxx::work& tx, const std::vector<kt_version_row>& versions) {
  if (versions.empty())
    return;
  std::vector<std::string> labels, keys, proofs, commitments, openings, values;
  std::vector<std::uint32_t> numbers;
  std::vector<std::uint64_t> positions;
  for (const auto& v : versions) {
    labels.push_back(v.label);
    numbers.push_back(v.version);
    positions.push_back(v.position);
    keys.push_back(v.search_key);
    proofs.push_back(v.vrf_proof);
    commitments.push_back(v.commitment);
    openings.push_back(v.opening);
    values.push_back(v.value);
  }
  tx.exec_params(
      "INSERT INTO kt_versions (label, version, position, search_key, vrf_proof, commitment, "
      "opening, value) SELECT decode(l, 'hex'), v, p, decode(k, 'hex'), decode(f, 'hex'), "
      "decode(c, 'hex'), decode(o, 'hex'), decode(x, 'hex') FROM unnest($1::text[], "
      "$2::integer[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], "
      "$8::text[]) AS t(l, v, p, k, f, c, o, x)",
      hex_array(labels), number_array(numbers), number_array(positions), hex_array(keys),
      hex_array(proofs), hex_array(commitments), hex_array(openings), hex_array(values));
}

std::optional<kt_entry_row> newest_kt_entry(pqxx::work& tx) {
  const auto rows = tx.exec(std::string("SELECT ") + kEntryColumns +
                            " FROM kt_entries ORDER BY position DESC LIMIT 1");
  if (rows.empty())
    return std::nullopt;
  return entry_of(rows[0]);
}

std::vector<kt_entry_row> kt_entries_at(pqxx::work& tx,
                                        const std::vector<std::uint64_t>& positions) {
  std::vector<kt_entry_row> entries;
  if (positions.empty())
    return entries;
  for (const auto& row : tx.exec_params(std::string("SELECT ") + kEntryColumns +
                                            " FROM kt_entries WHERE position = ANY($1::bigint[]) "
                                            "ORDER BY position",
                                        number_array(positions)))
    entries.push_back(entry_of(row));
  return entries;
}

std::vector<kt_entry_row> kt_entries_between(pqxx::work& tx, std::uint64_t first,
                                             std::uint64_t last) {
  std::vector<kt_entry_row> entries;
  for (const auto& row : tx.exec_params(std::string("SELECT ") + kEntryColumns +
                                            " FROM kt_entries WHERE position BETWEEN $1 AND $2 "
                                            "ORDER BY position",
                                        first, last))
    entries.push_back(entry_of(row));
  return entries;
}

void insert_kt_entry(pqxx::work& tx, const kt_entry_row& entry) {
  tx.exec_params(
      "INSERT INTO kt_entries (position, timestamp_ms, prefix_root, signature) "
      "VALUES ($1, $2, $3, $4)",
      entry.position, entry.timestamp_ms, bytea(entry.prefix_root), bytea(entry.signature));
}

std::vector<kt_log_node_row> read_kt_log_nodes(pqxx::work& tx,
                                               const std::vector<kt_log_node_row>& nodes) {
  std::vector<kt_log_node_row> found;
  if (nodes.empty())
    return found;
  std::vector<int> levels;
  std::vector<std::uint64_t> indexes;
  for (const auto& n : nodes) {
    levels.push_back(n.level);
    indexes.push_back(n.index);
  }
  const auto rows = tx.exec_params(
      "SELECT n.level, n.idx, n.hash FROM unnest($1::smallint[], $2::bigint[]) AS w(level, idx) "
      "JOIN kt_log_nodes n ON n.level = w.level AND n.idx = w.idx",
      number_array(levels), number_array(indexes));
  for (const auto& row : rows)
    found.push_back({row[0].as<int>(), row[1].as<std::uint64_t>(), bytes_of(row[2])});
  return found;
}

void insert_kt_log_nodes(pqxx::work& tx, const std::vector<kt_log_node_row>& nodes) {
  if (nodes.empty())
    return;
  std::vector<int> levels;
  std::vector<std::uint64_t> indexes;
  std::vector<std::string> hashes;
  for (const auto& n : nodes) {
    levels.push_back(n.level);
    indexes.push_back(n.index);
    hashes.push_back(n.hash);
  }
  tx.exec_params(
      "INSERT INTO kt_log_nodes (level, idx, hash) SELECT l, i, decode(h, 'hex') "
      "FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS t(l, i, h)",
      number_array(levels), number_array(indexes), hex_array(hashes));
}

std::vector<kt_prefix_node_row> read_kt_prefix_nodes(pqxx::work& tx, const std::vector<int>& depths,
                                                     const std::vector<std::string>& prefixes,
                                                     std::uint64_t at) {
  std::vector<kt_prefix_node_row> found;
  if (prefixes.empty())
    return found;
  // One index probe per place: the newest row at or before `at`.
  const auto rows = tx.exec_params(
      "SELECT n.depth, n.prefix, n.position, n.hash, n.leaf_key, n.leaf_commitment "
      "FROM unnest($1::smallint[], $2::text[]) AS w(d, p) CROSS JOIN LATERAL ("
      "  SELECT * FROM kt_prefix_nodes WHERE depth = w.d AND prefix = decode(w.p, 'hex') "
      "  AND position <= $3 ORDER BY position DESC LIMIT 1) n",
      number_array(depths), hex_array(prefixes), at);
  for (const auto& row : rows)
    found.push_back({row[0].as<int>(), bytes_of(row[1]), row[2].as<std::uint64_t>(),
                     bytes_of(row[3]), optional_bytes(row[4]), optional_bytes(row[5])});
  return found;
}

void insert_kt_prefix_nodes(pqxx::work& tx, const std::vector<kt_prefix_node_row>& nodes) {
  if (nodes.empty())
    return;
  std::vector<int> depths;
  std::vector<std::uint64_t> positions;
  std::vector<std::string> prefixes, hashes, keys, commitments;
  for (const auto& n : nodes) {
    depths.push_back(n.depth);
    prefixes.push_back(n.prefix);
    positions.push_back(n.position);
    hashes.push_back(n.hash);
    keys.push_back(n.leaf_key.value_or(""));
    commitments.push_back(n.leaf_commitment.value_or(""));
  }
  tx.exec_params(
      "INSERT INTO kt_prefix_nodes (depth, prefix, position, hash, leaf_key, leaf_commitment) "
      "SELECT d, decode(p, 'hex'), n, decode(h, 'hex'), decode(NULLIF(k, ''), 'hex'), "
      "decode(NULLIF(c, ''), 'hex') FROM unnest($1::smallint[], $2::text[], $3::bigint[], "
      "$4::text[], $5::text[], $6::text[]) AS t(d, p, n, h, k, c)",
      number_array(depths), hex_array(prefixes), number_array(positions), hex_array(hashes),
      hex_array(keys), hex_array(commitments));
}

std::vector<kt_log_node_row> all_kt_log_nodes(pqxx::work& tx) {
  std::vector<kt_log_node_row> nodes;
  for (const auto& row : tx.exec("SELECT level, idx, hash FROM kt_log_nodes ORDER BY level, idx"))
    nodes.push_back({row[0].as<int>(), row[1].as<std::uint64_t>(), bytes_of(row[2])});
  return nodes;
}

std::int64_t archive_kt_log(pqxx::work& tx, const std::string& suffix) {
  for (const char* table :
       {"kt_config", "kt_entries", "kt_log_nodes", "kt_prefix_nodes", "kt_versions"}) {
    const std::string archive = tx.quote_name("kt_archive_" + suffix + "_" + (table + 3));
    tx.exec("CREATE TABLE " + archive + " AS TABLE " + table);
  }
  tx.exec("TRUNCATE kt_config, kt_entries, kt_log_nodes, kt_prefix_nodes, kt_versions, kt_pending");
  const auto accounts = tx.exec(
      "INSERT INTO kt_pending (label) SELECT '\\x01'::bytea || uuid_send(id) FROM accounts");
  const auto names = tx.exec(
      "INSERT INTO kt_pending (label) SELECT '\\x02'::bytea || convert_to(username, 'UTF8') "
      "FROM usernames");
  return static_cast<std::int64_t>(accounts.affected_rows() + names.affected_rows());
}

std::optional<std::string> find_username_of(pqxx::work& tx, const std::string& account_id) {
  const auto rows = tx.exec_params("SELECT username FROM accounts WHERE id = $1", account_id);
  if (rows.empty())
    return std::nullopt;
  return rows[0][0].as<std::string>();
}

void notify_kt_head(pqxx::work& tx, std::uint64_t position) {
  tx.exec_params("SELECT pg_notify($1, $2)", kKtHeadChannel, std::to_string(position));
}

}  // namespace sealpost::storage

// The kt admin commands. new-keys needs no database and never overwrites a file; show, verify
// and new-log work on the configured database (migrated first, like the server).
#include "app/kt_admin.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <pqxx/pqxx>

#include "app/admin_files.hpp"
#include "crypto/base64.hpp"
#include "keytrans/commitment.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/log_tree.hpp"
#include "keytrans/prefix_store.hpp"
#include "keytrans/prefix_tree.hpp"
#include "keytrans/tree_head.hpp"
#include "keytrans/vrf.hpp"
#include "storage/kt_repository.hpp"
#include "transparency/log_keys.hpp"
#include "transparency/prefix_reader.hpp"

namespace sealpost::app {
namespace {

constexpr const char* kUsage =
    "usage: sealpost-server admin kt new-keys --out DIR\n"
    "       sealpost-server [--config FILE] admin kt show\n"
    "       sealpost-server [--config FILE] admin kt verify [--from N]\n"
    "       sealpost-server [--config FILE] admin kt new-log --confirm\n";

std::span<const std::uint8_t> span_of(const std::string& raw) {
  return {reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()};
}

std::string hex(std::span<const std::uint8_t> data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const auto b : data) {
    out += digits[b >> 4];
    out += digits[b & 0x0F];
  }
  return out;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

int new_keys(const std::vector<std::string>& args) {
  const auto options = read_options(args, {"--out"});
  const auto dir = output_folder(options.at("--out"));
  const auto signing_file = dir / "kt-signing.key";
  const auto vrf_file = dir / "kt-vrf.key";
  refuse_existing({signing_file, vrf_file});
  std::string signing = transparency::new_p256_private_pem();
  std::string vrf = transparency::new_p256_private_pem();
  const auto publics = transparency::public_keys_of_pems(signing, vrf);
  write_new_file(signing_file, signing, 0600);
  write_new_file(vrf_file, vrf, 0600);
  OPENSSL_cleanse(signing.data(), signing.size());
  OPENSSL_cleanse(vrf.data(), vrf.size());
  std::cout << "signature public key: " << publics.signing << "\n"
            << "vrf public key:       " << publics.vrf << "\n";
  return 0;
}

std::unique_ptr<pqxx::connection> open_database(const config::server_config& cfg,
                                                std::span<const storage::migration> schema) {
  if (cfg.database_url.empty())
    throw usage_error("no database configured (database.url / SEALPOST_DATABASE_URL)");
  auto conn = std::make_unique<pqxx::connection>(cfg.database_url);
  storage::migrate_for_node(*conn, schema);
  return conn;
}

std::string fingerprint(const std::string& configuration) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(configuration.data(), configuration.size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1)
    throw command_error("SHA-256 failed");
  return hex(std::span(digest).first(size));
}

int show(const config::server_config& cfg, std::span<const storage::migration> schema) {
  auto conn = open_database(cfg, schema);
  pqxx::work tx(*conn);
  const auto stored = storage::find_kt_config(tx);
  if (!stored) {
    std::cout << "no log yet: the first server start with kt.enabled creates it\n";
    return 0;
  }
  const auto newest = storage::newest_kt_entry(tx);
  std::cout << "configuration: " << crypto::base64_encode(span_of(stored->configuration)) << "\n"
            << "fingerprint:   " << fingerprint(stored->configuration) << " (SHA-256)\n"
            << "keys:          "
            << (stored->signing_key_der ? "in the database (auto mode)" : "operator's files")
            << "\n"
            << "tree size:     " << (newest ? newest->position + 1 : 0) << "\n";
  if (newest) {
    const auto now = now_ms();
    std::cout << "newest entry:  " << (now - std::min(now, newest->timestamp_ms)) / 1000
              << " s old\n";
  }
  std::cout << "pending:       " << storage::count_all_kt_pending(tx) << " labels\n";
  return 0;
}

// What `verify` found wrong; it keeps going to report every mismatch.
struct findings {
  std::size_t count = 0;
  void report(const std::string& what) {
    ++count;
    if (count <= 50)
      std::cout << "MISMATCH: " << what << "\n";
  }
};

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> as_array(const std::string& raw) {
  if (raw.size() != N)
    return std::nullopt;
  std::array<std::uint8_t, N> out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

// Each version: its VRF proof gives its search key, its opening opens its commitment, its
// number follows the label's previous one, and its value differs from it [D5].
void verify_versions(const std::vector<storage::kt_version_row>& versions,
                     const keytrans::configuration& config, std::uint64_t from, findings& f) {
  std::map<std::string, const storage::kt_version_row*> previous;
  for (const auto& v : versions) {
    const std::string where =
        "version " + std::to_string(v.version) + " at entry " + std::to_string(v.position);
    const auto before = previous.find(v.label);
    const std::uint32_t expected = before == previous.end() ? 0 : before->second->version + 1;
    if (v.version != expected)
      f.report(where + ": versions of a label must count up from 0");
    if (before != previous.end() && before->second->value == v.value)
      f.report(where + ": the value equals the previous version's");
    previous[v.label] = &v;
    if (v.position < from)
      continue;
    const auto key = keytrans::vrf_verify(config.vrf_public_key,
                                          keytrans::encode_vrf_input(span_of(v.label), v.version),
                                          span_of(v.vrf_proof));
    if (!key || std::string(key->begin(), key->end()) != v.search_key)
      f.report(where + ": the VRF proof does not give the stored search key");
    if (!keytrans::verify_commitment(span_of(v.commitment), span_of(v.opening), span_of(v.label),
                                     v.version, span_of(v.value)))
      f.report(where + ": the opening does not open the commitment");
  }
}

int verify(const config::server_config& cfg, const std::vector<std::string>& args,
           std::span<const storage::migration> schema) {
  const auto options = read_options(args, {"--from"}, {});
  std::uint64_t from = 0;
  if (options.contains("--from")) {
    try {
      from = std::stoull(options.at("--from"));
    } catch (const std::exception&) {
      throw usage_error("--from must be an entry position");
    }
  }
  auto conn = open_database(cfg, schema);
  pqxx::work tx(*conn);
  const auto stored = storage::find_kt_config(tx);
  const auto newest = storage::newest_kt_entry(tx);
  if (!stored || !newest) {
    std::cout << "the log has no entry yet: nothing to verify\n";
    return 0;
  }
  const auto config = keytrans::decode_configuration(span_of(stored->configuration));
  if (!config)
    throw command_error("kt_config.configuration is not a Configuration");
  const std::uint64_t size = newest->position + 1;
  const auto entries = storage::kt_entries_between(tx, 0, newest->position);
  const auto versions = storage::kt_versions_between(tx, 0, newest->position);
  std::map<std::pair<int, std::uint64_t>, std::string> log_nodes;
  for (auto& node : storage::all_kt_log_nodes(tx))
    log_nodes.emplace(std::pair(node.level, node.index), std::move(node.hash));
  findings f;
  if (entries.size() != size)
    f.report("entries are missing: " + std::to_string(entries.size()) + " of " +
             std::to_string(size));
  verify_versions(versions, *config, from, f);

  keytrans::prefix_tree prefix;
  transparency::database_prefix_reader stored_prefix(tx);
  keytrans::log_full_subtree_state log{0, {}};
  std::uint64_t previous_timestamp = 0;
  auto next_version = versions.begin();
  for (const auto& e : entries) {
    const std::string where = "entry " + std::to_string(e.position);
    for (; next_version != versions.end() && next_version->position == e.position; ++next_version) {
      const auto key = as_array<32>(next_version->search_key);
      const auto commitment = as_array<32>(next_version->commitment);
      if (!key || !commitment || !prefix.insert({*key, *commitment}))
        f.report(where + ": a search key is malformed or repeated");
    }
    if (e.timestamp_ms < previous_timestamp)
      f.report(where + ": its timestamp is older than the previous entry's");
    previous_timestamp = e.timestamp_ms;
    const auto root = prefix.root();
    if (std::string(root.begin(), root.end()) != e.prefix_root)
      f.report(where + ": the prefix root differs from the versions' tree");
    if (keytrans::prefix_store_root(stored_prefix, e.position) != root)
      f.report(where + ": kt_prefix_nodes give another prefix root");
    const auto prefix_root = as_array<32>(e.prefix_root);
    if (!prefix_root)
      continue;
    const auto appended =
        keytrans::log_append_leaf(log, keytrans::log_leaf_value({e.timestamp_ms, *prefix_root}));
    if (!appended)
      throw command_error("the log tree cannot grow past " + where);
    for (const auto& node : appended->completed) {
      const auto it = log_nodes.find({node.subtree.level(), node.subtree.index_at_level()});
      if (it == log_nodes.end() || it->second != std::string(node.value.begin(), node.value.end()))
        f.report(where + ": kt_log_nodes lacks or differs on a subtree it completes");
    }
    log = appended->state;
    const auto log_root = keytrans::log_root_from_full_subtrees(log);
    if (e.position >= from && log_root &&
        !keytrans::p256_verify(config->signature_public_key,
                               keytrans::encode_tree_head_tbs(span_of(stored->configuration),
                                                              e.position + 1, *log_root),
                               span_of(e.signature)))
      f.report(where + ": the signature does not verify over the recomputed tree head");
  }
  if (next_version != versions.end())
    f.report("versions refer to entries that do not exist");
  if (f.count > 0) {
    std::cout << f.count << " mismatches; the log does NOT verify\n";
    return 1;
  }
  std::cout << "verified " << size << " entries and " << versions.size()
            << " versions: leaves, prefix roots, log tree and every signature"
            << (from > 0 ? " from entry " + std::to_string(from) : std::string()) << "\n";
  return 0;
}

int new_log(const config::server_config& cfg, const std::vector<std::string>& args,
            std::span<const storage::migration> schema) {
  if (args.size() != 2 || args[1] != "--confirm")
    throw usage_error(
        "new-log replaces the log: every client will report a configuration change; add "
        "--confirm");
  auto conn = open_database(cfg, schema);
  pqxx::work tx(*conn);
  const auto suffix = std::to_string(now_ms());
  const auto queued = storage::archive_kt_log(tx, suffix);
  tx.commit();
  std::cout << "archived the log as kt_archive_" << suffix << "_*; " << queued
            << " labels queued. Stop every node, set new kt key files (or none, for auto "
               "mode), and start them: the first start creates the new log.\n";
  return 0;
}

}  // namespace

int run_kt_command(const config::server_config& cfg, const std::vector<std::string>& args,
                   std::span<const storage::migration> schema) {
  try {
    if (args.empty())
      throw usage_error("a command is required");
    if (args[0] == "new-keys")
      return new_keys(args);
    if (args[0] == "show" && args.size() == 1)
      return show(cfg, schema);
    if (args[0] == "verify")
      return verify(cfg, args, schema);
    if (args[0] == "new-log")
      return new_log(cfg, args, schema);
    throw usage_error("unknown command '" + args[0] + "'");
  } catch (const usage_error& e) {
    std::cerr << "sealpost-server admin kt: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const command_error& e) {
    std::cerr << "sealpost-server admin kt: " << e.what() << "\n";
    return 1;
  } catch (const transparency::log_key_error& e) {
    std::cerr << "sealpost-server admin kt: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace sealpost::app

// Shared fixtures of the end-to-end tests: a real server on a fresh database, devices that
// run the client library (state files in a temporary folder, fast scrypt), helpers that pump
// a device's WebSocket until it has what it expects, and the database dump check.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/messenger.hpp"
#include "net/websocket_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

namespace sealpost::e2e {

namespace client = sealpost::client;

// A fresh folder under the system temp folder, removed afterwards.
class temp_folder {
 public:
  temp_folder();
  ~temp_folder();
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A database, a server on it (with limits raised for bulk traffic) and a folder for state.
struct environment {
  testing::test_database db;
  testing::server_process server;
  temp_folder folder;

  // `extra` adds SEALPOST_* settings for the server (e.g. TLS files); `scheme` is the
  // scheme of url().
  explicit environment(std::map<std::string, std::string> extra = {},
                       std::string url_scheme_and_host = "http://127.0.0.1");
  [[nodiscard]] std::string url() const;

  std::string base;
  // A messenger config for a new state file `name` in the folder (cheap scrypt).
  [[nodiscard]] client::messenger_config config(const std::string& name) const;
};

// One device running the client library, with what it received so far.
struct device {
  std::string name;
  client::messenger messenger;
  std::unique_ptr<client::net::websocket_client> socket;
  std::map<std::string, int> received;  // text -> times delivered
  std::vector<client::received_message> messages;
  std::vector<client::notice> notices;

  device(std::string device_name, client::messenger m);

  void connect();
  // Listens until `count` messages were received in total (or `limit` passed); returns the
  // number received. Connects first when not connected.
  std::size_t receive_until(std::size_t count,
                            std::chrono::milliseconds limit = std::chrono::seconds(20));
  // Listens for `quiet` and returns what arrived in that time.
  std::size_t receive_for(std::chrono::milliseconds quiet);
  [[nodiscard]] std::size_t total() const { return messages.size(); }
  void record(const client::receive_result& result);
};

// A username unique to this run.
std::string unique_name(const std::string& prefix);

// The whole database as pg_dump writes it (data only).
std::string dump_database(const std::string& url);

// Waits (up to 10 s) until the key-transparency sequencer has published everything queued
// in kt_pending; false when it has not.
bool kt_published(const std::string& url);

// REQUIREs that none of `plaintexts` appears in `dump`, neither as text nor as the hex form
// that bytea columns take in a dump.
void require_no_plaintext(const std::string& dump, const std::vector<std::string>& plaintexts);

// Lower-case hex of the bytes of `text`.
std::string hex_of(const std::string& text);

}  // namespace sealpost::e2e

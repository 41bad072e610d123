// End-to-end fixtures.
#include "e2e_support.hpp"

#include <atomic>
#include <cstdio>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

#include "wait_until.hpp"

namespace sealpost::e2e {

temp_folder::temp_folder() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("sealpost-e2e-" + std::to_string(rd()) + std::to_string(rd() % 100000));
  std::filesystem::create_directories(path_);
}

temp_folder::~temp_folder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {

std::map<std::string, std::string> server_settings(std::map<std::string, std::string> extra) {
  extra.emplace("SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "100000");
  extra.emplace("SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_PER_MINUTE", "100000");
  extra.emplace("SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100");
  // Sealed sends count per IP, and every test client sends from 127.0.0.1.
  extra.emplace("SEALPOST_RATE_LIMITS_UNIDENTIFIED_MESSAGES_PER_IP_BURST", "100000");
  extra.emplace("SEALPOST_RATE_LIMITS_UNIDENTIFIED_MESSAGES_PER_IP_PER_MINUTE", "100000");
  // Clients search the key-transparency log before their first session with an account:
  // registrations and links return once published, and the log publishes every 20 ms.
  extra.emplace("SEALPOST_KT_BATCH_INTERVAL_MS", "20");
  extra.emplace("SEALPOST_KT_CONFIRM_WAIT_MS", "5000");
  extra.emplace("SEALPOST_RATE_LIMITS_KT_QUERIES_PER_ACCOUNT_BURST", "100000");
  return extra;
}

}  // namespace

environment::environment(std::map<std::string, std::string> extra, std::string url_scheme_and_host)
    : server(db.url(), server_settings(std::move(extra))), base(std::move(url_scheme_and_host)) {}

std::string environment::url() const {
  return base + ":" + std::to_string(server.port());
}

client::messenger_config environment::config(const std::string& name) const {
  client::messenger_config config;
  config.server_url = url();
  config.state_path = folder.path() / (name + ".state");
  config.passphrase = "passphrase of " + name;
  config.kdf = {1024, 8, 1};
  return config;
}

device::device(std::string device_name, client::messenger m)
    : name(std::move(device_name)), messenger(std::move(m)) {}

void device::connect() {
  socket = messenger.connect();
}

void device::record(const client::receive_result& result) {
  for (const client::received_message& m : result.messages) {
    ++received[m.text];
    messages.push_back(m);
  }
  notices.insert(notices.end(), result.notices.begin(), result.notices.end());
}

std::size_t device::receive_until(std::size_t count, std::chrono::milliseconds limit) {
  if (!socket) {
    connect();
  }
  client::listen_options options;
  options.duration = limit;
  options.stop = [&] { return messages.size() >= count; };
  client::listen_handlers handlers;
  handlers.on_message = [&](const client::received_message& m) {
    ++received[m.text];
    messages.push_back(m);
  };
  handlers.on_notice = [&](const client::notice& n) { notices.push_back(n); };
  messenger.listen(*socket, options, handlers);
  return messages.size();
}

std::size_t device::receive_for(std::chrono::milliseconds quiet) {
  const std::size_t before = messages.size();
  receive_until(SIZE_MAX, quiet);
  return messages.size() - before;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const auto run = std::random_device{}() % 100000;
  return prefix + "_" + std::to_string(run) + "_" + std::to_string(counter++);
}

bool kt_published(const std::string& url) {
  return sealpost::testing::wait_until(
      [&] {
        pqxx::connection conn(url);
        pqxx::nontransaction tx(conn);
        return tx.exec1("SELECT count(*) FROM kt_pending")[0].as<int>() == 0;
      },
      std::chrono::seconds(10));
}

std::string dump_database(const std::string& url) {
  const std::string command = "pg_dump --data-only --no-owner --dbname='" + url + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("cannot run pg_dump");
  }
  std::string out;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  if (status != 0) {
    throw std::runtime_error("pg_dump failed: " + out.substr(0, 2000));
  }
  return out;
}

std::string hex_of(const std::string& text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

void require_no_plaintext(const std::string& dump, const std::vector<std::string>& plaintexts) {
  REQUIRE(dump.find("COPY public.messages") != std::string::npos);
  std::size_t found = 0;
  for (const std::string& text : plaintexts) {
    if (dump.find(text) != std::string::npos || dump.find(hex_of(text)) != std::string::npos) {
      ++found;
      UNSCOPED_INFO("plaintext found in the database: " << text);
    }
  }
  REQUIRE(found == 0);
}

}  // namespace sealpost::e2e

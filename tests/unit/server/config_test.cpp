// Configuration: defaults, file values, environment overrides, and errors that name the key.
#include "config/config.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

using namespace sealpost::config;

namespace {

struct temp_file {
  std::string path;
  explicit temp_file(const std::string& content) {
    char tmpl[] = "/tmp/sealpost-config-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    std::ofstream(path) << content;
  }
  ~temp_file() { std::remove(path.c_str()); }
};

std::string error_of(const std::optional<std::filesystem::path>& file,
                     const std::vector<std::string>& env = {}) {
  try {
    load(file, env);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("defaults match the documented values", "[config]") {
  auto cfg = load(std::nullopt, {});
  CHECK(cfg.listen.host == "127.0.0.1");
  CHECK(cfg.listen.port == 8080);
  CHECK(cfg.admin_listen.port == 9090);
  CHECK(cfg.database_url.empty());
  CHECK(cfg.http_max_body_bytes == 1024 * 1024);
}

TEST_CASE("file values are applied and environment overrides them", "[config]") {
  temp_file file(R"(listen = "0.0.0.0:8443"
[database]
url = "postgresql://db/sealpost"
pool_size = 3
[http]
max_body_bytes = 4096
)");
  auto cfg = load(file.path, {"SEALPOST_DATABASE_URL=postgresql://other/x",
                              "SEALPOST_ADMIN_LISTEN=[::1]:9191", "UNRELATED=1"});
  CHECK(cfg.listen.host == "0.0.0.0");
  CHECK(cfg.listen.port == 8443);
  CHECK(cfg.database_url == "postgresql://other/x");
  CHECK(cfg.database_pool_size == 3);
  CHECK(cfg.http_max_body_bytes == 4096);
  CHECK(cfg.admin_listen.host == "::1");
  CHECK(cfg.admin_listen.port == 9191);
}

TEST_CASE("unknown keys and bad values are rejected naming the key", "[config]") {
  temp_file unknown("[database]\nurll = \"x\"\n");
  CHECK_THAT(error_of(unknown.path), Catch::Contains("unknown key 'database.urll'"));

  temp_file wrong_type("[database]\npool_size = \"eight\"\n");
  CHECK_THAT(error_of(wrong_type.path), Catch::Contains("'database.pool_size'"));

  temp_file out_of_range("[database]\npool_size = 0\n");
  CHECK_THAT(error_of(out_of_range.path), Catch::Contains("out of range"));

  temp_file bad_level("[log]\nlevel = \"loud\"\n");
  CHECK_THAT(error_of(bad_level.path), Catch::Contains("'log.level'"));

  temp_file syntax("listen = \n");
  CHECK_THAT(error_of(syntax.path), Catch::Contains(":1:"));

  CHECK_THAT(error_of(std::nullopt, {"SEALPOST_LISTEN=localhost"}), Catch::Contains("'listen'"));
  CHECK_THAT(error_of(std::nullopt, {"SEALPOST_LISTEN=127.0.0.1:70000"}),
             Catch::Contains("invalid port"));
  CHECK_THAT(error_of(std::nullopt, {"SEALPOST_THREADS=-1"}), Catch::Contains("'threads'"));
  CHECK_THAT(error_of(std::nullopt, {"SEALPOST_THREADS=4x"}), Catch::Contains("'threads'"));
}

TEST_CASE("environment names derive from keys", "[config]") {
  CHECK(environment_name("database.url") == "SEALPOST_DATABASE_URL");
  CHECK(environment_name("listen") == "SEALPOST_LISTEN");
  CHECK(environment_name("admin_listen") == "SEALPOST_ADMIN_LISTEN");
}

TEST_CASE("the example config file is valid and documents every key", "[config]") {
  const std::filesystem::path example = SEALPOST_SOURCE_DIR "/config/sealpost.toml";
  REQUIRE(std::filesystem::exists(example));
  CHECK_NOTHROW(load(example, {}));
  std::ifstream in(example);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Every key appears in the example file, under its section, set or commented out.
  for (std::string_view key : key_names()) {
    const auto dot = key.rfind('.');
    const std::string leaf(dot == std::string_view::npos ? key : key.substr(dot + 1));
    INFO(key);
    CHECK(text.find(leaf + " =") != std::string::npos);
    if (dot != std::string_view::npos) {
      CHECK(text.find("[" + std::string(key.substr(0, dot)) + "]") != std::string::npos);
    }
  }
}

TEST_CASE("trusted proxies are parsed at load and bad entries name the key", "[config]") {
  auto cfg = load(std::nullopt, {"SEALPOST_HTTP_TRUSTED_PROXIES= 127.0.0.1, 10.0.0.0/8 ,fd00::/8"});
  REQUIRE(cfg.trusted_proxies.size() == 3);
  CHECK(cfg.trusted_proxies[1].prefix_length == 8);
  CHECK(load(std::nullopt, {}).trusted_proxies.empty());
  CHECK_THAT(error_of(std::nullopt, {"SEALPOST_HTTP_TRUSTED_PROXIES=10.0.0.1, proxy.local"}),
             Catch::Contains("'http.trusted_proxies'") && Catch::Contains("'proxy.local'"));
  CHECK_THAT(error_of(std::nullopt, {"SEALPOST_HTTP_TRUSTED_PROXIES=10.0.0.0/33"}),
             Catch::Contains("'http.trusted_proxies'"));
}

TEST_CASE("the body budget must hold the largest single body", "[config]") {
  CHECK(load(std::nullopt, {}).http_max_body_bytes_in_flight == 128 * 1024 * 1024);
  CHECK_THAT(
      error_of(std::nullopt, {"SEALPOST_HTTP_MAX_BODY_BYTES_IN_FLIGHT=8388608"}),
      Catch::Contains("'http.max_body_bytes_in_flight'") && Catch::Contains("backup.max_bytes"));
  CHECK_NOTHROW(load(std::nullopt, {"SEALPOST_HTTP_MAX_BODY_BYTES_IN_FLIGHT=8388608",
                                    "SEALPOST_BACKUP_MAX_BYTES=4194304"}));
}

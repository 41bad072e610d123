// The Prometheus child process and its HTTP query API.
#include "prometheus_server.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http_client.hpp"

extern char** environ;

namespace sealpost::testing {

namespace json = boost::json;

namespace {

// A port nothing listens on right now (the kernel's pick for an ephemeral bind).
std::uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

void write_config(const std::string& path, std::uint16_t target_port) {
  std::ofstream(path) << "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                         "  - job_name: sealpost\n    static_configs:\n"
                         "      - targets: ['127.0.0.1:"
                      << target_port << "']\n";
}

// Runs `args` with stdout and stderr appended to `log_path`; -1 when it cannot start.
pid_t spawn_logged(std::vector<std::string> args, const std::string& log_path) {
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

prometheus_server::prometheus_server(std::uint16_t target_port) {
  char dir_template[] = "/tmp/sealpost-prom-XXXXXX";
  if (mkdtemp(dir_template) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  dir_ = dir_template;
  write_config(dir_ + "/prometheus.yml", target_port);
  port_ = free_port();
  pid_ = spawn_logged({"prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                       "--storage.tsdb.path=" + dir_ + "/data",
                       "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                      dir_ + "/prometheus.log");
  if (pid_ <= 0) {
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("cannot start prometheus (is the package installed?)");
  }
}

prometheus_server::~prometheus_server() {
  // SIGKILL: its data is thrown away with the folder, so a clean shutdown buys nothing.
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

prometheus_answer prometheus_server::query(const std::string& expr) const {
  prometheus_answer answer;
  http_client client(port_);
  auto res = client.try_request(std::chrono::seconds(5), http::verb::get,
                                "/api/v1/query?query=" + percent_encode(expr));
  if (res.how != http_result::kind::answered) {
    answer.error = "no answer from Prometheus: " + res.error.message();
    return answer;
  }
  // A refused query (400, 422) still carries Prometheus's JSON with the reason.
  try {
    const json::value body = res.json();
    const auto& top = body.as_object();
    answer.status = text_of(top, "status");
    answer.error = text_of(top, "error");
    if (const auto* data = top.if_contains("data"); data != nullptr && data->is_object()) {
      answer.result_type = text_of(data->as_object(), "resultType");
      if (const auto* r = data->as_object().if_contains("result"); r != nullptr && r->is_array())
        answer.result = r->as_array();
    }
  } catch (const std::exception&) {
    answer.status.clear();
    answer.error = "HTTP " + std::to_string(res.status) + ", not Prometheus's JSON: " + res.body;
  }
  return answer;
}

double prometheus_server::value(const std::string& expr) const {
  const auto answer = query(expr);
  if (answer.status != "success" || answer.result_type != "vector" || answer.result.size() != 1)
    return -1;
  const auto& sample = answer.result[0].at("value").as_array();
  return std::stod(std::string(sample[1].as_string()));
}

double prometheus_server::await_value(const std::string& expr, double expected,
                                      std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  double last = value(expr);
  while (last != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    last = value(expr);
  }
  return last;
}

std::string prometheus_server::log_tail(std::size_t max_bytes) const {
  std::ifstream in(dir_ + "/prometheus.log");
  std::stringstream all;
  all << in.rdbuf();
  const std::string log = all.str();
  return log.size() > max_bytes ? log.substr(log.size() - max_bytes) : log;
}

}  // namespace sealpost::testing

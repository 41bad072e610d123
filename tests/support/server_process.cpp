// fork/exec of sealpost-server with a clean SEALPOST_* environment.
#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace sealpost::testing {
namespace {

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    // The child sees only the SEALPOST_* settings the test gives it.
    if (std::strncmp(*e, "SEALPOST_", 9) != 0)
      env.emplace_back(*e);
  }
  for (const auto& [k, v] : extra)
    env.push_back(k + "=" + v);
  return env;
}

pid_t spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, int stdout_fd, int stderr_fd) {
  std::vector<std::string> argv_store = {binary};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<std::string> env_store = child_environment(env);
  std::vector<char*> argv;
  for (auto& a : argv_store)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_store)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(stdout_fd, STDOUT_FILENO);
    dup2(stderr_fd, STDERR_FILENO);
    // Nothing else of the test's crosses into the server: an inherited socket (a test's
    // WebSocket, say) would stay open as long as the server runs, and the peer would never
    // see it close.
    close_range(3, ~0U, 0);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int wait_with_timeout(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return status;
    if (r < 0)
      return -1;
    if (std::chrono::steady_clock::now() >= deadline)
      return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

server_process::server_process(const std::string& database_url,
                               std::map<std::string, std::string> env, std::string binary)
    : env_(std::move(env)), binary_(binary.empty() ? SEALPOST_SERVER_BINARY : std::move(binary)) {
  env_.emplace("SEALPOST_DATABASE_URL", database_url);
  env_.emplace("SEALPOST_LISTEN", "127.0.0.1:0");
  env_.emplace("SEALPOST_ADMIN_LISTEN", "127.0.0.1:0");
  env_.emplace("SEALPOST_THREADS", "2");
  env_.emplace("SEALPOST_DATABASE_POOL_SIZE", "4");
  // Tests that are not about key transparency do not wait for the sequencer (DESIGN.md);
  // the KT tests set it themselves (emplace keeps theirs).
  env_.emplace("SEALPOST_KT_CONFIRM_WAIT_MS", "0");
  if (const char* level = std::getenv("SEALPOST_TEST_LOG_LEVEL"))
    env_.emplace("SEALPOST_LOG_LEVEL", level);

  char log_template[] = "/tmp/sealpost-server-log-XXXXXX";
  int log_fd = mkstemp(log_template);
  if (log_fd < 0)
    throw std::runtime_error("mkstemp failed");
  log_path_ = log_template;
  close(log_fd);
  start();
}

void server_process::restart() {
  if (running())
    throw std::logic_error("server_process::restart: the server is still running");
  start();
}

bool server_process::running() {
  if (pid_ <= 0)
    return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0)
    return true;
  pid_ = -1;
  return false;
}

void server_process::start() {
  // Appends, so that the log of every run of this server is in one file.
  int log_fd = open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (log_fd < 0)
    throw std::runtime_error("cannot open the server log " + log_path_);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    close(log_fd);
    throw std::runtime_error("pipe failed");
  }

  pid_ = spawn(binary_, {}, env_, pipe_fds[1], log_fd);
  close(pipe_fds[1]);
  close(log_fd);

  // Read stdout until the announcement line, bounded by a generous deadline.
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  static const std::regex announce(
      R"(listening on https?://[^ ]+:(\d+) \(admin http://[^ ]+:(\d+)\))");
  std::smatch m;
  while (!std::regex_search(out, m, announce)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{pipe_fds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      close(pipe_fds[0]);
      stop(SIGKILL);
      throw std::runtime_error("sealpost-server did not announce its listeners:\n" + log_tail());
    }
    char buf[512];
    ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n <= 0) {
      close(pipe_fds[0]);
      stop(SIGKILL);
      throw std::runtime_error("sealpost-server exited during start-up:\n" + log_tail());
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
  admin_port_ = static_cast<std::uint16_t>(std::stoi(m[2]));
}

server_process::~server_process() {
  if (pid_ > 0) {
    if (stop(SIGTERM) == -1)
      stop(SIGKILL);
  }
  // For debugging a failing test: SEALPOST_TEST_SHOW_LOGS=1 prints each server's log.
  if (std::getenv("SEALPOST_TEST_SHOW_LOGS") != nullptr)
    std::fprintf(stderr, "%s\n", log_tail(20000).c_str());
  if (!log_path_.empty())
    unlink(log_path_.c_str());
}

int server_process::stop(int signo, std::chrono::milliseconds timeout) {
  if (pid_ <= 0)
    return -1;
  kill(pid_, signo);
  int status = wait_with_timeout(pid_, timeout);
  if (status != -1)
    pid_ = -1;
  return status;
}

std::string server_process::log_tail(std::size_t max_bytes) const {
  std::string log = read_file(log_path_);
  return log.size() > max_bytes ? log.substr(log.size() - max_bytes) : log;
}

command_result run_server_command(const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env) {
  char path[] = "/tmp/sealpost-cmd-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    throw std::runtime_error("mkstemp failed");
  pid_t pid = spawn(SEALPOST_SERVER_BINARY, args, env, fd, fd);
  close(fd);
  int status = wait_with_timeout(pid, std::chrono::seconds(30));
  if (status == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  command_result result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(path)};
  unlink(path);
  return result;
}

}  // namespace sealpost::testing

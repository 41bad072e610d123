// Runs scripts/local-postgres.sh for a private cluster, and its one test database.
#include "private_postgres.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace sealpost::testing {

namespace {

// Runs `line` with sh and returns its output (stdout and stderr); throws unless it exits 0.
std::string run_shell(const std::string& line) {
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Not popen(): the postmaster that this starts would inherit every open socket of the
    // test (its WebSocket, say), keep it open for good, and the server would never see
    // the client go.
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close_range(3, ~0U, 0);
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(line + " failed:\n" + out);
  return out;
}

std::string last_line(std::string out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  const auto newline = out.rfind('\n');
  return out.substr(newline == std::string::npos ? 0 : newline + 1);
}

}  // namespace

private_postgres::private_postgres(std::string data_dir) : data_dir_(std::move(data_dir)) {
  database_.emplace(with_database(script("start"), "postgres"));
}

private_postgres::~private_postgres() {
  try {
    script("start");  // in case a failed check left it down
    database_.reset();
  } catch (...) {
    // A leftover database in the test's private cluster is harmless.
  }
  try {
    script("stop");
  } catch (...) {
  }
}

std::string private_postgres::script(const std::string& cmd) const {
  return last_line(run_shell(std::string("'") + SEALPOST_SOURCE_DIR +
                             "/scripts/local-postgres.sh' " + cmd + " '" + data_dir_ +
                             "' --nofsync"));
}

}  // namespace sealpost::testing

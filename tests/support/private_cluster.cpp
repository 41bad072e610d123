// Runs scripts/local-postgres.sh or local-citus.sh for a private cluster, and its one test
// database.
#include "private_cluster.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
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

// A line "KEY=value" of a cluster's env file (scripts/local-citus.sh writes DIR/env).
std::string env_setting(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + "=", 0) == 0)
      return line.substr(key.size() + 1);
  }
  throw std::runtime_error("no " + key + " in " + file);
}

}  // namespace

// On Citus when the suite is: its fixture cluster has workers.
private_cluster::private_cluster(const std::string& data_dir)
    : citus_(!citus_worker_urls().empty()), data_dir_(citus_ ? data_dir + "-citus" : data_dir) {
  if (!citus_) {
    database_.emplace(with_database(run("local-postgres.sh", "start"), "postgres"));
    return;
  }
  const auto coordinator = run("local-citus.sh", "start");
  std::istringstream words(env_setting(data_dir_ + "/env", "SEALPOST_CITUS_WORKERS"));
  for (std::string w; words >> w;)
    worker_urls_.push_back(with_database(w, "postgres"));
  database_.emplace(with_database(coordinator, "postgres"), worker_urls_);
}

private_cluster::~private_cluster() {
  try {
    // In case a failed check left a node down.
    run(citus_ ? "local-citus.sh" : "local-postgres.sh", "start");
    database_.reset();
  } catch (...) {
    // A leftover database in the test's private cluster is harmless.
  }
  try {
    run(citus_ ? "local-citus.sh" : "local-postgres.sh", "stop");
  } catch (...) {
  }
}

std::string private_cluster::coordinator_dir() const {
  return citus_ ? data_dir_ + "/coordinator" : data_dir_;
}

void private_cluster::crash() {
  run("local-postgres.sh", "kill", coordinator_dir());
}
void private_cluster::stop() {
  run("local-postgres.sh", "stop", coordinator_dir());
}
// Only the coordinator's settings file names Citus: it was made by local-citus.sh.
void private_cluster::start() {
  run("local-postgres.sh", "start", coordinator_dir());
}

void private_cluster::kill_worker(int k) {
  run("local-citus.sh", "kill-worker", data_dir_, std::to_string(k));
}

void private_cluster::start_worker(int k) {
  run("local-citus.sh", "start-worker", data_dir_, std::to_string(k));
}

std::string private_cluster::worker_name(int k) const {
  return citus_node_name(worker_urls_.at(static_cast<std::size_t>(k - 1)));
}

std::string private_cluster::run(const std::string& script, const std::string& cmd) const {
  return run(script, cmd, data_dir_);
}

std::string private_cluster::run(const std::string& script, const std::string& cmd,
                                 const std::string& dir, const std::string& extra) const {
  return last_line(run_shell("'" + std::string(SEALPOST_SOURCE_DIR) + "/scripts/" + script + "' " +
                             cmd + " '" + dir + "' " + extra + " --nofsync"));
}

}  // namespace sealpost::testing

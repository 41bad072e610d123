// A real sealpost-server child process on ports it picked itself (port 0), for integration
// tests. Its stderr (JSON logs) goes to a file whose tail is shown when a test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sealpost::testing {

class server_process {
 public:
  // Starts the server against `database_url` with extra environment `env` (SEALPOST_* keys)
  // and waits until it announces its listeners. Throws when it exits or stays silent.
  // `binary` is another build of the server to run (empty: the build's sealpost-server).
  explicit server_process(const std::string& database_url,
                          std::map<std::string, std::string> env = {}, std::string binary = {});
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }

  // Sends `signo` and waits up to `timeout` for exit; returns the exit status as from
  // waitpid (use WIFEXITED/WEXITSTATUS), or -1 when it did not exit in time.
  int stop(int signo, std::chrono::milliseconds timeout = std::chrono::seconds(15));

  std::string log_tail(std::size_t max_bytes = 4000) const;

  // For crash tests. kill_hard() is SIGKILL: no shutdown, in-flight requests are cut off.
  // Returns true once the process is gone.
  bool kill_hard() { return stop(SIGKILL) != -1; }
  // Starts the server again after stop()/kill_hard(), on the same database with the same
  // settings, on new ports (port() and admin_port() change); its log continues in the same
  // file. Throws like the constructor.
  void restart();
  // True while the process has not exited (it is reaped when it has).
  bool running();

 private:
  void start();

  std::map<std::string, std::string> env_;  // the child's SEALPOST_* settings
  std::string binary_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::string log_path_;
};

// Runs sealpost-server with `args` and `env` to completion; returns exit code and output.
struct command_result {
  int exit_code;
  std::string output;  // stdout and stderr together
};
command_result run_server_command(const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env = {});

}  // namespace sealpost::testing

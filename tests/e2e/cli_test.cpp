// The `sealpost` binary against a real server: two users register, send, listen (live over
// the WebSocket and from the backlog), compare safety numbers, link a device and see the
// readable errors a person gets.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <thread>

#include "e2e_support.hpp"

extern char** environ;

using namespace sealpost::e2e;

namespace {

struct cli_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// A `sealpost` process with the test's environment plus `env`; output goes to a file.
class cli_process {
 public:
  cli_process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              const std::filesystem::path& output)
      : output_(output) {
    std::vector<std::string> argv_store{SEALPOST_CLI_BINARY};
    argv_store.insert(argv_store.end(), args.begin(), args.end());
    std::vector<std::string> env_store;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string_view(*e).rfind("SEALPOST_", 0) != 0) {
        env_store.emplace_back(*e);
      }
    }
    for (const auto& [k, v] : env) {
      env_store.push_back(k + "=" + v);
    }
    std::vector<char*> argv;
    for (std::string& a : argv_store) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : env_store) {
      envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, STDIN_FILENO);
      ::setsid();  // no controlling terminal: passphrases must come from the environment
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(fd);
  }

  cli_result wait(std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        FAIL("sealpost did not finish in time");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream in(output_);
    std::stringstream text;
    text << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
  }

  [[nodiscard]] std::string output_so_far() const {
    std::ifstream in(output_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  pid_t pid_ = -1;
  std::filesystem::path output_;
};

struct cli_user {
  const environment& env;
  std::string state;
  std::map<std::string, std::string> vars;
  int runs = 0;

  cli_user(const environment& e, const std::string& name)
      : env(e), state((e.folder.path() / (name + ".state")).string()) {
    vars = {{"SEALPOST_SERVER", env.url()},
            {"SEALPOST_PASSPHRASE", "cli passphrase of " + name},
            {"SEALPOST_BACKUP_PASSPHRASE", "backup passphrase of " + name}};
  }

  std::unique_ptr<cli_process> start(std::vector<std::string> args) {
    args.insert(args.begin(), {"--state", state});
    const auto output = std::filesystem::path(state + ".out" + std::to_string(runs++));
    return std::make_unique<cli_process>(args, vars, output);
  }

  cli_result run(std::vector<std::string> args) {
    cli_result result = start(std::move(args))->wait();
    UNSCOPED_INFO("sealpost output: " << result.output);
    return result;
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> safety_lines(const std::string& output) {
  static const std::regex line(R"(device \d+: ((?:\d{5} ){11}\d{5}))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line);
       it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("e2e: the sealpost CLI registers, sends, listens, compares safety numbers and links",
          "[e2e][cli]") {
  environment env;
  const std::string alice_name = unique_name("alice");
  const std::string bob_name = unique_name("bob");
  cli_user alice(env, "alice");
  cli_user bob(env, "bob");

  cli_result r = alice.run({"register", alice_name});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "Registered " + alice_name));
  REQUIRE(bob.run({"register", bob_name}).exit_code == 0);

  // Bob listens live; Alice's message arrives over his WebSocket while he waits.
  std::unique_ptr<cli_process> live = bob.start({"listen", "--timeout", "6"});
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  r = alice.run({"send", bob_name, "hello", "bob,", "this", "is", "alice"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "Sent to " + bob_name));
  const cli_result listened = live->wait();
  INFO("listen output: " << listened.output);
  CHECK(listened.exit_code == 0);
  CHECK(contains(listened.output, alice_name + ": hello bob, this is alice"));

  // Bob answers; Alice reads her backlog and stops when it is done. Alice's message gave Bob
  // her access key, so the answer goes sealed: the server is not told it is from Bob.
  r = bob.run({"send", alice_name, "hi alice"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "Sent sealed to " + alice_name));
  r = alice.run({"listen", "--once"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "[sealed] " + bob_name + ": hi alice"));
  r = bob.run({"privacy"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "from contacts who got this account's access key"));
  CHECK(contains(r.output, "to 1 contact whose access key"));
  CHECK(contains(r.output, "trust root:       pinned"));
  r = alice.run({"listen", "--once"});
  CHECK(r.exit_code == 0);
  CHECK_FALSE(contains(r.output, "hi alice"));  // acked: not delivered twice

  // Both see the same safety number.
  const cli_result alice_numbers = alice.run({"safety-number", bob_name});
  const cli_result bob_numbers = bob.run({"safety-number", alice_name});
  REQUIRE(alice_numbers.exit_code == 0);
  REQUIRE(bob_numbers.exit_code == 0);
  const std::vector<std::string> a_lines = safety_lines(alice_numbers.output);
  REQUIRE(a_lines.size() == 1);
  CHECK(a_lines == safety_lines(bob_numbers.output));
  REQUIRE(alice.run({"verify", bob_name}).exit_code == 0);
  CHECK(contains(alice.run({"contacts"}).output, "verified"));

  // A second device for Alice from a link code; both of her devices get Bob's next message.
  r = alice.run({"link"});
  REQUIRE(r.exit_code == 0);
  std::smatch code;
  REQUIRE(std::regex_search(r.output, code, std::regex(R"(link (\S+:\S+))")));
  cli_user laptop(env, "alice-laptop");
  r = laptop.run({"link", code[1]});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "device 2 of " + alice_name));
  CHECK(contains(alice.run({"devices"}).output, "device 2"));
  REQUIRE(bob.run({"send", alice_name, "to all of alice"}).exit_code == 0);
  CHECK(contains(alice.run({"listen", "--once"}).output, "to all of alice"));
  CHECK(contains(laptop.run({"listen", "--once"}).output, "to all of alice"));
  // The laptop learnt Bob's access key from his message, so it sends sealed too.
  r = laptop.run({"send", bob_name, "from the laptop"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "Sent sealed to " + bob_name));
  CHECK(contains(bob.run({"listen", "--once"}).output, "(device 2): from the laptop"));
  CHECK(contains(alice.run({"listen", "--once"}).output, "you (device 2) -> " + bob_name));
  CHECK(contains(alice.run({"history", bob_name}).output, "you -> " + bob_name + ": hello bob"));

  // Backup, then restore onto a third device.
  REQUIRE(alice.run({"backup"}).exit_code == 0);
  r = alice.run({"link"});
  REQUIRE(std::regex_search(r.output, code, std::regex(R"(link (\S+:\S+))")));
  cli_user tablet(env, "alice-tablet");
  tablet.vars["SEALPOST_BACKUP_PASSPHRASE"] = alice.vars["SEALPOST_BACKUP_PASSPHRASE"];
  r = tablet.run({"restore", "--link", code[1]});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "Restored"));
  CHECK(contains(tablet.run({"history"}).output, "hello bob, this is alice"));

  // Errors a person can read.
  r = alice.run({"send", "nobody_here_xyz", "hi"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "no user named 'nobody_here_xyz'"));
  cli_user wrong(env, "alice");
  wrong.vars["SEALPOST_PASSPHRASE"] = "not the passphrase";
  r = wrong.run({"whoami"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "wrong passphrase"));
  r = alice.run({"frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.output, "unknown command"));
  cli_user nobody(env, "nobody");
  r = nobody.run({"whoami"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "no state file"));
  r = bob.run({"register", alice_name});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "already exists"));
  cli_user bob_again(env, "bob-again");
  r = bob_again.run({"register", bob_name});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "username_taken"));

  // The state files hold no plaintext; the database holds no plaintext.
  for (const cli_user* user : {&alice, &bob, &laptop}) {
    std::ifstream in(user->state, std::ios::binary);
    std::stringstream raw;
    raw << in.rdbuf();
    CHECK_FALSE(contains(raw.str(), "hello bob"));
    CHECK_FALSE(contains(raw.str(), "hi alice"));
  }
  require_no_plaintext(dump_database(env.db.url()), {"hello bob, this is alice", "hi alice",
                                                     "to all of alice", "from the laptop"});
}

TEST_CASE("e2e: sealpost kt check pins the log, verifies it, and reports a forged head",
          "[e2e][cli][kt]") {
  const std::map<std::string, std::string> fast_log{{"SEALPOST_KT_BATCH_INTERVAL_MS", "20"},
                                                    {"SEALPOST_KT_CONFIRM_WAIT_MS", "5000"}};
  environment env(fast_log);
  cli_user alice(env, "alice");
  REQUIRE(alice.run({"register", unique_name("alice")}).exit_code == 0);
  cli_result r = alice.run({"kt", "status"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "not checked yet"));
  r = alice.run({"kt", "check"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "Pinned the server's key-transparency configuration"));
  CHECK(contains(r.output, "The log verifies"));
  r = alice.run({"kt", "status"});
  CHECK(contains(r.output, "status:            verified"));

  {
    pqxx::connection conn(env.db.url());
    pqxx::nontransaction tx(conn);
    tx.exec0(
        "UPDATE kt_entries SET signature = set_byte(signature, 5, get_byte(signature, 5) # 1) "
        "WHERE position = (SELECT max(position) FROM kt_entries)");
  }
  r = alice.run({"kt", "check"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "KEY TRANSPARENCY FAILURE"));
  r = alice.run({"kt", "status"});
  CHECK(contains(r.output, "FAILURE:"));
  const std::string evidence_file = (env.folder.path() / "evidence.json").string();
  r = alice.run({"kt", "evidence", "--out", evidence_file});
  REQUIRE(r.exit_code == 0);
  std::ifstream in(evidence_file);
  std::stringstream text;
  text << in.rdbuf();
  const auto evidence = boost::json::parse(text.str());
  CHECK(evidence.as_array().size() == 2);
  CHECK(alice.run({"kt", "frobnicate"}).exit_code == 2);
}

TEST_CASE(
    "e2e: sealpost listen checks the log at start and shows a device linked behind the "
    "owner's back",
    "[e2e][cli][kt]") {
  environment env;
  cli_user alice(env, "alice");
  REQUIRE(alice.run({"register", unique_name("alice")}).exit_code == 0);
  cli_result r = alice.run({"listen", "--once"});
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(contains(r.output, "Your account:"));  // the registration is adopted history

  // The server links a device of its own to Alice's account and publishes it.
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    tx.exec0(
        "INSERT INTO devices (account_id, device_id, registration_id, identity_key, "
        "password_salt, password_hash) SELECT account_id, 5, 777, identity_key, '\\x00', '\\x00' "
        "FROM devices");
    tx.exec0(
        "INSERT INTO kt_pending (label) SELECT DISTINCT '\\x01'::bytea || uuid_send(account_id) "
        "FROM devices");
    tx.commit();
  }
  REQUIRE(kt_published(env.db.url()));
  r = alice.run({"listen", "--once"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.output, "Your account: device 5 was linked to your account"));
  // Shown once.
  CHECK_FALSE(contains(alice.run({"listen", "--once"}).output, "device 5"));
}

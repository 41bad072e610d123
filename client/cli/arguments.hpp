// The CLI's command line: options and words, and the checks every command makes on them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sealpost::cli {

// Bad usage: main() prints it and exits with status 2.
class usage_failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct arguments {
  std::optional<std::string> server;
  std::optional<std::string> state;
  std::optional<std::string> invite;
  std::optional<std::string> link_code;
  std::optional<std::string> ca_file;
  std::optional<long> timeout_seconds;
  std::optional<std::string> allow_anyone;  // privacy: "on" or "off"
  std::optional<std::string> out;           // kt evidence: the file to write
  bool new_key = false;                     // privacy
  bool pin_new_root = false;                // privacy
  bool once = false;
  bool help = false;
  std::vector<std::string> words;  // the command and its positional arguments
};

// The arguments of `argv`. usage_failure for an unknown option or a missing value.
arguments parse(int argc, char** argv);

// The environment variable's value, or nullopt when unset or empty.
std::optional<std::string> env(const char* name);

// usage_failure with "usage: sealpost `form`" unless there are `min` to `max` words.
void require_words(const arguments& args, std::size_t min, std::size_t max, const char* form);

// A device id (1 to 2^31-1) from the command line. usage_failure otherwise.
std::uint32_t parse_device_id(const std::string& text);

}  // namespace sealpost::cli

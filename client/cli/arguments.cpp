// Parsing the CLI's command line: "--name value", "--name=value", flags, words, "--".
#include "cli/arguments.hpp"

#include <climits>
#include <cstdlib>
#include <map>

namespace sealpost::cli {
namespace {

long parse_timeout(const std::string& text) {
  char* end = nullptr;
  const long seconds = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || seconds <= 0) {
    throw usage_failure("--timeout takes a number of seconds");
  }
  return seconds;
}

// The option argv[i] (with its value, "--name=value" or the next word, which `i` then
// moves past) recorded in `out`.
void parse_option(int argc, char** argv, int& i, arguments& out) {
  static const std::map<std::string, std::optional<std::string> arguments::*> valued{
      {"--server", &arguments::server},   {"--state", &arguments::state},
      {"--invite", &arguments::invite},   {"--link", &arguments::link_code},
      {"--ca-file", &arguments::ca_file}, {"--allow-anyone", &arguments::allow_anyone},
      {"--out", &arguments::out}};
  std::string word = argv[i];
  std::optional<std::string> inline_value;
  if (const auto eq = word.find('='); eq != std::string::npos && word.starts_with("--")) {
    inline_value = word.substr(eq + 1);
    word = word.substr(0, eq);
  }
  auto value = [&]() -> std::string {
    if (inline_value) {
      return *inline_value;
    }
    if (i + 1 >= argc) {
      throw usage_failure(word + " needs a value");
    }
    return argv[++i];
  };
  if (word == "-h" || word == "--help") {
    out.help = true;
  } else if (word == "--once") {
    out.once = true;
  } else if (word == "--new-key") {
    out.new_key = true;
  } else if (word == "--pin-new-root") {
    out.pin_new_root = true;
  } else if (word == "--timeout") {
    out.timeout_seconds = parse_timeout(value());
  } else if (const auto it = valued.find(word); it != valued.end()) {
    out.*(it->second) = value();
  } else {
    throw usage_failure("unknown option " + word);
  }
}

}  // namespace

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;
}

arguments parse(int argc, char** argv) {
  arguments out;
  bool only_words = false;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (only_words || word == "-" || !word.starts_with("-")) {
      out.words.push_back(word);
    } else if (word == "--") {
      only_words = true;
    } else {
      parse_option(argc, argv, i, out);
    }
  }
  return out;
}

void require_words(const arguments& args, std::size_t min, std::size_t max, const char* form) {
  if (args.words.size() < min || args.words.size() > max) {
    throw usage_failure(std::string("usage: sealpost ") + form);
  }
}

std::uint32_t parse_device_id(const std::string& text) {
  char* end = nullptr;
  const unsigned long id = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || id == 0 || id > INT32_MAX) {
    throw usage_failure("'" + text + "' is not a device id");
  }
  return static_cast<std::uint32_t>(id);
}

}  // namespace sealpost::cli

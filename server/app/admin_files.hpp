// What the admin commands share: their two kinds of failure, "--name value" options, and
// key files written once, never overwritten.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::app {

// A usage error: printed with the usage text, exit 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A refusal that is not a usage error (a file exists, a key does not verify): exit 1.
struct command_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "--name value" pairs after args[0]; every name must be one of `allowed`, each given once,
// and every one of `required` must be there.
std::map<std::string, std::string> read_options(const std::vector<std::string>& args,
                                                std::initializer_list<std::string> allowed,
                                                std::initializer_list<std::string> required);
// The same when every allowed option is required.
std::map<std::string, std::string> read_options(const std::vector<std::string>& args,
                                                std::initializer_list<std::string> allowed);

// Refuses before anything is written, so a command leaves all of its files or none.
void refuse_existing(std::initializer_list<std::filesystem::path> paths);

// Creates `path` (which must not exist) with `mode` and writes `text` to it.
void write_new_file(const std::filesystem::path& path, std::string_view text, mode_t mode);

// `dir`, created when missing.
std::filesystem::path output_folder(const std::string& dir);

}  // namespace sealpost::app

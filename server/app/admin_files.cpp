// Option parsing and never-overwriting file writes for the admin commands.
#include "app/admin_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sealpost::app {

namespace fs = std::filesystem;

std::map<std::string, std::string> read_options(const std::vector<std::string>& args,
                                                std::initializer_list<std::string> allowed,
                                                std::initializer_list<std::string> required) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 1; i < args.size(); i += 2) {
    const auto& name = args[i];
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      throw usage_error("unknown argument '" + name + "'");
    if (i + 1 >= args.size())
      throw usage_error(name + " needs a value");
    if (!out.emplace(name, args[i + 1]).second)
      throw usage_error(name + " given twice");
  }
  for (const auto& name : required) {
    if (!out.contains(name))
      throw usage_error(name + " is required");
  }
  return out;
}

void refuse_existing(std::initializer_list<fs::path> paths) {
  for (const auto& p : paths) {
    if (fs::exists(fs::symlink_status(p)))
      throw command_error("'" + p.string() + "' exists; it is never overwritten");
  }
}

void write_new_file(const fs::path& path, std::string_view text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw command_error("cannot create '" + path.string() + "': " + std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw command_error("cannot write '" + path.string() + "': " + why);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw command_error("cannot write '" + path.string() + "': " + std::strerror(errno));
}

fs::path output_folder(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw command_error("cannot create '" + dir + "': " + ec.message());
  return fs::path(dir);
}

std::map<std::string, std::string> read_options(const std::vector<std::string>& args,
                                                std::initializer_list<std::string> allowed) {
  return read_options(args, allowed, allowed);
}

}  // namespace sealpost::app

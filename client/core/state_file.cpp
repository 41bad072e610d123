// State file I/O with POSIX calls: O_EXCL temporary files, fsync, rename, flock.
#include "core/state_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "crypto/random.hpp"

namespace sealpost::client {
namespace {

[[noreturn]] void io_failure(const std::string& what, const std::filesystem::path& path,
                             int error) {
  throw state_error(state_error::kind::io,
                    what + " " + path.string() + ": " + std::strerror(error));
}

// Closes a descriptor on every path out of a scope.
class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

void write_all(int fd, std::span<const std::uint8_t> bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      io_failure("cannot write", path, errno);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

std::filesystem::path parent_folder(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

std::string random_suffix() {
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : crypto::random_bytes(6)) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

}  // namespace

std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path) {
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      throw state_error(state_error::kind::not_found, "no state file at " + path.string());
    }
    io_failure("cannot open", path, errno);
  }
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      io_failure("cannot read", path, errno);
    }
    if (n == 0) {
      break;
    }
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  return bytes;
}

void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  const std::filesystem::path folder = parent_folder(path);
  const std::filesystem::path temporary =
      folder / ("." + path.filename().string() + ".tmp-" + random_suffix());
  fd_guard fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    io_failure("cannot create", temporary, errno);
  }
  try {
    write_all(fd.get(), bytes, temporary);
    if (::fsync(fd.get()) != 0) {
      io_failure("cannot flush", temporary, errno);
    }
    if (::close(fd.release()) != 0) {
      io_failure("cannot close", temporary, errno);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
      io_failure("cannot replace", path, errno);
    }
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  // The rename is durable only once the folder's entry is on disk.
  fd_guard dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    io_failure("cannot flush the folder of", path, errno);
  }
}

state_file::lock::~lock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

state_file::lock state_file::acquire(const std::filesystem::path& path) {
  const std::filesystem::path lock_path = path.string() + ".lock";
  fd_guard fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    io_failure("cannot open the lock file", lock_path, errno);
  }
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) {
      io_failure("cannot lock", lock_path, errno);
    }
  }
  return lock(fd.release());
}

state_file state_file::create(const std::filesystem::path& path, std::string_view passphrase,
                              const crypto::scrypt_params& kdf) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    throw state_error(state_error::kind::already_exists,
                      "a state file already exists at " + path.string() +
                          "; choose another path for a new account or device");
  }
  if (errno != ENOENT) {
    io_failure("cannot check", path, errno);
  }
  const std::filesystem::path folder = parent_folder(path);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    throw state_error(state_error::kind::io,
                      "cannot create the folder " + folder.string() + ": " + ec.message());
  }
  const sealed_box::header header = sealed_box::new_header(kdf);
  return state_file(path, header, sealed_box::derive_key(passphrase, header));
}

state_file state_file::open(const std::filesystem::path& path, std::string_view passphrase) {
  const std::vector<std::uint8_t> bytes = read_whole_file(path);
  const std::optional<sealed_box::header> header =
      sealed_box::parse_header(sealed_box::state_magic, bytes);
  if (!header) {
    throw state_error(state_error::kind::corrupt,
                      path.string() + " is not a Sealpost state file (or one of a newer version)");
  }
  return state_file(path, *header, sealed_box::derive_key(passphrase, *header));
}

crypto::secret_bytes<> state_file::read() {
  const std::vector<std::uint8_t> bytes = read_whole_file(path_);
  const std::optional<sealed_box::header> header =
      sealed_box::parse_header(sealed_box::state_magic, bytes);
  if (!header) {
    throw state_error(state_error::kind::corrupt,
                      path_.string() + " is not a Sealpost state file (or one of a newer version)");
  }
  if (header->salt != header_.salt || header->kdf.n != header_.kdf.n ||
      header->kdf.r != header_.kdf.r || header->kdf.p != header_.kdf.p) {
    throw state_error(state_error::kind::corrupt,
                      path_.string() + " was replaced by a different state file");
  }
  std::optional<crypto::secret_bytes<>> payload = sealed_box::open(key_, bytes);
  if (!payload) {
    throw state_error(
        state_error::kind::wrong_passphrase,
        "cannot decrypt " + path_.string() + ": wrong passphrase, or the file was damaged");
  }
  known_generation_ = header->generation;
  return std::move(*payload);
}

bool state_file::changed_on_disk() const {
  fd_guard fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    io_failure("cannot open", path_, errno);
  }
  std::array<std::uint8_t, sealed_box::header_size + crypto::aead_tag_size> head{};
  std::size_t got = 0;
  while (got < head.size()) {
    const ssize_t n = ::read(fd.get(), head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  const std::optional<sealed_box::header> header = sealed_box::parse_header(
      sealed_box::state_magic, std::span<const std::uint8_t>(head.data(), got));
  return !header || !known_generation_ || header->generation != *known_generation_;
}

void state_file::write(std::span<const std::uint8_t> payload) {
  sealed_box::header next = header_;
  crypto::random_fill(next.generation);
  write_file_atomically(path_, sealed_box::seal(sealed_box::state_magic, next, key_, payload));
  header_ = next;
  known_generation_ = next.generation;
}

}  // namespace sealpost::client

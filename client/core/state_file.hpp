// The local state file: one sealed_box under a key derived from the user's passphrase,
// replaced atomically on every write (temporary file, fsync, rename, fsync of the folder),
// and an advisory lock (flock on "<path>.lock") so that several processes of the same
// device (say `sealpost listen` and `sealpost send`) take turns.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "core/sealed_box.hpp"
#include "crypto/aead.hpp"
#include "crypto/secret_bytes.hpp"

namespace sealpost::client {

class state_file {
 public:
  // Holds the lock until destroyed.
  class lock {
   public:
    lock(lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    lock& operator=(lock&&) = delete;
    lock(const lock&) = delete;
    lock& operator=(const lock&) = delete;
    ~lock();

   private:
    friend class state_file;
    explicit lock(int fd) noexcept : fd_(fd) {}
    int fd_;
  };

  // A state file that does not exist yet at `path` (the first write() creates it, 0600).
  // Throws state_error(already_exists) when something is at `path` already; the caller
  // should hold lock_path(path) while it decides.
  static state_file create(const std::filesystem::path& path, std::string_view passphrase,
                           const crypto::scrypt_params& kdf = sealed_box::default_kdf);

  // The existing file at `path`, its key derived from `passphrase` and the parameters in the
  // file's header. Throws state_error: not_found, corrupt (not a state file), io. A wrong
  // passphrase is only detected by read().
  static state_file open(const std::filesystem::path& path, std::string_view passphrase);

  // Waits for the advisory lock of `path` and returns it. Throws state_error(io).
  static lock acquire(const std::filesystem::path& path);
  lock acquire() const { return acquire(path_); }

  // The decrypted contents; remembers the generation it read. Throws state_error:
  // wrong_passphrase (does not authenticate), corrupt, not_found, io.
  crypto::secret_bytes<> read();

  // True when the file holds a different generation than this object last read or wrote
  // (another process wrote it). Throws state_error(io) when it cannot be read.
  [[nodiscard]] bool changed_on_disk() const;

  // Replaces the file's contents atomically: a reader sees the old contents or the new,
  // never a mix, even across a crash. Throws state_error(io); the old file is then intact.
  void write(std::span<const std::uint8_t> payload);

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  state_file(std::filesystem::path path, sealed_box::header header, crypto::aead_key key)
      : path_(std::move(path)), header_(header), key_(std::move(key)) {}

  std::filesystem::path path_;
  sealed_box::header header_;
  crypto::aead_key key_;
  std::optional<sealed_box::generation> known_generation_;
};

// Reads a whole file. Throws state_error(not_found / io) naming `path`.
std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path);

// Writes `bytes` to `path` atomically, mode 0600 (see state_file::write). Throws
// state_error(io).
void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

}  // namespace sealpost::client

// Passphrase prompts with termios, and output sanitising.
#include "cli/terminal.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <termios.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

namespace sealpost::cli {
namespace {

// Reads one line from the terminal with echo off; restores the terminal on every path.
std::string prompt_line(int tty, std::string_view prompt) {
  if (::write(tty, prompt.data(), prompt.size()) < 0) {
    throw std::runtime_error("cannot write to the terminal");
  }
  termios saved{};
  const bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  std::string line;
  char c = 0;
  while (::read(tty, &c, 1) == 1 && c != '\n') {
    line.push_back(c);
  }
  if (restore) {
    ::tcsetattr(tty, TCSAFLUSH, &saved);
  }
  if (::write(tty, "\n", 1) < 0) {
    // Only cosmetic.
  }
  return line;
}

}  // namespace

std::string read_passphrase(const char* variable, std::string_view prompt, bool confirm) {
  if (const char* value = std::getenv(variable); value != nullptr && *value != '\0') {
    return value;
  }
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    throw std::runtime_error(std::string("no passphrase: set ") + variable +
                             " or run in a terminal");
  }
  std::string first;
  try {
    first = prompt_line(tty, prompt);
    if (confirm) {
      std::string second = prompt_line(tty, "Repeat it: ");
      const bool same = first == second;
      OPENSSL_cleanse(second.data(), second.size());
      if (!same) {
        throw std::runtime_error("the two passphrases differ");
      }
    }
  } catch (...) {
    ::close(tty);
    OPENSSL_cleanse(first.data(), first.size());
    throw;
  }
  ::close(tty);
  if (first.empty()) {
    throw std::runtime_error("an empty passphrase");
  }
  return first;
}

std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    // C0 controls, DEL, and the C1 controls U+0080-U+009F (UTF-8 0xC2 0x80-0x9F), which some
    // terminals read as escape sequences.
    const bool c1 = byte == 0xc2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7f || c1) {
      const unsigned char shown = c1 ? static_cast<unsigned char>(text[++i]) : byte;
      out += "\\x";
      out.push_back(hex[shown >> 4]);
      out.push_back(hex[shown & 15]);
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string clock_time(std::uint64_t ms_since_epoch) {
  const std::time_t seconds = static_cast<std::time_t>(ms_since_epoch / 1000);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", &local);
  return buffer;
}

}  // namespace sealpost::cli

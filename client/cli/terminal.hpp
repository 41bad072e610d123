// Terminal helpers of the CLI: passphrases from the environment or an echo-free prompt, and
// text from other people made safe to print.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sealpost::cli {

// The value of environment variable `variable` when set and not empty; else asks on the
// terminal (/dev/tty) without echo, twice when `confirm`. Throws std::runtime_error when
// neither works (no variable and no terminal) or the two entries differ.
std::string read_passphrase(const char* variable, std::string_view prompt, bool confirm);

// `text` with control characters (terminal escape sequences and the like) shown as \xNN,
// so that a message cannot take over the terminal. Newlines and tabs stay.
std::string printable(std::string_view text);

// "HH:MM:SS" of a ms-since-epoch time in local time.
std::string clock_time(std::uint64_t ms_since_epoch);

}  // namespace sealpost::cli

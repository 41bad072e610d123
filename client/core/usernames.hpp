// Username syntax as the server defines it (3-32 characters of a-z 0-9 _ . -), and the
// case folding that lets people type "Bob" for "bob".
#pragma once

#include <string>
#include <string_view>

namespace sealpost::client {

[[nodiscard]] bool valid_username(std::string_view name);

// `text` with A-Z folded to a-z (usernames are lower case; other bytes stay).
[[nodiscard]] std::string lowercase(std::string_view text);

}  // namespace sealpost::client

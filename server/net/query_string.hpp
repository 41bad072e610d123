// The query string of a request target as name=value pairs. No percent-decoding: every query
// parameter of the API is a number or a word.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace sealpost::net {

// The pairs after '?', in order; a pair without '=' has an empty value. The views point into
// `target`.
std::vector<std::pair<std::string_view, std::string_view>> query_pairs(std::string_view target);

}  // namespace sealpost::net

#include "net/query_string.hpp"

namespace sealpost::net {

std::vector<std::pair<std::string_view, std::string_view>> query_pairs(std::string_view target) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  const auto q = target.find('?');
  std::string_view rest = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    pairs.emplace_back(pair.substr(0, eq),
                       eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
  }
  return pairs;
}

}  // namespace sealpost::net

// Route matching: segment by segment, captures bound by name.
#include "net/router.hpp"

namespace sealpost::net {
namespace {

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // every path starts with '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos)
      end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool match_pattern(std::string_view pattern, std::string_view path, path_params& params) {
  auto want = split_segments(pattern);
  auto got = split_segments(path);
  if (want.size() != got.size())
    return false;
  path_params captured;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (got[i].empty())
        return false;
      captured.emplace(std::string(w.substr(1, w.size() - 2)), std::string(got[i]));
    } else if (w != got[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

}  // namespace

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

void router::add(route r) {
  routes_.push_back(std::move(r));
}

route_match router::match(http::verb method, std::string_view target) const {
  route_match result;
  const std::string_view path = path_of(target);
  if (path.empty() || path.front() != '/')
    return result;
  // Among matching routes the one with the fewest captures wins, so "/v1/accounts/me"
  // beats "/v1/accounts/{account_id}" whatever the registration order.
  for (const auto& r : routes_) {
    path_params params;
    if (!match_pattern(r.pattern, path, params))
      continue;
    if (r.method != method) {
      result.allowed.push_back(r.method);
    } else if (result.matched == nullptr || params.size() < result.params.size()) {
      result.matched = &r;
      result.params = std::move(params);
    }
  }
  if (result.matched != nullptr)
    result.allowed.clear();
  return result;
}

}  // namespace sealpost::net

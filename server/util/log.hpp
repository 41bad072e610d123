// Structured logging: one JSON object per line on stderr, through spdlog's thread-safe sink.
// Callers pass an event name and fields; never pass secrets, keys, passwords or ciphertext.
#pragma once

#include <boost/json/object.hpp>
#include <exception>
#include <string_view>

namespace sealpost::log {

enum class level { trace, debug, info, warn, error };

// Sets the minimum level from its config name ("trace" .. "error").
void init(std::string_view level_name);

bool enabled(level lvl);
void write(level lvl, std::string_view event, boost::json::object fields = {});

inline void info(std::string_view event, boost::json::object fields = {}) {
  write(level::info, event, std::move(fields));
}
inline void warn(std::string_view event, boost::json::object fields = {}) {
  write(level::warn, event, std::move(fields));
}
inline void error(std::string_view event, boost::json::object fields = {}) {
  write(level::error, event, std::move(fields));
}
inline void debug(std::string_view event, boost::json::object fields = {}) {
  write(level::debug, event, std::move(fields));
}

// A co_spawn completion handler for detached work: an exception that escaped it is logged
// at error level as `event` (a string literal), and goes no further.
inline auto log_failure(std::string_view event) {
  return [event](std::exception_ptr e) {
    if (!e)
      return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& err) {
      error(event, {{"what", err.what()}});
    }
  };
}

}  // namespace sealpost::log

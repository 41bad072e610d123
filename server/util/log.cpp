// JSON-lines log records on top of spdlog.
#include "util/log.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace sealpost::log {
namespace {

spdlog::logger& logger() {
  static auto instance = [] {
    auto l = spdlog::stderr_logger_mt("sealpost");
    l->set_pattern("%v");
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(level lvl) {
  switch (lvl) {
    case level::trace: return spdlog::level::trace;
    case level::debug: return spdlog::level::debug;
    case level::info: return spdlog::level::info;
    case level::warn: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view name_of(level lvl) {
  switch (lvl) {
    case level::trace: return "trace";
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

}  // namespace

void init(std::string_view level_name) {
  for (level l : {level::trace, level::debug, level::info, level::warn, level::error}) {
    if (name_of(l) == level_name) logger().set_level(to_spdlog(l));
  }
}

bool enabled(level lvl) { return logger().should_log(to_spdlog(lvl)); }

void write(level lvl, std::string_view event, boost::json::object fields) {
  if (!enabled(lvl)) return;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  boost::json::object record;
  record["ts_ms"] = now;
  record["level"] = name_of(lvl);
  record["event"] = event;
  for (auto& [k, v] : fields) record[k] = std::move(v);
  logger().log(to_spdlog(lvl), boost::json::serialize(record));
}

}  // namespace sealpost::log

// Postgres NOTIFY on the channel every node LISTENs on. The payloads are wake-ups, encoded
// by server/delivery/wakeup.hpp; this file only knows how to send them.
#pragma once

#include <pqxx/pqxx>
#include <span>
#include <string>

namespace sealpost::storage {

// The channel every node LISTENs on.
inline constexpr const char* kNotifyChannel = "sealpost";

// In the caller's transaction: listeners get the payloads only if it commits. This holds
// Postgres's cluster-wide notify lock from the commit until its WAL flush is done, so
// keep it off hot paths (it is for rare events: a device connecting or being removed).
void notify(pqxx::transaction_base& tx, std::span<const std::string> payloads);

// One statement in a transaction of its own that commits without waiting for the WAL
// flush (a lost NOTIFY costs a late wake-up, never a message): the notify lock is held
// for microseconds, and sends never queue behind it.
void notify_unflushed(pqxx::connection& conn, std::span<const std::string> payloads);

}  // namespace sealpost::storage

// Small libpqxx helpers shared by the repositories: bytea parameters and results.
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace sealpost::storage {

// A bytea parameter, sent in binary format.
inline pqxx::binarystring bytea(const std::string& raw) { return pqxx::binarystring(raw); }

inline std::string bytes_of(const pqxx::field& f) { return pqxx::binarystring(f).str(); }

}  // namespace sealpost::storage

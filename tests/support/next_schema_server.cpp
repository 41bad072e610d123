// sealpost-server as the next release would be: built for one more migration than schema/
// holds, an expand-only one (a nullable column older code never reads) that says so with
// compatible_from. The rolling-upgrade test runs it beside the real binary ("version N").
#include <vector>

#include "app/command_line.hpp"
#include "storage/migrations.hpp"

int main(int argc, char** argv) {
  namespace storage = sealpost::storage;
  const auto current = storage::embedded_migrations();
  std::vector<storage::migration> schema(current.begin(), current.end());
  const auto n = storage::latest_version(current);
  schema.push_back({.version = n + 1,
                    .name = "rolling_upgrade_probe",
                    .sql = "ALTER TABLE accounts ADD COLUMN rolling_upgrade_probe text",
                    .compatible_from = n});
  return sealpost::app::run_command_line(argc, argv, schema);
}

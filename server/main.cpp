// sealpost-server entry point: the command line, for the schema in schema/. Wiring only.
#include "app/command_line.hpp"
#include "storage/migrations.hpp"

int main(int argc, char** argv) {
  return sealpost::app::run_command_line(argc, argv, sealpost::storage::embedded_migrations());
}

# Build step: turns schema/NNNN_name.sql files into a C++ table of migrations, so the server
# binary carries its schema and needs no files at run time.
# Inputs: SCHEMA_DIR, OUTPUT.
file(GLOB files "${SCHEMA_DIR}/*.sql")
list(SORT files)
set(entries "")
set(previous 0)
foreach(path IN LISTS files)
  get_filename_component(name "${path}" NAME_WE)
  if(NOT name MATCHES "^([0-9]+)_([a-z0-9_]+)$")
    message(FATAL_ERROR "migration ${path}: name must be NNNN_description.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(label "${CMAKE_MATCH_2}")
  math(EXPR expected "${previous} + 1")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migration ${path}: version ${version} does not follow ${previous}")
  endif()
  set(previous ${version})
  file(READ "${path}" sql)
  # "-- sealpost:compatible_from N": nodes built for schema N or newer keep serving once this
  # migration is applied (expand-then-contract; storage/migrations.hpp). N < version.
  set(compatible_from 0)
  if(sql MATCHES "-- sealpost:compatible_from ([0-9]+)")
    set(compatible_from ${CMAKE_MATCH_1})
    if(NOT compatible_from LESS version)
      message(FATAL_ERROR "migration ${path}: compatible_from ${compatible_from} must be below ${version}")
    endif()
  endif()
  string(APPEND entries "    {${version}, \"${label}\", R\"sealpost_sql(${sql})sealpost_sql\", ${compatible_from}},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from schema/*.sql by embed_migrations.cmake. Do not edit.
#include \"storage/migrations.hpp\"

namespace sealpost::storage {
namespace {
constexpr migration kMigrations[] = {
${entries}};
}  // namespace

std::span<const migration> embedded_migrations() { return kMigrations; }

}  // namespace sealpost::storage
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)

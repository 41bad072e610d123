// Protobuf logs every proto3 string field with invalid UTF-8 that it refuses to parse; in a
// fuzzer that is most inputs, and the log would dominate the run time. Parsing still fails
// the same way without the log.
#pragma once

#include <google/protobuf/stubs/logging.h>

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

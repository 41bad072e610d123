// The server's name for the strict base64 shared with the client (common/encoding/).
#pragma once

#include "encoding/base64.hpp"

namespace sealpost::crypto {

using encoding::base64_decode;
using encoding::base64_encode;

}  // namespace sealpost::crypto

// Short names for the Beast HTTP types every layer of the server shares.
#pragma once

#include <boost/beast/http.hpp>

namespace sealpost::net {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

}  // namespace sealpost::net

// The WebSocket client: one read is always outstanding and frames that arrive are queued,
// so a receive() that times out never cancels a read halfway through a frame (which would
// leave the stream unusable). The io_context runs only inside receive(), ack() and close().
// The stream (plain or TLS) is a template parameter of the implementation.
#include "net/websocket_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/api_client.hpp"
#include "net/errors.hpp"
#include "net/tls.hpp"
#include "net/websocket_codec.hpp"

namespace sealpost::client::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Frames from the server are small (one envelope of at most 256 KiB plus its fields).
constexpr std::size_t max_frame_bytes = 1024 * 1024;

std::string describe_close(const websocket::close_reason& reason) {
  if (reason.code == close_code_replaced) {
    return "another connection of this device replaced this one (close code 4409)";
  }
  std::string text = "the server closed the connection (close code " +
                     std::to_string(static_cast<unsigned>(reason.code));
  if (!reason.reason.empty()) {
    text += ": " + std::string(reason.reason.c_str());
  }
  return text + ")";
}

}  // namespace

// What receive(), ack() and close() need, whatever the stream.
struct websocket_client::impl {
  asio::io_context ioc;
  std::deque<server_frame> frames;
  std::optional<std::string> failure;  // why the socket is unusable
  std::uint16_t close_code = 0;
  bool read_pending = false;

  virtual ~impl() = default;
  virtual void write(const std::string& bytes,
                     std::function<void(boost::system::error_code)> done) = 0;
  virtual void async_close(std::function<void(boost::system::error_code)> done) = 0;
  virtual void close_socket() noexcept = 0;
  [[nodiscard]] virtual bool is_open() const = 0;

  [[noreturn]] void throw_closed() const { throw connection_closed(close_code, *failure); }
};

template <typename Stream>
struct websocket_client::stream_impl final : websocket_client::impl {
  std::optional<asio::ssl::context> tls_context;
  std::optional<websocket::stream<Stream>> ws;
  beast::flat_buffer buffer;

  beast::tcp_stream& tcp() { return beast::get_lowest_layer(*ws); }

  void open(const server_address& address, const device_login& login,
            const connection_options& options) {
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      tls_context.emplace(make_tls_context(options));
      ws.emplace(ioc, *tls_context);
      prepare_tls_stream(ws->next_layer(), address.host);
    } else {
      ws.emplace(ioc);
    }
    tcp::resolver resolver(ioc);
    boost::system::error_code ec;
    const tcp::resolver::results_type endpoints =
        resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec) {
      throw transport_error("cannot resolve " + address.host + ": " + ec.message());
    }
    tcp().expires_after(options.timeout);
    std::optional<boost::system::error_code> connected;
    tcp().async_connect(endpoints,
                        [&](boost::system::error_code e, const tcp::endpoint&) { connected = e; });
    ioc.run();
    if (!connected || *connected) {
      throw transport_error("cannot connect to " + address.to_string() + ": " +
                            (connected && *connected != beast::error::timeout
                                 ? connected->message()
                                 : std::string("timed out")));
    }
    tcp().socket().set_option(tcp::no_delay(true));
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      std::optional<boost::system::error_code> secured;
      ws->next_layer().async_handshake(asio::ssl::stream_base::client,
                                       [&](boost::system::error_code e) { secured = e; });
      ioc.restart();
      ioc.run();
      if (!secured || *secured) {
        throw transport_error(secured && *secured != beast::error::timeout
                                  ? describe_tls_failure(*secured, address)
                                  : "TLS with " + address.to_string() + " timed out");
      }
    }
    upgrade(address, login);
    // From here the WebSocket's own timeouts apply: pings keep an idle connection alive
    // and a server that stops answering them is given up on.
    tcp().expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options.timeout;
    timeouts.idle_timeout = std::chrono::seconds(60);
    timeouts.keep_alive_pings = true;
    ws->set_option(timeouts);
    ws->binary(true);
    start_read();
  }

  void upgrade(const server_address& address, const device_login& login) {
    const std::string authorization = basic_authorization(login);
    ws->set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      req.set(beast::http::field::authorization, authorization);
      req.set(beast::http::field::user_agent, "sealpost-client/" SEALPOST_VERSION);
    }));
    ws->read_message_max(max_frame_bytes);
    websocket::response_type response;
    std::optional<boost::system::error_code> shaken;
    ws->async_handshake(response, address.host_header(), address.path_prefix + "/v1/websocket",
                        [&](boost::system::error_code e) { shaken = e; });
    ioc.restart();
    ioc.run();
    if (!shaken || *shaken) {
      if (response.result_int() >= 400) {
        std::string retry_after;
        if (const auto it = response.find(beast::http::field::retry_after); it != response.end()) {
          retry_after = std::string(it->value());
        }
        throw_api_error(response.result_int(), response.body(), retry_after);
      }
      throw transport_error("WebSocket upgrade at " + address.to_string() + " failed: " +
                            (shaken && *shaken != beast::error::timeout
                                 ? shaken->message()
                                 : std::string("timed out")));
    }
  }

  void start_read() {
    read_pending = true;
    ws->async_read(buffer, [this](boost::system::error_code ec, std::size_t) {
      read_pending = false;
      if (ec) {
        if (ec == websocket::error::closed) {
          close_code = ws->reason().code;
          failure = describe_close(ws->reason());
        } else {
          failure = "the connection to the server broke: " + ec.message();
        }
        return;
      }
      try {
        const auto data = buffer.cdata();
        frames.push_back(
            decode_server_frame({static_cast<const std::uint8_t*>(data.data()), data.size()}));
      } catch (const transport_error& e) {
        failure = e.what();
        return;
      }
      buffer.consume(buffer.size());
      start_read();
    });
  }

  void write(const std::string& bytes,
             std::function<void(boost::system::error_code)> done) override {
    ws->async_write(asio::buffer(bytes), [done = std::move(done)](boost::system::error_code ec,
                                                                  std::size_t) { done(ec); });
  }

  void async_close(std::function<void(boost::system::error_code)> done) override {
    ws->async_close(websocket::close_code::normal, std::move(done));
  }

  void close_socket() noexcept override {
    if (ws) {
      boost::system::error_code ignored;
      tcp().socket().close(ignored);
    }
  }

  [[nodiscard]] bool is_open() const override { return ws && ws->is_open(); }
};

websocket_client::websocket_client(const server_address& address, const device_login& login,
                                   const connection_options& options) {
  if (address.tls) {
    auto secure = std::make_unique<stream_impl<tls_stream>>();
    secure->open(address, login, options);
    impl_ = std::move(secure);
  } else {
    auto plain = std::make_unique<stream_impl<beast::tcp_stream>>();
    plain->open(address, login, options);
    impl_ = std::move(plain);
  }
}

websocket_client::~websocket_client() {
  close();
}

std::optional<server_frame> websocket_client::receive(std::chrono::milliseconds timeout) {
  impl& s = *impl_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool polled_at_deadline = false;
  for (;;) {
    if (!s.frames.empty()) {
      server_frame frame = std::move(s.frames.front());
      s.frames.pop_front();
      return frame;
    }
    if (s.failure) {
      s.throw_closed();
    }
    const auto now = std::chrono::steady_clock::now();
    s.ioc.restart();
    if (now >= deadline) {
      // One last look at what has already arrived, so that a zero timeout still sees it.
      if (polled_at_deadline) {
        return std::nullopt;
      }
      polled_at_deadline = true;
      s.ioc.poll();
      continue;
    }
    s.ioc.run_one_for(deadline - now);
  }
}

void websocket_client::ack(std::span<const guid> guids) {
  impl& s = *impl_;
  if (guids.empty()) {
    return;
  }
  if (s.failure) {
    s.throw_closed();
  }
  const std::string bytes = encode_ack(guids);
  std::optional<boost::system::error_code> written;
  s.write(bytes, [&written](boost::system::error_code ec) { written = ec; });
  while (!written) {
    s.ioc.restart();
    if (s.ioc.run_one() == 0) {
      break;
    }
  }
  if (!written || *written) {
    if (!s.failure) {
      s.failure = "the connection to the server broke while sending an ack";
    }
    s.throw_closed();
  }
}

void websocket_client::close() noexcept {
  if (!impl_) {
    return;
  }
  impl& s = *impl_;
  try {
    if (!s.failure && s.is_open()) {
      std::optional<boost::system::error_code> closed;
      s.async_close([&closed](boost::system::error_code ec) { closed = ec; });
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      // The close completes when the server's close frame arrives through the pending read.
      while ((!closed || s.read_pending) && std::chrono::steady_clock::now() < deadline) {
        s.ioc.restart();
        if (s.ioc.run_one_for(std::chrono::milliseconds(100)) == 0 && closed && !s.read_pending) {
          break;
        }
      }
    }
    s.failure = s.failure.value_or("the connection was closed");
    s.close_socket();
    s.ioc.restart();
    s.ioc.poll();
  } catch (...) {
    // Closing is best effort.
  }
}

}  // namespace sealpost::client::net

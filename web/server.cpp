#include "server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <cctype>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "metrics.hpp"

namespace stagematch {

namespace asio = boost::asio;
using asio::ip::tcp;

void add_security_headers(HttpResponse& res) {
  res.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "same-origin");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Cache-Control", "no-store");
}

bool hashes_password(const std::string& method, const std::string& path) {
  if (method != "POST" && method != "PUT") return false;
  return path == "/login" || path == "/api/v1/login" || path == "/activeren" ||
         path == "/api/v1/activate" || path.find("wachtwoord") != std::string::npos ||
         path.find("password") != std::string::npos;
}

std::string path_for_log(std::string_view path) {
  constexpr std::string_view kAgenda = "/agenda/";
  if (path.starts_with(kAgenda) && path.size() > kAgenda.size())
    return std::string(kAgenda) + "[verborgen]";
  return std::string(path);
}

namespace {

// A logged value between double quotes: loggable, with the quote itself escaped too.
std::string quoted_loggable(std::string_view text) {
  std::string out;
  for (char c : loggable(text)) out += c == '"' ? std::string("\\x22") : std::string(1, c);
  return out;
}

// nginx's $request_id (X-Request-Id) from a trusted proxy, when it looks like one; otherwise a
// new id of this process, so a client cannot choose what lands in the log.
std::string trusted_request_id(const HttpRequest& req, bool from_trusted_proxy) {
  if (from_trusted_proxy) {
    const std::string given = req.header("x-request-id");
    if (!given.empty() && given.size() <= 64 &&
        std::all_of(given.begin(), given.end(),
                    [](unsigned char c) { return std::isalnum(c) || c == '-'; }))
      return given;
  }
  return next_request_id();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// What the reader found at the start of the buffer.
struct Head {
  std::string method;
  std::string target;
  bool http10 = false;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::size_t header_bytes = 0;                              // through the empty line
  std::size_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
};

enum class ParseResult { kIncomplete, kDone, kBad, kTooLarge, kChunked };

ParseResult parse_head(std::string_view buf, std::size_t max_header, Head& head) {
  auto end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return buf.size() > max_header ? ParseResult::kTooLarge : ParseResult::kIncomplete;
  if (end + 4 > max_header) return ParseResult::kTooLarge;
  head = Head{};
  head.header_bytes = end + 4;
  std::string_view lines = buf.substr(0, end);
  auto eol = lines.find("\r\n");
  std::string_view request_line = lines.substr(0, eol);
  lines = eol == std::string_view::npos ? std::string_view() : lines.substr(eol + 2);
  auto sp1 = request_line.find(' ');
  auto sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return ParseResult::kBad;
  head.method = std::string(request_line.substr(0, sp1));
  head.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view version = request_line.substr(sp2 + 1);
  if (version == "HTTP/1.0") {
    head.http10 = true;
    head.keep_alive = false;
  } else if (version != "HTTP/1.1") {
    return ParseResult::kBad;
  }
  if (head.method.empty() || head.target.empty() || head.target.front() != '/')
    return ParseResult::kBad;
  for (char c : head.method)
    if (c < 'A' || c > 'Z') return ParseResult::kBad;
  bool has_length = false;
  while (!lines.empty()) {
    eol = lines.find("\r\n");
    std::string_view line = lines.substr(0, eol);
    lines = eol == std::string_view::npos ? std::string_view() : lines.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return ParseResult::kBad;
    std::string name = lower(std::string(line.substr(0, colon)));
    if (name.find_first_of(" \t") != std::string::npos) return ParseResult::kBad;
    std::string value(trim(line.substr(colon + 1)));
    if (name == "content-length") {
      if (value.empty() || value.size() > 18 ||
          value.find_first_not_of("0123456789") != std::string::npos)
        return ParseResult::kBad;
      std::size_t n = std::stoull(value);
      if (has_length && n != head.content_length) return ParseResult::kBad;
      has_length = true;
      head.content_length = n;
    } else if (name == "transfer-encoding") {
      if (lower(value) != "identity") return ParseResult::kChunked;
    } else if (name == "connection") {
      std::string v = lower(value);
      if (v.find("close") != std::string::npos) head.keep_alive = false;
      if (v.find("keep-alive") != std::string::npos && head.http10) head.keep_alive = true;
    } else if (name == "expect") {
      if (lower(value) == "100-continue") head.expect_continue = true;
    }
    head.headers.emplace_back(std::move(name), std::move(value));
  }
  return ParseResult::kDone;
}

std::string serialize(const HttpResponse& res, bool head_only, bool keep_alive) {
  std::string out;
  out.reserve(256 + res.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += reason(res.status);
  out += "\r\n";
  for (const auto& [name, value] : res.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!res.content_type.empty() && res.status != 204 && res.status != 304) {
    out += "Content-Type: ";
    out += res.content_type;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(res.body.size());
  out += "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head_only) out += res.body;
  return out;
}

// A fixed set of threads taking jobs in order.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { run(); });
  }
  ~WorkerPool() { join(); }
  void post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
  }
  // Finishes the queued jobs, then stops the threads.
  void join() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

// As many file descriptors as the hard limit allows: each waiting connection holds one.
void raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

struct HttpServer::Impl {
  class Connection;

  Impl(ServerOptions o, RequestHandler h, SlowRequest s)
      : options(std::move(o)), handler(std::move(h)), is_slow(std::move(s)), acceptor(io) {}

  ServerOptions options;
  RequestHandler handler;
  SlowRequest is_slow;
  asio::io_context io;
  // Keeps io.run() going while no connection has work, until stop() lets it go.
  asio::executor_work_guard<asio::io_context::executor_type> keep_running =
      asio::make_work_guard(io);
  tcp::acceptor acceptor;
  std::unique_ptr<WorkerPool> workers;
  std::unique_ptr<WorkerPool> slow;
  std::thread io_thread;
  std::atomic<std::size_t> connections{0};
  std::atomic<int> in_flight{0};
  std::set<std::shared_ptr<Connection>> open;  // io thread only
  std::unordered_map<std::string, std::size_t>
      per_address;        // open connections per client address; io thread only
  bool stopping = false;  // io thread only
  std::mutex log_mutex;

  void accept();
  // Request lines are gathered and written in batches (at 30,000 requests a second one write
  // per line costs more than the request); flush_log runs every 200 ms and at stop.
  void log(const std::string& line) {
    std::lock_guard lock(log_mutex);
    log_buffer += line;
    if (log_buffer.size() >= 16384) flush_locked();
  }
  void flush_log() {
    std::lock_guard lock(log_mutex);
    flush_locked();
  }
  void flush_locked() {
    if (log_buffer.empty()) return;
    std::clog << log_buffer << std::flush;
    log_buffer.clear();
  }
  void schedule_flush() {
    flush_timer.expires_after(std::chrono::milliseconds(200));
    flush_timer.async_wait([this](const boost::system::error_code& ec) {
      flush_log();
      if (!ec && !stopping) schedule_flush();
    });
  }
  std::string log_buffer;  // guarded by log_mutex
  asio::steady_timer flush_timer{io};
};

// One client connection. Everything here runs on the io thread except the handler, which gets
// a copy of the request and posts its answer back.
class HttpServer::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Impl& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), timer_(server.io) {
    boost::system::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) peer_ = remote.address().to_string();
    socket_.set_option(tcp::no_delay(true), ec);
  }

  void start() {
    arm(server_.options.idle_timeout);
    read();
  }

  const std::string& peer() const { return peer_; }

  // Counted against its client address's share of the connections (io thread only).
  void count_against_peer() {
    counted_ = true;
    ++server_.per_address[peer_];
  }

  // One client address holds too many connections already: a clear 503, then close.
  void shed() {
    HttpResponse res = HttpResponse::error(503, "too_many_connections",
                                           "Er staan te veel verbindingen open vanaf jouw adres. "
                                           "Probeer het over enkele seconden opnieuw.");
    res.headers.emplace_back("Retry-After", "5");
    reply_and_close(std::move(res));
  }

  void close() {
    boost::system::error_code ec;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    if (!closed_) {
      closed_ = true;
      if (counted_) {
        auto it = server_.per_address.find(peer_);
        if (it != server_.per_address.end() && --it->second == 0) server_.per_address.erase(it);
      }
      server_.open.erase(shared_from_this());
    }
  }

  bool busy() const { return busy_; }

 private:
  // Waiting for the next request: closes after the idle time, or a request that takes too long.
  void arm(std::chrono::milliseconds after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_ || self->busy_) return;
      // A request begun but not finished in time gets a 408; an idle connection just closes.
      if (self->buffer_.empty()) {
        self->close();
      } else {
        self->reply_and_close(
            HttpResponse::error(408, "timeout", "Het verzoek kwam niet op tijd aan."));
      }
    });
  }

  void read() {
    if (closed_) return;
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(chunk_),
                            [self](const boost::system::error_code& ec, std::size_t n) {
                              if (ec || self->closed_) return self->close();
                              bool was_empty = self->buffer_.empty();
                              self->buffer_.append(self->chunk_.data(), n);
                              if (was_empty && !self->have_head_)
                                self->arm(self->server_.options.header_timeout);
                              self->advance();
                            });
  }

  // Parses what arrived; dispatches a complete request, or reads more.
  void advance() {
    const ServerOptions& o = server_.options;
    if (!have_head_) {
      switch (parse_head(buffer_, o.max_header_bytes, head_)) {
        case ParseResult::kIncomplete:
          return read();
        case ParseResult::kBad:
          return reply_and_close(
              HttpResponse::error(400, "bad_request", "Dit verzoek kan de server niet lezen."));
        case ParseResult::kTooLarge:
          return reply_and_close(
              HttpResponse::error(431, "too_large", "De kopregels van het verzoek zijn te groot."));
        case ParseResult::kChunked:
          return reply_and_close(HttpResponse::error(411, "length_required",
                                                     "Stuur het verzoek met een Content-Length."));
        case ParseResult::kDone:
          break;
      }
      have_head_ = true;
      if (head_.content_length > o.max_body_bytes)
        return reply_and_close(HttpResponse::error(413, "too_large", "Het verzoek is te groot."));
      if (head_.content_length > 0) arm(o.body_timeout);
      if (head_.expect_continue && buffer_.size() < head_.header_bytes + head_.content_length) {
        head_.expect_continue = false;
        auto cont = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
        asio::async_write(socket_, asio::buffer(*cont),
                          [self = shared_from_this(), cont](auto, auto) {});
      }
    }
    if (buffer_.size() < head_.header_bytes + head_.content_length) return read();
    dispatch();
  }

  void dispatch() {
    busy_ = true;
    timer_.cancel();
    auto req = std::make_shared<HttpRequest>();
    req->method = head_.method;
    auto q = head_.target.find('?');
    req->path = url_decode(std::string_view(head_.target).substr(0, q), false);
    if (q != std::string::npos)
      req->query = parse_query(std::string_view(head_.target).substr(q + 1));
    for (auto& [name, value] : head_.headers) req->headers[name] = std::move(value);
    req->cookies = parse_cookies(req->header("cookie"));
    req->peer = peer_;
    req->client = peer_;
    const auto& proxies = server_.options.trusted_proxies;
    const bool from_proxy = std::find(proxies.begin(), proxies.end(), peer_) != proxies.end();
    // Only a trusted proxy says whether the browser used https (the Secure cookie flag).
    req->secure = from_proxy && req->header("x-forwarded-proto") == "https";
    if (from_proxy) {
      // nginx appends the address it saw ($proxy_add_x_forwarded_for): the last one.
      const std::string forwarded = req->header("x-forwarded-for");
      const auto comma = forwarded.rfind(',');
      std::string last =
          trim(std::string_view(forwarded).substr(comma == std::string::npos ? 0 : comma + 1));
      if (!last.empty()) req->client = std::move(last);
    }
    // A request id from nginx in front ($request_id), or one of our own.
    req->request_id = trusted_request_id(*req, from_proxy);
    req->body = buffer_.substr(head_.header_bytes, head_.content_length);
    buffer_.erase(0, head_.header_bytes + head_.content_length);
    have_head_ = false;
    const bool keep_alive = head_.keep_alive;
    auto started = std::chrono::steady_clock::now();
    ++server_.in_flight;
    auto self = shared_from_this();
    if (server_.options.on_started) server_.options.on_started();
    auto job = [self, req, keep_alive, started] {
      HttpResponse res;
      try {
        res = self->server_.handler(*req);
      } catch (const std::exception& e) {
        self->server_.log("error " + loggable(req->method) + ' ' +
                          loggable(path_for_log(req->path)) + ": " + loggable(e.what()) + '\n');
        res = HttpResponse::error(500, "internal",
                                  "Er ging iets mis op de server. Probeer het later opnieuw.");
      }
      add_security_headers(res);
      res.headers.emplace_back("X-Request-Id", req->request_id);
      auto bytes = std::make_shared<std::string>(serialize(res, req->method == "HEAD", keep_alive));
      const auto took = std::chrono::steady_clock::now() - started;
      if (self->server_.options.on_answered)
        self->server_.options.on_answered(*req, res, std::chrono::duration<double>(took).count());
      if (self->server_.options.log_requests) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took);
        // One line per request, key=value: the path without its query string, so no personal
        // data; the route it matched; the id the answer carries.
        self->server_.log("method=" + loggable(req->method) + " path=\"" +
                          quoted_loggable(path_for_log(req->path)) +
                          "\" status=" + std::to_string(res.status) +
                          " ms=" + std::to_string(ms.count()) + " route=\"" +
                          quoted_loggable(req->route) + "\" id=" + req->request_id + '\n');
      }
      asio::post(self->server_.io, [self, bytes, keep_alive] { self->write(bytes, keep_alive); });
    };
    if (req->method == "GET" && req->path == "/healthz" && req->cookies.empty()) {
      job();  // answered from memory: no need to hand it to a worker and back
    } else if (server_.is_slow && server_.is_slow(req->method, req->path)) {
      server_.slow->post(std::move(job));
    } else {
      server_.workers->post(std::move(job));
    }
  }

  void write(const std::shared_ptr<std::string>& bytes, bool keep_alive) {
    --server_.in_flight;
    if (closed_) return;
    asio::async_write(socket_, asio::buffer(*bytes),
                      [self = shared_from_this(), bytes, keep_alive](
                          const boost::system::error_code& ec, std::size_t) {
                        self->busy_ = false;
                        if (ec || !keep_alive || self->server_.stopping) return self->close();
                        if (self->buffer_.empty()) {
                          self->arm(self->server_.options.idle_timeout);
                          return self->read();
                        }
                        self->arm(self->server_.options.header_timeout);
                        self->advance();  // a pipelined request already arrived
                      });
  }

  // An answer the server gives itself (the request was unreadable or too slow), then close.
  void reply_and_close(HttpResponse res) {
    busy_ = true;
    timer_.cancel();
    add_security_headers(res);
    auto bytes = std::make_shared<std::string>(serialize(res, false, false));
    if (server_.options.log_requests)
      server_.log("- - " + std::to_string(res.status) + " (verbinding gesloten)\n");
    asio::async_write(socket_, asio::buffer(*bytes),
                      [self = shared_from_this(), bytes](const boost::system::error_code&,
                                                         std::size_t) { self->close(); });
  }

  Impl& server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string peer_;
  std::array<char, 16384> chunk_{};
  std::string buffer_;
  Head head_;
  bool have_head_ = false;
  bool busy_ = false;  // a handler is working on a request of this connection
  bool closed_ = false;
  bool counted_ = false;  // in server_.per_address
};

void HttpServer::Impl::accept() {
  acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) {
      auto c = std::make_shared<Connection>(*this, std::move(socket));
      open.insert(c);
      connections = open.size();
      auto held = per_address.find(c->peer());
      if (held != per_address.end() && held->second >= options.max_connections_per_address) {
        c->shed();
      } else {
        c->count_against_peer();
        c->start();
      }
    } else if (ec == asio::error::no_descriptors) {
      // Out of file descriptors: wait a moment instead of spinning; the kernel keeps the backlog.
      log("stagematch: geen bestandsdescriptors meer vrij; nieuwe verbindingen wachten\n");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    connections = open.size();
    accept();
  });
}

HttpServer::HttpServer(ServerOptions options, RequestHandler handler, SlowRequest is_slow)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(is_slow))) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::start() {
  raise_fd_limit();
  const std::string& listen = impl_->options.listen;
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--listen verwacht HOST:POORT, kreeg '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  unsigned short port = 0;
  try {
    port = static_cast<unsigned short>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    throw std::runtime_error("ongeldige poort in --listen '" + listen + "'");
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) throw std::runtime_error("ongeldig adres in --listen '" + listen + "'");
  tcp::endpoint endpoint(address, port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol());
  a.set_option(tcp::acceptor::reuse_address(true));
  a.bind(endpoint, ec);
  if (ec) throw std::runtime_error("kan niet luisteren op " + listen + ": " + ec.message());
  a.listen(asio::socket_base::max_listen_connections);
  impl_->workers = std::make_unique<WorkerPool>(impl_->options.workers);
  impl_->slow = std::make_unique<WorkerPool>(impl_->options.slow_workers);
  impl_->accept();
  impl_->schedule_flush();
  impl_->io_thread = std::thread([this] { impl_->io.run(); });
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (!impl_->io_thread.joinable()) return;
  // Stop accepting; requests in flight finish and get their answer.
  asio::post(impl_->io, [this] {
    impl_->stopping = true;
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->in_flight > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::promise<void> closed;
  asio::post(impl_->io, [this, &closed] {
    auto open = impl_->open;
    for (const auto& c : open) c->close();
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->workers->join();
  impl_->slow->join();
  impl_->keep_running.reset();
  impl_->io.stop();
  impl_->io_thread.join();
  impl_->flush_log();
}

unsigned short HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::size_t HttpServer::open_connections() const { return impl_->connections; }

int serve(const ServerOptions& options, RequestHandler handler) {
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  HttpServer server(options, std::move(handler), hashes_password);
  server.start();
  std::clog << "stagematch luistert op http://" << options.listen << "\n";

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::clog << "stagematch stopt: lopende verzoeken worden afgewerkt\n";
  server.stop();
  return 0;
}

}  // namespace stagematch

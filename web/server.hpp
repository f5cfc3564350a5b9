// The HTTP server: HTTP/1.1 on Boost.Asio. One thread reads and writes every connection
// (epoll: a waiting connection costs a few kilobytes, not a thread), complete requests go to a
// fixed pool of workers, and slow work (password hashing) to a small pool of its own so that a
// storm of logins never starves the lists. A connection is never refused while memory and file
// descriptors last: it waits its turn. Deadlines for a request's headers and body, an idle
// timeout between requests, a header and body limit, security headers on every response and
// one log line per request.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http.hpp"

namespace stagematch {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";
  int workers = 8;       // threads running handlers (each may wait for the database)
  int slow_workers = 4;  // threads for requests `is_slow` picks (password hashing; the
                         // database waits of a login overlap with the next hash)
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds header_timeout{10000};  // first byte to the end of the headers
  std::chrono::milliseconds body_timeout{30000};    // end of the headers to the end of the body
  std::chrono::milliseconds idle_timeout{15000};    // between two requests on one connection
  // Open connections one client address may hold; one more is answered 503 and closed. High
  // enough for a school or a service behind one public address, or nginx in front (whose own
  // limit per client, deploy/nginx/stagematch.conf, then counts); low enough that one address
  // cannot take every file descriptor.
  std::size_t max_connections_per_address = 1024;
  // Proxies (nginx) whose X-Forwarded-For is believed: for a request from one of these
  // addresses the client is the last address that header names. From anyone else the header
  // is ignored, so a client cannot choose the address its login failures are counted under.
  std::vector<std::string> trusted_proxies;
  bool log_requests = true;
  // Told of every request as it starts and once it is answered (the operator's counts).
  std::function<void()> on_started;
  std::function<void(const HttpRequest&, const HttpResponse&, double seconds)> on_answered;
};

using RequestHandler = std::function<HttpResponse(HttpRequest&)>;
using SlowRequest = std::function<bool(const std::string& method, const std::string& path)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler handler, SlowRequest is_slow = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; throws std::runtime_error when the address cannot be bound.
  void start();
  // Stops accepting, lets requests in flight finish (up to `grace`), closes every connection.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
  // The port bound (useful with "HOST:0").
  unsigned short port() const;
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Headers every response carries, errors included. The pages run no script at all.
void add_security_headers(HttpResponse& response);

// Which requests hash a password: logins, activation and setting a new password.
bool hashes_password(const std::string& method, const std::string& path);

// The path as the request log writes it: what follows /agenda/ (a calendar feed's secret token)
// is masked, so the log never holds a key to someone's feed.
std::string path_for_log(std::string_view path);

// Serves `handler` until SIGINT or SIGTERM, then finishes requests in flight and returns 0.
int serve(const ServerOptions& options, RequestHandler handler);

}  // namespace stagematch

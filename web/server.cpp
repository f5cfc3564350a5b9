#include "server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

#include "value.hpp"

namespace stagematch {

namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct Reply {
  HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
};

using Handler = std::function<Reply(const HTTPServerRequest&)>;
struct RouteKey {
  std::string method;
  std::string path;
  auto operator<=>(const RouteKey&) const = default;
};

// Headers every response carries, errors included.
void security_headers(HTTPServerResponse& res) {
  res.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "same-origin");
  res.set("X-Frame-Options", "DENY");
}

Reply json_error(HTTPResponse::HTTPStatus status, const std::string& code, const std::string& message) {
  return {status, "application/json; charset=utf-8",
          Value(Object{{"error", code}, {"message", message}}).to_json()};
}

class RouteHandler final : public HTTPRequestHandler {
 public:
  explicit RouteHandler(const std::map<RouteKey, Handler>& routes) : routes_(routes) {}

  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
    auto started = std::chrono::steady_clock::now();
    std::string path = req.getURI().substr(0, req.getURI().find('?'));
    Reply reply;
    try {
      auto it = routes_.find({req.getMethod(), path});
      reply = it != routes_.end() ? it->second(req)
                                  : json_error(HTTPResponse::HTTP_NOT_FOUND, "not_found",
                                               "Deze pagina bestaat niet.");
    } catch (const std::exception&) {
      reply = json_error(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal",
                         "Er ging iets mis op de server. Probeer het later opnieuw.");
    }
    security_headers(res);
    res.setStatus(reply.status);
    res.setContentType(reply.content_type);
    res.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    res.send() << reply.body;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    // One line per request; the path without its query string, so no personal data.
    std::clog << req.getMethod() << ' ' << path << ' ' << static_cast<int>(reply.status) << ' '
              << ms.count() << "ms\n";
  }

 private:
  const std::map<RouteKey, Handler>& routes_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(std::map<RouteKey, Handler> routes) : routes_(std::move(routes)) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new RouteHandler(routes_);  // Poco takes ownership
  }

 private:
  std::map<RouteKey, Handler> routes_;
};

// The route table, top to bottom.
std::map<RouteKey, Handler> routes(std::shared_ptr<const DefinitionSet> defs, std::shared_ptr<Clock> clock) {
  std::map<RouteKey, Handler> table;
  table[{"GET", "/healthz"}] = [defs, clock](const HTTPServerRequest&) {
    Array calendars;
    for (const auto& [key, cal] : defs->calendars) calendars.emplace_back(key);
    return Reply{HTTPResponse::HTTP_OK, "application/json; charset=utf-8",
                 Value(Object{{"status", "ok"},
                              {"now", format_iso(clock->now())},
                              {"calendars", std::move(calendars)}})
                     .to_json()};
  };
  return table;
}

}  // namespace

int serve(const ServerOptions& options, std::shared_ptr<const DefinitionSet> definitions,
          std::shared_ptr<Clock> clock) {
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(options.max_threads);
  params->setMaxQueued(options.max_queued);
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(options.listen));
  Poco::Net::HTTPServer server(new Factory(routes(std::move(definitions), std::move(clock))), socket,
                               params);
  server.start();
  std::clog << "stagematch luistert op http://" << options.listen << "\n";

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::clog << "stagematch stopt: lopende verzoeken worden afgewerkt\n";
  server.stop();
  for (int i = 0; i < 100 && server.currentConnections() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}

}  // namespace stagematch

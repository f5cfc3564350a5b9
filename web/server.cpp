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

#include <cctype>

namespace stagematch {

namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// Headers every response carries, errors included. The pages run no script at all.
void security_headers(HTTPServerResponse& res) {
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
          "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "same-origin");
  res.set("X-Frame-Options", "DENY");
  res.set("Cache-Control", "no-store");
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class AppHandler final : public HTTPRequestHandler {
 public:
  AppHandler(App& app, std::size_t max_body) : app_(app), max_body_(max_body) {}

  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
    auto started = std::chrono::steady_clock::now();
    HttpRequest request;
    request.method = req.getMethod();
    const std::string& uri = req.getURI();
    auto q = uri.find('?');
    request.path = url_decode(uri.substr(0, q), false);
    if (q != std::string::npos) request.query = parse_query(uri.substr(q + 1));
    for (const auto& [name, value] : req) request.headers[lower(name)] = value;
    request.cookies = parse_cookies(request.header("cookie"));
    request.secure = request.header("x-forwarded-proto") == "https";

    HttpResponse response;
    if (req.getContentLength() > static_cast<std::streamsize>(max_body_)) {
      response = HttpResponse::error(413, "too_large", "Het verzoek is te groot.");
    } else {
      std::string body;
      char chunk[16384];
      while (body.size() <= max_body_ && req.stream().read(chunk, sizeof chunk).gcount() > 0)
        body.append(chunk, static_cast<std::size_t>(req.stream().gcount()));
      if (body.size() > max_body_) {
        response = HttpResponse::error(413, "too_large", "Het verzoek is te groot.");
      } else {
        request.body = std::move(body);
        response = app_.handle(request);
      }
    }

    security_headers(res);
    res.setStatus(static_cast<HTTPResponse::HTTPStatus>(response.status));
    for (const auto& [name, value] : response.headers) res.add(name, value);
    if (!response.content_type.empty()) res.setContentType(response.content_type);
    res.setContentLength(static_cast<std::streamsize>(response.body.size()));
    if (request.method == "HEAD") {
      res.send();
    } else {
      res.send() << response.body;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    // One line per request: the path without its query string, so no personal data.
    std::clog << request.method << ' ' << request.path << ' ' << response.status << ' ' << ms.count() << "ms\n";
  }

 private:
  App& app_;
  std::size_t max_body_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(App& app, std::size_t max_body) : app_(app), max_body_(max_body) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new AppHandler(app_, max_body_);  // Poco takes ownership
  }

 private:
  App& app_;
  std::size_t max_body_;
};

}  // namespace

int serve(const ServerOptions& options, App& app) {
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
  Poco::Net::HTTPServer server(new Factory(app, options.max_body_bytes), socket, params);
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

// The HTTP server on real loopback sockets: hundreds of connections at once all get their
// answer (none is refused or reset), slow or idle clients are cut off by their deadline while
// everyone else is served, pipelined requests are answered in order, limits give a clear status,
// and password hashing in its own pool never holds up the other requests.
#include "server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace stagematch {
namespace {

using namespace std::chrono_literals;

// A blocking client socket to 127.0.0.1:port.
class Client {
 public:
  explicit Client(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }

  // Reads until `responses` complete responses arrived (by Content-Length), the peer closed, or
  // `timeout` passed. Returns what arrived.
  std::string read_responses(int responses, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (count_complete(buffer_) < responses) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[8192];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
    std::string out = buffer_;
    buffer_.clear();
    return out;
  }

  // True when the server closed the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    if (closed_) return true;
    read_responses(1000, timeout);
    return closed_;
  }

  static int count_complete(const std::string& s) {
    int n = 0;
    std::size_t at = 0;
    for (;;) {
      auto end = s.find("\r\n\r\n", at);
      if (end == std::string::npos) return n;
      std::size_t length = 0;
      auto cl = s.find("Content-Length: ", at);
      if (cl != std::string::npos && cl < end) length = std::stoul(s.substr(cl + 16));
      if (s.size() < end + 4 + length) return n;
      at = end + 4 + length;
      ++n;
    }
  }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

int status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

// Answers "/echo?x" with the path and the body it got; "/status/N" with status N; "/client"
// with the client address it saw; "/login" (a password route) waits until
// released; everything else is a small 200.
class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}, bool log_requests = false) {
    o.listen = "127.0.0.1:0";
    o.log_requests = log_requests;
    server_ = std::make_unique<HttpServer>(
        o,
        [this](HttpRequest& req) {
          ++handled_;
          if (req.path == "/login") {
            std::unique_lock lock(mutex_);
            released_cv_.wait(lock, [&] { return released_; });
          }
          HttpResponse res;
          if (req.path.starts_with("/status/")) res.status = std::stoi(req.path.substr(8));
          res.content_type = "text/plain";
          res.body = req.method + " " + req.path + " [" + req.body + "]";
          if (req.path == "/client")
            res.body = "client=" + req.client + ";" + (req.secure ? "https;" : "");
          return res;
        },
        hashes_password);
    server_->start();
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }
  void TearDown() override {
    release();
    if (server_) server_->stop(1s);
  }
  unsigned short port() const { return server_->port(); }

  std::unique_ptr<HttpServer> server_;
  std::atomic<int> handled_{0};
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

TEST_F(ServerTest, SixHundredConnectionsAtOnceAreAllAnsweredAndKeptOpen) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 1400) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  ServerOptions o;
  o.workers = 2;
  start(o);
  constexpr int kClients = 600;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(port()));
    ASSERT_TRUE(clients.back()->connected()) << "connection " << i << " was refused";
  }
  // Every connection sends before any reads: all 600 wait at the same time.
  for (int i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i]->send(get("/n" + std::to_string(i))));
  for (int i = 0; i < kClients; ++i) {
    std::string r = clients[i]->read_responses(1);
    ASSERT_EQ(status_of(r), 200) << "connection " << i << ": " << r.substr(0, 80);
    EXPECT_NE(r.find("GET /n" + std::to_string(i) + " "), std::string::npos);
  }
  // Keep-alive: a second round on the same connections.
  for (int i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i]->send(get("/again")));
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(status_of(clients[i]->read_responses(1)), 200) << i;
  EXPECT_EQ(handled_, 2 * kClients);
}

TEST_F(ServerTest, ASlowHeaderSenderIsCutOffWhileOthersAreServed) {
  ServerOptions o;
  o.header_timeout = 300ms;
  o.workers = 1;
  start(o);
  std::vector<std::unique_ptr<Client>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<Client>(port()));
    ASSERT_TRUE(slow.back()->send("GET /slow HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  }
  Client fast(port());
  ASSERT_TRUE(fast.send(get("/fast")));
  EXPECT_EQ(status_of(fast.read_responses(1, 2s)), 200)
      << "one worker, 50 slow clients: still served";
  for (auto& c : slow) {
    std::string r = c->read_responses(1, 3s);
    EXPECT_EQ(status_of(r), 408) << r.substr(0, 80);
    EXPECT_TRUE(c->closed_within(1s));
  }
  EXPECT_EQ(handled_, 1) << "no slow request reached the handler";
}

TEST_F(ServerTest, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  start(o);
  Client idle(port());
  EXPECT_TRUE(idle.closed_within(3s));
  Client used(port());
  ASSERT_TRUE(used.send(get("/once")));
  EXPECT_EQ(status_of(used.read_responses(1)), 200);
  EXPECT_TRUE(used.closed_within(3s)) << "idle after its request";
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(get("/een") + get("/twee") + get("/drie")));
  std::string r = c.read_responses(3);
  auto a = r.find("GET /een"), b = r.find("GET /twee"), d = r.find("GET /drie");
  ASSERT_NE(a, std::string::npos) << r;
  ASSERT_NE(b, std::string::npos) << r;
  ASSERT_NE(d, std::string::npos) << r;
  EXPECT_LT(a, b);
  EXPECT_LT(b, d);
}

TEST_F(ServerTest, BodiesArriveWholeAndLimitsGiveAClearStatus) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  o.max_header_bytes = 2000;
  start(o);
  {
    Client c(port());
    ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nhallo"));
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(c.send(" wereld"));
    std::string r = c.read_responses(1);
    EXPECT_EQ(status_of(r), 200);
    EXPECT_NE(r.find("[hallo wereld]"), std::string::npos) << r;
  }
  {
    Client c(port());
    ASSERT_TRUE(c.send(
        "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
    std::string cont = c.read_responses(1, 2s);
    EXPECT_EQ(status_of(cont), 100) << cont;
    ASSERT_TRUE(c.send("abc"));
    EXPECT_NE(c.read_responses(1).find("[abc]"), std::string::npos);
  }
  {
    Client c(port());
    ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"));
    EXPECT_EQ(status_of(c.read_responses(1)), 413);
    EXPECT_TRUE(c.closed_within(1s));
  }
  {
    Client c(port());
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nX-Lang: " + std::string(3000, 'a') + "\r\n\r\n"));
    EXPECT_EQ(status_of(c.read_responses(1)), 431);
  }
  {
    Client c(port());
    ASSERT_TRUE(
        c.send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
    EXPECT_EQ(status_of(c.read_responses(1)), 411);
  }
  {
    Client c(port());
    ASSERT_TRUE(c.send("NONSENSE\r\n\r\n"));
    EXPECT_EQ(status_of(c.read_responses(1)), 400);
  }
  {
    Client c(port());
    ASSERT_TRUE(c.send("HEAD /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    std::string r = c.read_responses(1);
    EXPECT_EQ(status_of(r), 200);
    EXPECT_NE(r.find("Content-Length: 10"), std::string::npos) << r;  // "HEAD /x []"
    EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "") << "HEAD has no body";
    EXPECT_TRUE(c.closed_within(1s));
  }
  EXPECT_EQ(handled_, 3);
}

TEST_F(ServerTest, PasswordHashingWaitsInItsOwnPoolNotInFrontOfTheLists) {
  ServerOptions o;
  o.workers = 1;
  o.slow_workers = 1;
  start(o);
  std::vector<std::unique_ptr<Client>> logins;
  for (int i = 0; i < 5; ++i) {
    logins.push_back(std::make_unique<Client>(port()));
    ASSERT_TRUE(
        logins.back()->send("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  }
  Client list(port());
  ASSERT_TRUE(list.send(get("/api/v1/tracks/secundair/requests")));
  EXPECT_EQ(status_of(list.read_responses(1, 3s)), 200) << "a list waited behind the logins";
  release();
  for (auto& c : logins) EXPECT_EQ(status_of(c->read_responses(1)), 200);
  EXPECT_TRUE(hashes_password("POST", "/api/v1/login"));
  EXPECT_TRUE(hashes_password("POST", "/wachtwoord-herstellen"));
  EXPECT_FALSE(hashes_password("GET", "/login"));
  EXPECT_FALSE(hashes_password("GET", "/api/v1/tracks/secundair/requests"));
}

TEST_F(ServerTest, EveryAnswerCarriesTheSecurityHeaders) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(get("/x")));
  std::string r = c.read_responses(1);
  EXPECT_NE(r.find("Content-Security-Policy: default-src 'self'"), std::string::npos);
  EXPECT_NE(r.find("script-src 'none'"), std::string::npos);
  EXPECT_NE(r.find("X-Frame-Options: DENY"), std::string::npos);
  EXPECT_NE(r.find("Cache-Control: no-store"), std::string::npos);
}

TEST_F(ServerTest, EveryStatusLineCarriesItsReasonPhrase) {
  start();
  Client c(port());
  const std::pair<int, std::string> expected[] = {{200, "OK"},
                                                  {303, "See Other"},
                                                  {403, "Forbidden"},
                                                  {404, "Not Found"},
                                                  {409, "Conflict"},
                                                  {415, "Unsupported Media Type"},
                                                  {422, "Unprocessable Entity"},
                                                  {429, "Too Many Requests"},
                                                  {503, "Service Unavailable"}};
  for (const auto& [status, reason] : expected) {
    ASSERT_TRUE(c.send(get("/status/" + std::to_string(status))));
    std::string r = c.read_responses(1);
    EXPECT_EQ(r.substr(0, r.find("\r\n")), "HTTP/1.1 " + std::to_string(status) + " " + reason);
  }
}

TEST_F(ServerTest, AControlCharacterInAPathCannotForgeALogLine) {
  std::ostringstream captured;
  std::streambuf* before = std::clog.rdbuf(captured.rdbuf());
  start({}, true);
  {
    Client c(port());
    ASSERT_TRUE(c.send(get("/a%0d%0aGET%20/admin%20200%200ms")));
    EXPECT_EQ(status_of(c.read_responses(1)), 200);
  }
  server_->stop(1s);
  server_.reset();
  std::clog.rdbuf(before);
  const std::string log = captured.str();
  EXPECT_NE(log.find("method=GET path=\"/a\\x0d\\x0aGET /admin 200 0ms\" status=200 "),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("\nGET /admin"), std::string::npos) << log;
}

// Every answer carries a request id, and the request's one log line names it in key=value
// form with the route that answered; a trusted proxy's id is kept, anyone else's is not.
TEST_F(ServerTest, EveryAnswerCarriesARequestIdThatItsLogLineNames) {
  std::ostringstream captured;
  std::streambuf* before = std::clog.rdbuf(captured.rdbuf());
  ServerOptions o;
  o.trusted_proxies = {"127.0.0.1"};
  start(o, true);
  std::string first;
  std::string proxied;
  {
    Client c(port());
    ASSERT_TRUE(c.send(get("/een")));
    first = c.read_responses(1);
    ASSERT_TRUE(c.send("GET /twee HTTP/1.1\r\nHost: x\r\nX-Request-Id: nginx-0123abcd\r\n\r\n"));
    proxied = c.read_responses(1);
  }
  server_->stop(1s);
  server_.reset();
  std::clog.rdbuf(before);
  const std::string log = captured.str();
  std::smatch id;
  ASSERT_TRUE(std::regex_search(first, id, std::regex("X-Request-Id: ([0-9a-f]{8}-[0-9]{6})\r\n")))
      << first;
  EXPECT_NE(log.find("method=GET path=\"/een\" status=200 "), std::string::npos) << log;
  EXPECT_NE(log.find(" id=" + id[1].str() + "\n"), std::string::npos) << log;
  EXPECT_NE(proxied.find("X-Request-Id: nginx-0123abcd\r\n"), std::string::npos) << proxied;
  EXPECT_NE(log.find("path=\"/twee\" status=200 "), std::string::npos) << log;
  EXPECT_NE(log.find(" id=nginx-0123abcd\n"), std::string::npos) << log;
}

TEST_F(ServerTest, OneAddressBeyondItsShareOfConnectionsGetsA503AndTheRestGoOn) {
  ServerOptions o;
  o.max_connections_per_address = 3;
  start(o);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>(port()));
    ASSERT_TRUE(held.back()->send(get("/x")));
    EXPECT_EQ(status_of(held.back()->read_responses(1)), 200);
  }
  Client fourth(port());
  std::string refused = fourth.read_responses(1, 2s);
  EXPECT_EQ(status_of(refused), 503) << refused;
  EXPECT_NE(refused.find("Retry-After: 5"), std::string::npos) << refused;
  EXPECT_TRUE(fourth.closed_within(1s));
  // The connections it holds are still served, and a closed one makes room again.
  ASSERT_TRUE(held[0]->send(get("/y")));
  EXPECT_EQ(status_of(held[0]->read_responses(1)), 200);
  held.pop_back();
  std::this_thread::sleep_for(100ms);
  Client again(port());
  ASSERT_TRUE(again.send(get("/z")));
  EXPECT_EQ(status_of(again.read_responses(1)), 200);
}

// Login failures are counted per client address: X-Forwarded-For names it only when a proxy
// the configuration trusts sent the request, else anyone could pick the address counted.
TEST_F(ServerTest, TheClientIsWhatATrustedProxySaysAndOnlyThen) {
  {
    start();
    Client c(port());
    ASSERT_TRUE(
        c.send(get("/client", "X-Forwarded-For: 203.0.113.5\r\nX-Forwarded-Proto: https\r\n")));
    const std::string untrusted = c.read_responses(1);
    EXPECT_NE(untrusted.find("client=127.0.0.1;"), std::string::npos)
        << "not trusted: the header is ignored";
    EXPECT_EQ(untrusted.find("https;"), std::string::npos) << "nor is its word on https";
  }
  server_->stop(1s);
  ServerOptions o;
  o.trusted_proxies = {"127.0.0.1"};
  start(o);
  Client c(port());
  ASSERT_TRUE(c.send(
      get("/client", "X-Forwarded-For: 10.0.0.1, 203.0.113.5\r\nX-Forwarded-Proto: https\r\n")));
  EXPECT_NE(c.read_responses(1).find("client=203.0.113.5;https;"), std::string::npos)
      << "the address nginx saw, the last, and its https";
  ASSERT_TRUE(c.send(get("/client")));
  EXPECT_NE(c.read_responses(1).find("client=127.0.0.1;"), std::string::npos);
}

}  // namespace
}  // namespace stagematch

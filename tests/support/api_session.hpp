// A handler wired to a real process_runner and an emulated host, plus a
// helper to send one request and read the reply as a JSON tree.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "fake_host.hpp"
#include "iohyve_api/client.hpp"
#include "iohyve_api/handler.hpp"
#include "iohyve_api/runner.hpp"
#include "json_value.hpp"

namespace iohyve_test {

class api_session {
 public:
  explicit api_session(fake_host& host, iohyve_api::process_runner_options runner_options = {});

  // Sends {"action": ..., ...} as a bare REST body; returns the reply.
  iohyve_api::reply send(const std::string& body);
  // The reply's args.<action> object (or the error envelope's args).
  json_value args_of(const iohyve_api::reply& r) const;

  std::vector<std::string> events();  // event envelopes received so far
  iohyve_api::handler& handler() { return handler_; }
  iohyve_api::client& client() { return client_; }

 private:
  iohyve_api::process_runner runner_;
  iohyve_api::client client_;
  std::mutex events_mutex_;
  std::vector<std::string> events_;
  iohyve_api::handler handler_;
};

iohyve_api::host_paths paths_of(const fake_host& host);

// The member's string value, or "<missing KEY>" so that a failed comparison
// says what was missing.
inline std::string str(const json_value& v, const char* key) {
  return v.string_at(key, "<missing " + std::string(key) + ">");
}

}  // namespace iohyve_test

// Sends request through session, expects a success (status 200, no error)
// and yields the reply's action object (api_session::args_of). A macro, so
// that a failure reports the test's own line.
#define EXPECT_OK(session, request)                                            \
  [&] {                                                                        \
    auto r_ = (session).send(request);                                         \
    EXPECT_FALSE(r_.is_error) << (request) << "\n -> " << r_.text;             \
    EXPECT_EQ(r_.status, 200) << (request) << "\n -> " << r_.text;             \
    return (session).args_of(r_);                                              \
  }()

// Sends request through session, expects it refused with HTTP status code
// and yields the action error's message (its "error" member). A macro for
// the same reason as EXPECT_OK.
#define EXPECT_REFUSED(session, request, code)                                 \
  [&] {                                                                        \
    auto r_ = (session).send(request);                                         \
    EXPECT_TRUE(r_.is_error) << (request) << "\n -> " << r_.text;              \
    EXPECT_EQ(r_.status, (code)) << (request) << "\n -> " << r_.text;           \
    return iohyve_test::str((session).args_of(r_), "error");                   \
  }()

#include "coordinator/request_credentials.h"

#include <gtest/gtest.h>

namespace strata::coordinator {
namespace {

v1::RegistryAuth Auth(const std::string& server, const std::string& user,
                      const std::string& password) {
  v1::RegistryAuth auth;
  auth.set_server(server);
  auth.set_username(user);
  auth.set_password(password);
  return auth;
}

TEST(RequestCredentialsTest, TheLatestCredentialsOfAHostWin) {
  RequestCredentials credentials;
  credentials.Accept(Auth("127.0.0.1:5000", "alice", "one"));
  credentials.Accept(Auth("127.0.0.1:5000", "alice", "two"));
  auto got = credentials.Get("127.0.0.1:5000");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->password, "two");
}

// After `strata logout` the client sends the server without a user: the
// coordinator must not go on using what an earlier request sent.
TEST(RequestCredentialsTest, ARequestWithoutAUserForgetsTheHost) {
  RequestCredentials credentials;
  credentials.Accept(Auth("127.0.0.1:5000", "alice", "secret"));
  credentials.Accept(Auth("registry.example", "bob", "other"));
  credentials.Accept(Auth("127.0.0.1:5000", "", ""));
  auto gone = credentials.Get("127.0.0.1:5000");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto kept = credentials.Get("registry.example");
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value());
  credentials.Accept(Auth("", "", ""));  // names no host: changes nothing
  EXPECT_TRUE(credentials.Get("registry.example")->has_value());
}

}  // namespace
}  // namespace strata::coordinator

#include "protocol/security.h"

#include <gtest/gtest.h>

#include "protocol/connection.h"
#include "protocol/listener.h"
#include "protocol/test_server.h"

namespace strata::protocol {
namespace {

using std::chrono::milliseconds;

Envelope Ping() {
  Envelope envelope;
  envelope.mutable_ping();
  return envelope;
}

TEST(SecurityTest, GeneratesDistinctValidKeyPairs) {
  Result<CurveKeyPair> a = GenerateCurveKeyPair();
  Result<CurveKeyPair> b = GenerateCurveKeyPair();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(IsCurveKey(a->public_key));
  EXPECT_TRUE(IsCurveKey(a->secret_key));
  EXPECT_NE(a->public_key, b->public_key);
  EXPECT_NE(a->public_key, a->secret_key);
  EXPECT_FALSE(IsCurveKey("short"));
  EXPECT_FALSE(IsCurveKey(std::string(40, ' ')));
}

TEST(SecurityTest, AuthenticatedPairTalksOverTcp) {
  Result<CurveKeyPair> server_keys = GenerateCurveKeyPair();
  Result<CurveKeyPair> client_keys = GenerateCurveKeyPair();
  ASSERT_TRUE(server_keys.ok() && client_keys.ok());
  Context context;
  ListenerOptions listener_options;
  listener_options.security.server_public = server_keys->public_key;
  listener_options.security.server_secret = server_keys->secret_key;
  Result<std::unique_ptr<Listener>> listener =
      Listener::Bind(context, "tcp://127.0.0.1:0", listener_options);
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  PingServer server(listener->get());

  ConnectionOptions options;
  options.security.server_public = server_keys->public_key;
  options.security.client_public = client_keys->public_key;
  options.security.client_secret = client_keys->secret_key;
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, (*listener)->endpoint(), options);
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  Result<Envelope> reply = (*connection)->Call(Ping(), milliseconds(5000));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_TRUE(reply->has_pong());

  // A client without its own pair gets a generated one.
  ConnectionOptions ephemeral;
  ephemeral.security.server_public = server_keys->public_key;
  Result<std::unique_ptr<Connection>> second =
      Connection::Connect(context, (*listener)->endpoint(), ephemeral);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE((*second)->Call(Ping(), milliseconds(5000)).ok());
}

TEST(SecurityTest, WrongServerKeyGetsNoAnswer) {
  Result<CurveKeyPair> server_keys = GenerateCurveKeyPair();
  Result<CurveKeyPair> impostor = GenerateCurveKeyPair();
  ASSERT_TRUE(server_keys.ok() && impostor.ok());
  Context context;
  ListenerOptions listener_options;
  listener_options.security.server_secret = server_keys->secret_key;
  Result<std::unique_ptr<Listener>> listener =
      Listener::Bind(context, "tcp://127.0.0.1:0", listener_options);
  ASSERT_TRUE(listener.ok());
  PingServer server(listener->get());

  ConnectionOptions wrong;
  wrong.security.server_public = impostor->public_key;
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, (*listener)->endpoint(), wrong);
  ASSERT_TRUE(connection.ok());
  Result<Envelope> reply = (*connection)->Call(Ping(), milliseconds(500));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kTimedOut);

  // A plain-text client gets nothing either.
  Result<std::unique_ptr<Connection>> plain = Connection::Connect(context, (*listener)->endpoint());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->Call(Ping(), milliseconds(300)).status().code(), StatusCode::kTimedOut);
  EXPECT_EQ(server.answered(), 0);
}

TEST(SecurityTest, RejectsMalformedKeysAndInproc) {
  Context context;
  ListenerOptions bad;
  bad.security.server_secret = "not a key";
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "tcp://127.0.0.1:0", bad);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(listener.status().message().find("server_secret"), std::string::npos);

  Result<CurveKeyPair> keys = GenerateCurveKeyPair();
  ASSERT_TRUE(keys.ok());
  ListenerOptions inproc;
  inproc.security.server_secret = keys->secret_key;
  Result<std::unique_ptr<Listener>> in = Listener::Bind(context, "inproc://secure", inproc);
  ASSERT_FALSE(in.ok());
  EXPECT_NE(in.status().message().find("inproc"), std::string::npos);

  ConnectionOptions half;
  half.security.server_public = keys->public_key;
  half.security.client_public = keys->public_key;
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, "tcp://127.0.0.1:1", half);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::protocol

#include "protocol/zap_handler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "protocol/connection.h"
#include "protocol/listener.h"
#include "protocol/security.h"
#include "protocol/test_server.h"

namespace strata::protocol {
namespace {

using std::chrono::milliseconds;

Envelope Ping() {
  Envelope envelope;
  envelope.mutable_ping();
  return envelope;
}

ConnectionOptions ClientWith(const CurveKeyPair& server, const CurveKeyPair& client) {
  ConnectionOptions options;
  options.security.server_public = server.public_key;
  options.security.client_public = client.public_key;
  options.security.client_secret = client.secret_key;
  return options;
}

TEST(ZapHandlerTest, AdmitsListedKeysOnlyAndNamesThem) {
  Result<CurveKeyPair> server_keys = GenerateCurveKeyPair();
  Result<CurveKeyPair> listed = GenerateCurveKeyPair();
  Result<CurveKeyPair> stranger = GenerateCurveKeyPair();
  ASSERT_TRUE(server_keys.ok() && listed.ok() && stranger.ok());
  Context context;
  std::atomic<int> asked{0};
  Result<std::unique_ptr<ZapHandler>> zap =
      ZapHandler::Start(context, [&](const std::string& key) {
        ++asked;
        return key == listed->public_key;
      });
  ASSERT_TRUE(zap.ok()) << zap.status().ToString();
  ListenerOptions listener_options;
  listener_options.security.server_secret = server_keys->secret_key;
  Result<std::unique_ptr<Listener>> listener =
      Listener::Bind(context, "tcp://127.0.0.1:0", listener_options);
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  PingServer server(listener->get());

  Result<std::unique_ptr<Connection>> good = Connection::Connect(
      context, (*listener)->endpoint(), ClientWith(*server_keys, *listed));
  ASSERT_TRUE(good.ok());
  Result<Envelope> reply = (*good)->Call(Ping(), milliseconds(5000));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_TRUE(reply->has_pong());
  EXPECT_EQ(server.last_curve_key(), listed->public_key);

  Result<std::unique_ptr<Connection>> bad = Connection::Connect(
      context, (*listener)->endpoint(), ClientWith(*server_keys, *stranger));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ((*bad)->Call(Ping(), milliseconds(500)).status().code(), StatusCode::kTimedOut);
  EXPECT_EQ(server.answered(), 1);
  EXPECT_GE(asked.load(), 2);
}

TEST(ZapHandlerTest, OnePerContext) {
  Context context;
  Result<std::unique_ptr<ZapHandler>> first =
      ZapHandler::Start(context, [](const std::string&) { return true; });
  ASSERT_TRUE(first.ok());
  Result<std::unique_ptr<ZapHandler>> second =
      ZapHandler::Start(context, [](const std::string&) { return true; });
  EXPECT_FALSE(second.ok());
}

TEST(SecurityKeyTest, DerivesThePublicKeyAndReadsKeyFiles) {
  Result<CurveKeyPair> pair = GenerateCurveKeyPair();
  ASSERT_TRUE(pair.ok());
  Result<std::string> derived = CurvePublicKeyOf(pair->secret_key);
  ASSERT_TRUE(derived.ok());
  EXPECT_EQ(*derived, pair->public_key);
  EXPECT_FALSE(CurvePublicKeyOf("short").ok());
}

TEST(ConnectionTokenTest, EveryEnvelopeCarriesTheToken) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "tcp://127.0.0.1:0");
  ASSERT_TRUE(listener.ok());
  PingServer server(listener->get());
  ConnectionOptions options;
  options.token = "s3cret";
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, (*listener)->endpoint(), options);
  ASSERT_TRUE(connection.ok());
  ASSERT_TRUE((*connection)->Call(Ping(), milliseconds(5000)).ok());
  EXPECT_EQ(server.last_token(), "s3cret");
}

}  // namespace
}  // namespace strata::protocol

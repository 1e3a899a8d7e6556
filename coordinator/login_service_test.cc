#include "coordinator/login_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "coordinator/testing/recording_outbox.h"
#include "registry/testing/fake_registry_client.h"

namespace strata::coordinator {
namespace {

bool IsLoginEnd(const protocol::Envelope& e) { return e.has_login_result(); }

protocol::Envelope CheckLogin(uint64_t id, const std::string& server, const std::string& user,
                              const std::string& password) {
  protocol::Envelope request = protocol::NewEnvelope(id);
  v1::RegistryAuth* auth = request.mutable_check_login()->mutable_auth();
  auth->set_server(server);
  auth->set_username(user);
  auth->set_password(password);
  return request;
}

class LoginServiceTest : public ::testing::Test {
 protected:
  LoginServiceTest() {
    registry_.RequireLogin({"ci", "right"});
    registry_.SetCredentials(credentials_);
  }

  registry::testing::FakeRegistryClient registry_;
  std::shared_ptr<RequestCredentials> credentials_ = std::make_shared<RequestCredentials>();
  testing::RecordingOutbox outbox_;
};

TEST_F(LoginServiceTest, AcceptedCredentialsAnswerLoginResultAndStay) {
  LoginService service(registry_, *credentials_, outbox_);
  protocol::Envelope request = CheckLogin(3, "https://127.0.0.1:5000/v1/", "ci", "right");
  ASSERT_TRUE(service.Handles(request));
  service.HandleClient("peer", request);
  std::vector<protocol::Envelope> got = outbox_.WaitEnd(3, IsLoginEnd);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].has_login_result()) << got[0].DebugString();
  EXPECT_EQ(got[0].login_result().host(), "127.0.0.1:5000");
  Result<std::optional<registry::Credentials>> kept = credentials_->Get("127.0.0.1:5000");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->password, "right");
}

TEST_F(LoginServiceTest, RefusedCredentialsAnswerErrorAndLeaveTheOldOnes) {
  ASSERT_TRUE(credentials_->Put("127.0.0.1:5000", {"ci", "right"}).ok());
  LoginService service(registry_, *credentials_, outbox_);
  service.HandleClient("peer", CheckLogin(4, "127.0.0.1:5000", "ci", "wrong"));
  std::vector<protocol::Envelope> got = outbox_.WaitEnd(4, IsLoginEnd);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].has_error()) << got[0].DebugString();
  EXPECT_EQ(got[0].error().code(), static_cast<int>(StatusCode::kPermissionDenied));
  EXPECT_EQ(got[0].error().message(),
            "registry 127.0.0.1:5000: unauthorized: authentication required");
  Result<std::optional<registry::Credentials>> kept = credentials_->Get("127.0.0.1:5000");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->password, "right") << "a refused login replaced good credentials";

  service.HandleClient("peer", CheckLogin(5, "127.0.0.1:6000", "ci", "wrong"));
  ASSERT_TRUE(outbox_.WaitEnd(5, IsLoginEnd).back().has_error());
  EXPECT_FALSE(credentials_->Get("127.0.0.1:6000")->has_value());
}

TEST_F(LoginServiceTest, ALoginWithoutUserIsRefusedAndOtherMessagesAreNotItsOwn) {
  LoginService service(registry_, *credentials_, outbox_);
  service.HandleClient("peer", CheckLogin(6, "127.0.0.1:5000", "", ""));
  std::vector<protocol::Envelope> got = outbox_.WaitEnd(6, IsLoginEnd);
  ASSERT_TRUE(got.back().has_error());
  EXPECT_EQ(got.back().error().code(), static_cast<int>(StatusCode::kInvalidArgument));
  EXPECT_FALSE(service.Handles(protocol::NewEnvelope(7)));
}

}  // namespace
}  // namespace strata::coordinator

#include "coordinator/client_access.h"

#include <gtest/gtest.h>

#include <string>

#include "common/file_util.h"
#include "common/testing/temp_dir.h"
#include "coordinator/token_table.h"
#include "protocol/security.h"

namespace strata::coordinator {
namespace {

constexpr char kTeamA[] = "strata_aaaa";
constexpr char kTeamB[] = "strata_bbbb";
constexpr char kAdmin[] = "strata_root";
constexpr char kWorker[] = "strata_work";

std::string Line(const std::string& token, const std::string& ns, const std::string& role) {
  return "sha256:" + TokenHash(token) + " " + ns + " " + role + "\n";
}

std::string TokensText() {
  return "# teams\n" + Line(kTeamA, "team-a", "member") + Line(kTeamB, "team-b", "member") +
         "\n   \n" + Line(kAdmin, "ops", "admin") + Line(kWorker, "farm", "worker") +
         "  # trailing comment only\n";
}

protocol::Incoming WithToken(const std::string& token) {
  protocol::Incoming incoming;
  incoming.envelope.set_token(token);
  incoming.envelope.mutable_ping();
  return incoming;
}

std::unique_ptr<ClientAccess> OpenWith(const std::string& text, bool no_auth = false) {
  std::string dir = testing::MakeTempDir("access");
  std::string path = dir + "/tokens";
  EXPECT_TRUE(WriteFile(path, text).ok());
  Result<std::unique_ptr<ClientAccess>> access = ClientAccess::Open({path, no_auth});
  EXPECT_TRUE(access.ok()) << access.status().ToString();
  return access.ok() ? std::move(*access) : nullptr;
}

TEST(TokenTableTest, ParsesGrantsAndLooksTokensUpByHash) {
  Result<TokenTable> table = TokenTable::Parse(TokensText(), "tokens");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->size(), 4u);
  std::optional<Grant> a = table->ForToken(kTeamA);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ns, "team-a");
  EXPECT_EQ(a->role, Role::kMember);
  EXPECT_EQ(table->ForToken(kAdmin)->role, Role::kAdmin);
  EXPECT_FALSE(table->ForToken("strata_other").has_value());
  EXPECT_FALSE(table->ForToken("").has_value());
  // The file names hashes, so the hash itself is no token.
  EXPECT_FALSE(table->ForToken(TokenHash(kTeamA)).has_value());
  EXPECT_FALSE(table->has_curve_keys());
}

TEST(TokenTableTest, RefusesBadLinesWithTheirNumber) {
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::string hash = TokenHash(kTeamA);
  for (const Case& c : std::vector<Case>{
           {"sha256:" + hash + " team-a\n", "tokens:1: expected"},
           {"\n\nsha256:abc team-a member\n", "tokens:3: 'sha256:' must be followed by 64"},
           {"sha256:" + hash + " Team_A member\n", "namespace 'Team_A' is not a name"},
           {"sha256:" + hash + " team-a owner\n", "role 'owner' is not member"},
           {"md5:" + hash + " team-a member\n", "starts with 'sha256:' or 'curve:'"},
           {"curve:short team-a member\n", "'curve:' must be followed by a public key"},
           {Line(kTeamA, "a", "member") + Line(kTeamA, "b", "member"), "tokens:2: this token is "
                                                                       "listed twice"},
       }) {
    Result<TokenTable> table = TokenTable::Parse(c.text, "tokens");
    ASSERT_FALSE(table.ok()) << c.text;
    EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(table.status().message().find(c.expect), std::string::npos)
        << table.status().message();
  }
}

TEST(ClientAccessTest, TcpNeedsAListedTokenAndSaysWhatToDo) {
  std::unique_ptr<ClientAccess> access = OpenWith(TokensText());
  ASSERT_NE(access, nullptr);
  Result<Caller> none = access->IdentifyClient(WithToken(""), /*tcp=*/true);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(none.status().message().find("--token"), std::string::npos);
  EXPECT_NE(none.status().message().find("STRATA_TOKEN"), std::string::npos);

  Result<Caller> wrong = access->IdentifyClient(WithToken("strata_guess"), true);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("not valid"), std::string::npos);

  Result<Caller> a = access->IdentifyClient(WithToken(kTeamA), true);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->ns, "team-a");
  EXPECT_EQ(a->role, Role::kMember);
  EXPECT_FALSE(a->local);
  // Never the token itself in what is logged.
  EXPECT_EQ(a->name.find(kTeamA), std::string::npos);

  // A worker token is for the worker endpoint, and only it is.
  EXPECT_EQ(access->IdentifyClient(WithToken(kWorker), true).status().code(),
            StatusCode::kPermissionDenied);
  Result<Caller> worker = access->IdentifyWorker(WithToken(kWorker), true);
  ASSERT_TRUE(worker.ok());
  EXPECT_EQ(worker->role, Role::kWorker);
  Result<Caller> member_as_worker = access->IdentifyWorker(WithToken(kTeamA), true);
  ASSERT_FALSE(member_as_worker.ok());
  EXPECT_NE(member_as_worker.status().message().find("role worker"), std::string::npos);
  Result<Caller> unknown_worker = access->IdentifyWorker(WithToken(""), true);
  ASSERT_FALSE(unknown_worker.ok());
  EXPECT_NE(unknown_worker.status().message().find("--token"), std::string::npos);
}

TEST(ClientAccessTest, IpcIsTheLocalAdminAndNoAuthOpensTcp) {
  std::unique_ptr<ClientAccess> access = OpenWith(TokensText());
  ASSERT_NE(access, nullptr);
  Result<Caller> local = access->IdentifyClient(WithToken(""), /*tcp=*/false);
  ASSERT_TRUE(local.ok());
  EXPECT_TRUE(local->is_admin());
  EXPECT_TRUE(local->local);
  EXPECT_EQ(local->ns, "default");
  // A token on ipc still names its grant.
  EXPECT_EQ(access->IdentifyClient(WithToken(kTeamB), false)->ns, "team-b");

  std::unique_ptr<ClientAccess> open = OpenWith("", /*no_auth=*/true);
  ASSERT_NE(open, nullptr);
  Result<Caller> anonymous = open->IdentifyClient(WithToken(""), true);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->ns, "default");
  EXPECT_FALSE(anonymous->local);  // paths on the coordinator's disk stay refused
}

TEST(ClientAccessTest, ReloadsOnRequestAndKeepsTheOldTableOnABadFile) {
  std::string dir = testing::MakeTempDir("access");
  std::string path = dir + "/tokens";
  ASSERT_TRUE(WriteFile(path, Line(kTeamA, "team-a", "member")).ok());
  Result<std::unique_ptr<ClientAccess>> access = ClientAccess::Open({path, false});
  ASSERT_TRUE(access.ok());
  EXPECT_FALSE((*access)->IdentifyClient(WithToken(kTeamB), true).ok());

  ASSERT_TRUE(WriteFile(path, Line(kTeamB, "team-b", "member")).ok());
  EXPECT_FALSE((*access)->IdentifyClient(WithToken(kTeamB), true).ok());  // not asked yet
  (*access)->RequestReload();
  EXPECT_TRUE((*access)->IdentifyClient(WithToken(kTeamB), true).ok());
  EXPECT_FALSE((*access)->IdentifyClient(WithToken(kTeamA), true).ok());  // revoked

  ASSERT_TRUE(WriteFile(path, "garbage\n").ok());
  (*access)->RequestReload();
  EXPECT_TRUE((*access)->IdentifyClient(WithToken(kTeamB), true).ok());
}

TEST(ClientAccessTest, CurveKeysAreIdentitiesAndTheAllowList) {
  Result<protocol::CurveKeyPair> listed = protocol::GenerateCurveKeyPair();
  Result<protocol::CurveKeyPair> other = protocol::GenerateCurveKeyPair();
  ASSERT_TRUE(listed.ok() && other.ok());
  std::unique_ptr<ClientAccess> open_keys = OpenWith(TokensText());
  ASSERT_NE(open_keys, nullptr);
  // Without curve: lines any key may connect; its token decides.
  EXPECT_TRUE(open_keys->AdmitCurveKey(other->public_key));

  // Z85 has '#' among its letters: a key holding one is no comment.
  const std::string hashed_key = "0123456789#bcdefghijklmnopqrstuvwxyzABCD";
  std::unique_ptr<ClientAccess> access =
      OpenWith(TokensText() + "curve:" + listed->public_key + " farm worker # the farm\n" +
               "curve:" + hashed_key + " team-a member\n");
  ASSERT_NE(access, nullptr);
  EXPECT_TRUE(access->AdmitCurveKey(listed->public_key));
  EXPECT_FALSE(access->AdmitCurveKey(other->public_key));
  EXPECT_TRUE(access->AdmitCurveKey(hashed_key));
  protocol::Incoming by_key = WithToken("");
  by_key.curve_key = listed->public_key;
  Result<Caller> worker = access->IdentifyWorker(by_key, true);
  ASSERT_TRUE(worker.ok()) << worker.status().ToString();
  EXPECT_EQ(worker->ns, "farm");
}

TEST(AuthorizeTest, AdminOnlyRequestsAndPathsOverTcp) {
  Caller member;
  member.ns = "team-a";
  member.role = Role::kMember;
  member.local = false;
  member.name = "token sha256:1234";
  protocol::Envelope shutdown;
  shutdown.mutable_shutdown();
  Status refused = Authorize(member, shutdown);
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("only an admin may shut the coordinator down"),
            std::string::npos);
  Caller admin = member;
  admin.role = Role::kAdmin;
  EXPECT_TRUE(Authorize(admin, shutdown).ok());

  protocol::Envelope load;
  load.mutable_load_image()->set_input_path("/etc/shadow");
  EXPECT_EQ(Authorize(admin, load).code(), StatusCode::kPermissionDenied);
  load.mutable_load_image()->set_streamed(true);
  EXPECT_TRUE(Authorize(member, load).ok());
  protocol::Envelope save;
  save.mutable_save_image()->set_output_path("/etc/cron.d/x");
  EXPECT_FALSE(Authorize(admin, save).ok());
  Caller local;
  EXPECT_TRUE(Authorize(local, save).ok());
}

}  // namespace
}  // namespace strata::coordinator

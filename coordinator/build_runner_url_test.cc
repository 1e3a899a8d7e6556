// BuildRunner: ADD of an http(s) URL, against a loopback HTTP server.

#include <gtest/gtest.h>

#include "coordinator/build_runner_test_fixture.h"
#include "registry/testing/test_http_server.h"

namespace strata::coordinator {
namespace {

class BuildRunnerUrlTest : public BuildRunnerTest {
 protected:
  void SetUp() override {
    BuildRunnerTest::SetUp();
    ASSERT_NE(server_.port(), 0);
    server_.Set("/tool.sh",
                {200, "OK", "v1", {{"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}});
  }
  std::string Dockerfile(const std::string& flags = "") {
    return "FROM scratch\nADD " + flags + server_.Url("/tool.sh") + " /bin/\nRUN run-tool\n";
  }

  registry::TestHttpServer server_;
};

TEST_F(BuildRunnerUrlTest, JobReadsTheDownloadAsAContextFile) {
  Result<BuildResult> r = Build(Dockerfile());
  ASSERT_OK(r);
  ASSERT_EQ(fake_->calls(), 2);
  StepJob add = fake_->jobs()[0];
  const std::string path =
      ".strata-url/" + Digest::Sha256Of(server_.Url("/tool.sh")).hex() + "/tool.sh";
  const auto* command = add.step.command.As<dockerfile::AddCommand>();
  ASSERT_NE(command, nullptr);
  EXPECT_EQ(command->sources, std::vector<std::string>{path});
  EXPECT_EQ(command->unpack, std::optional<bool>(false));  // a URL is never unpacked
  ASSERT_EQ(add.inputs.size(), 1u);
  EXPECT_EQ(add.inputs[0].path, path);
  EXPECT_EQ(add.inputs[0].mode, 0600u);
  EXPECT_EQ(add.inputs[0].content, Digest::Sha256Of("v1"));
  Result<std::string> blob = store_->blobs().ReadAll(Digest::Sha256Of("v1"));
  ASSERT_OK(blob);
  EXPECT_EQ(*blob, "v1");
  // History and reports keep the URL as written.
  EXPECT_EQ(r->steps[0].text, "ADD " + server_.Url("/tool.sh") + " /bin/");
}

TEST_F(BuildRunnerUrlTest, UnchangedRemoteFileHitsAndChangedOneMisses) {
  ASSERT_OK(Build(Dockerfile()));
  Result<BuildResult> same = Build(Dockerfile());
  ASSERT_OK(same);
  EXPECT_EQ(fake_->calls(), 0);
  EXPECT_EQ(same->cached_steps, 2);

  server_.Set("/tool.sh", {200, "OK", "v2", {}});
  Result<BuildResult> changed = Build(Dockerfile());
  ASSERT_OK(changed);
  EXPECT_EQ(Ran(*changed), (std::vector<int>{0, 1}));
  EXPECT_NE(changed->steps[0].key, same->steps[0].key);

  server_.Set("/tool.sh", {200, "OK", "v1", {}});
  Result<BuildResult> back = Build(Dockerfile());
  ASSERT_OK(back);
  EXPECT_EQ(fake_->calls(), 0);
  EXPECT_EQ(back->steps[1].key, same->steps[1].key);
}

TEST_F(BuildRunnerUrlTest, ChecksumIsCheckedAgainstTheDownload) {
  ASSERT_OK(Build(Dockerfile("--checksum=" + Digest::Sha256Of("v1").ToString() + " ")));
  const std::string wrong = Digest::Sha256Of("v0").ToString();
  Result<BuildResult> r = Build(Dockerfile("--checksum=" + wrong + " "));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Dockerfile:2: ADD " + server_.Url("/tool.sh") +
                                      ": checksum mismatch: expected " + wrong + " got " +
                                      Digest::Sha256Of("v1").ToString());
  EXPECT_EQ(sink_.Count(BuildEvent::Kind::kError), 1);
  EXPECT_EQ(fake_->calls(), 0);
}

TEST_F(BuildRunnerUrlTest, MissingRemoteFileFailsTheStep) {
  Result<BuildResult> r = Build("FROM scratch\nADD " + server_.Url("/nothing.tgz") + " /x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "Dockerfile:2: ADD " + server_.Url("/nothing.tgz") + ": HTTP 404 Not Found");
  EXPECT_EQ(fake_->calls(), 0);
}

TEST_F(BuildRunnerUrlTest, ChecksumOnALocalSourceIsRefused) {
  Result<BuildResult> r =
      Build("FROM scratch\nADD --checksum=" + Digest::Sha256Of("x").ToString() + " README /r\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "Dockerfile:2: checksum requires HTTP(S) or Git sources");
  EXPECT_EQ(server_.requests(), 0);
}

}  // namespace
}  // namespace strata::coordinator

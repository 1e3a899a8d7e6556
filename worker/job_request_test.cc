#include "worker/job_request.h"

#include <gtest/gtest.h>

namespace strata::worker {
namespace {

const char kBase[] = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const char kTop[] = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

v1::Job RunJob(const std::string& command) {
  v1::Job job;
  job.set_job_id("j1");
  job.set_instruction("RUN " + command);
  job.set_kind(v1::Job::KIND_RUN);
  for (const char* diff_id : {kBase, kTop}) {
    v1::LayerRef* ref = job.add_parents();
    ref->set_diff_id(diff_id);
    job.add_parent_chain(diff_id);
  }
  job.mutable_run()->add_args(command);
  job.mutable_run()->set_prepend_shell(true);
  return job;
}

v1::Job CopyJob() {
  v1::Job job = RunJob("unused");
  job.clear_run();
  job.set_kind(v1::Job::KIND_COPY);
  job.mutable_copy()->add_sources("src/");
  job.mutable_copy()->set_dest("/app/");
  return job;
}

TEST(JobRequestTest, RunTakesCommandStateAndChain) {
  v1::Job job = RunJob("echo hi");
  job.mutable_state()->add_env("A=1");
  job.mutable_state()->add_env("B=2");
  job.mutable_state()->set_user("app");
  job.mutable_state()->set_workdir("/src");
  job.mutable_state()->add_shell("/bin/bash");
  job.mutable_state()->add_shell("-ec");
  job.mutable_run()->set_network("none");
  v1::HereDoc* doc = job.mutable_run()->add_heredocs();
  doc->set_name("EOF");
  doc->set_content("echo body\n");
  job.set_has_source_date_epoch(true);
  job.set_source_date_epoch(1700000000);

  Result<StepRequest> r = StepRequestFromJob(job, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, StepKind::kRun);
  EXPECT_EQ(r->parent_chain, (std::vector<std::string>{kBase, kTop}));
  EXPECT_EQ(r->run.args, std::vector<std::string>{"echo hi"});
  EXPECT_TRUE(r->run.prepend_shell);
  EXPECT_EQ(r->run.shell, (std::vector<std::string>{"/bin/bash", "-ec"}));
  ASSERT_EQ(r->run.heredocs.size(), 1u);
  EXPECT_EQ(r->run.heredocs[0].name, "EOF");
  EXPECT_EQ(r->run.heredocs[0].content, "echo body\n");
  EXPECT_EQ(r->run.network, sandbox::NetworkMode::kNone);
  EXPECT_EQ(r->env, (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(r->user, "app");
  EXPECT_EQ(r->workdir, "/src");
  EXPECT_EQ(r->source_date_epoch, std::optional<int64_t>(1700000000));
}

TEST(JobRequestTest, RunDefaults) {
  v1::Job job = RunJob("true");
  job.mutable_run()->set_prepend_shell(false);
  Result<StepRequest> r = StepRequestFromJob(job, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->run.prepend_shell);
  EXPECT_EQ(r->run.shell, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(r->run.network, sandbox::NetworkMode::kHost);
  EXPECT_EQ(r->workdir, "/");
  EXPECT_FALSE(r->source_date_epoch.has_value());
}

TEST(JobRequestTest, NetworkFallsBackToTheState) {
  v1::Job job = RunJob("true");
  job.mutable_state()->set_network("none");
  Result<StepRequest> r = StepRequestFromJob(job, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->run.network, sandbox::NetworkMode::kNone);
}

TEST(JobRequestTest, ParentChainAloneIsUsedWhenNoParents) {
  v1::Job job = RunJob("true");
  job.clear_parents();
  Result<StepRequest> r = StepRequestFromJob(job, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->parent_chain, (std::vector<std::string>{kBase, kTop}));
}

TEST(JobRequestTest, CopyFromContext) {
  v1::Job job = CopyJob();
  job.mutable_copy()->set_chown("app:app");
  job.mutable_copy()->set_chmod("0755");
  v1::HereDoc* file = job.mutable_copy()->add_contents();
  file->set_name("note");
  file->set_content("hello\n");
  Result<StepRequest> r = StepRequestFromJob(job, "/tmp/ctx");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, StepKind::kCopy);
  EXPECT_EQ(r->copy.source_root, "/tmp/ctx");
  EXPECT_EQ(r->copy.sources, std::vector<std::string>{"src/"});
  EXPECT_EQ(r->copy.dest, "/app/");
  EXPECT_EQ(r->copy.chown, "app:app");
  EXPECT_EQ(r->copy.chmod, "0755");
  ASSERT_EQ(r->copy.contents.size(), 1u);
  EXPECT_EQ(r->copy.contents[0].name, "note");
  EXPECT_FALSE(r->copy.preserve_owner);
  EXPECT_FALSE(r->copy.unpack_archives);
}

TEST(JobRequestTest, CopyFromLayersKeepsOwnersAndAddUnpacks) {
  v1::Job job = CopyJob();
  job.mutable_copy()->set_from_layers(true);
  job.mutable_copy()->add_from_chain()->set_diff_id(kBase);
  Result<StepRequest> from = StepRequestFromJob(job, "/mnt/from");
  ASSERT_TRUE(from.ok()) << from.status().ToString();
  EXPECT_TRUE(from->copy.preserve_owner);

  v1::Job add = CopyJob();
  add.set_kind(v1::Job::KIND_ADD);
  add.mutable_copy()->set_unpack_archives(true);
  add.mutable_copy()->set_parents(true);
  Result<StepRequest> r = StepRequestFromJob(add, "/tmp/ctx");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, StepKind::kAdd);
  EXPECT_TRUE(r->copy.unpack_archives);
  EXPECT_TRUE(r->copy.parents);
  // ADD --unpack=false: the coordinator clears unpack_archives, and it stays clear.
  add.mutable_copy()->set_unpack_archives(false);
  r = StepRequestFromJob(add, "/tmp/ctx");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->copy.unpack_archives);
}

TEST(JobRequestTest, WorkdirIsTheDirectoryToCreate) {
  v1::Job job = RunJob("unused");
  job.clear_run();
  job.set_kind(v1::Job::KIND_WORKDIR);
  job.mutable_state()->set_workdir("/srv/app");
  job.mutable_state()->set_user("app");
  Result<StepRequest> r = StepRequestFromJob(job, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, StepKind::kWorkdir);
  EXPECT_EQ(r->workdir, "/srv/app");
  EXPECT_EQ(r->user, "app");
}

void ExpectInvalid(const v1::Job& job, const std::string& source_root, const std::string& needle) {
  Result<StepRequest> r = StepRequestFromJob(job, source_root);
  ASSERT_FALSE(r.ok()) << "accepted: " << job.ShortDebugString();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("job j1"), std::string::npos) << r.status().message();
}

TEST(JobRequestTest, InvalidJobsAreRefused) {
  v1::Job no_kind = RunJob("true");
  no_kind.set_kind(v1::Job::KIND_UNSPECIFIED);
  ExpectInvalid(no_kind, "", "unknown job kind");

  v1::Job no_args = RunJob("true");
  no_args.mutable_run()->clear_args();
  ExpectInvalid(no_args, "", "without a command");

  v1::Job network = RunJob("true");
  network.mutable_run()->set_network("bridge");
  ExpectInvalid(network, "", "network mode 'bridge'");

  v1::Job relative = RunJob("true");
  relative.mutable_state()->set_workdir("src");
  ExpectInvalid(relative, "", "not absolute");

  v1::Job chain = RunJob("true");
  chain.set_parent_chain(1, kBase);
  ExpectInvalid(chain, "", "parent_chain");

  v1::Job bad_digest = RunJob("true");
  bad_digest.clear_parent_chain();
  bad_digest.mutable_parents(0)->set_diff_id("sha256:nothex");
  ExpectInvalid(bad_digest, "", "sha256:nothex");

  ExpectInvalid(CopyJob(), "", "absolute source directory");

  v1::Job no_dest = CopyJob();
  no_dest.mutable_copy()->clear_dest();
  ExpectInvalid(no_dest, "/ctx", "destination");

  v1::Job no_sources = CopyJob();
  no_sources.mutable_copy()->clear_sources();
  ExpectInvalid(no_sources, "/ctx", "without sources");

  v1::Job copy_unpacks = CopyJob();
  copy_unpacks.mutable_copy()->set_unpack_archives(true);
  ExpectInvalid(copy_unpacks, "/ctx", "only ADD");

  v1::Job workdir = RunJob("unused");
  workdir.set_kind(v1::Job::KIND_WORKDIR);
  ExpectInvalid(workdir, "", "WORKDIR without a directory");
}

TEST(JobRequestTest, Compression) {
  v1::Job job = RunJob("true");
  EXPECT_EQ(*JobCompression(job), image::Compression::kGzip);
  job.set_compression("zstd");
  EXPECT_EQ(*JobCompression(job), image::Compression::kZstd);
  job.set_compression("none");
  EXPECT_EQ(*JobCompression(job), image::Compression::kNone);
  job.set_compression("lz4");
  EXPECT_EQ(JobCompression(job).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::worker

#include "coordinator/build_runner.h"

#include <gtest/gtest.h>

#include "coordinator/build_runner_test_fixture.h"
#include "coordinator/image_resolver.h"

namespace strata::coordinator {
namespace {

constexpr char kApp[] =
    "FROM scratch\n"
    "ARG VERSION=1\n"
    "COPY README /README\n"           // step 1
    "WORKDIR /src\n"                  // step 2
    "COPY app /src/app\n"             // step 3
    "RUN make VERSION=$VERSION\n"     // step 4
    "ENV MODE=release\n"              // step 5
    "RUN make install\n"              // step 6
    "CMD [\"/app\"]\n";               // step 7

TEST_F(BuildRunnerTest, ColdBuildRunsEachFilesystemStepOnceThenAllCached) {
  BuildOptions options;
  options.tags = {"docker.io/library/app:latest"};
  Result<BuildResult> cold = Build(kApp, options);
  ASSERT_OK(cold);
  EXPECT_EQ(fake_->calls(), 5);  // COPY, WORKDIR, COPY, RUN, RUN
  EXPECT_EQ(cold->ran_steps, 5);
  EXPECT_EQ(cold->cached_steps, 0);

  Result<BuildResult> warm = Build(kApp, options);
  ASSERT_OK(warm);
  EXPECT_EQ(fake_->calls(), 0);
  EXPECT_EQ(warm->cached_steps, 5);
  EXPECT_EQ(sink_.Count(BuildEvent::Kind::kCached), 5);
  EXPECT_EQ(warm->image.id, cold->image.id);
  EXPECT_EQ(warm->image.manifest_digest, cold->image.manifest_digest);
  Result<ResolvedImage> tagged = ResolveImage(store_->metadata(), "app:latest");
  ASSERT_OK(tagged);
  EXPECT_EQ(tagged->record.id, cold->image.id);
}

TEST_F(BuildRunnerTest, ImageConfigHistoryAndRootfs) {
  Result<BuildResult> r = Build(kApp);
  ASSERT_OK(r);
  image::ImageConfig config = ConfigOf(*r);
  // WORKDIR made an empty layer: 4 layers from 5 filesystem steps.
  EXPECT_EQ(config.rootfs.diff_ids.size(), 4u);
  EXPECT_EQ(r->image.layers.size(), 4u);
  ASSERT_EQ(config.history.size(), 8u);
  EXPECT_TRUE(config.history[0].empty_layer);  // ARG
  EXPECT_EQ(config.history[1].created_by, "COPY README /README # buildkit");
  EXPECT_FALSE(config.history[1].empty_layer);
  EXPECT_TRUE(config.history[2].empty_layer);  // WORKDIR, nothing changed
  EXPECT_EQ(config.history[4].created_by, "RUN |1 VERSION=1 /bin/sh -c make VERSION=$VERSION # buildkit");
  EXPECT_TRUE(config.history[5].empty_layer);  // ENV
  EXPECT_EQ(config.config.working_dir, "/src");
  EXPECT_EQ(config.config.cmd, std::vector<std::string>{"/app"});
  EXPECT_EQ(config.config.env,
            (std::vector<std::string>{dockerfile::kScratchPathEnv, "MODE=release"}));
  EXPECT_EQ(config.created, config.history[7].created);
  // The RUN saw the ARG and the stage's state.
  const StepJob make = fake_->jobs()[3];
  EXPECT_EQ(make.state.workdir, "/src");
  EXPECT_EQ(make.state.env, (std::vector<std::pair<std::string, std::string>>{
                                {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                                {"VERSION", "1"}}));
  EXPECT_EQ(make.parents.size(), 2u);  // README + app layers (WORKDIR was empty)
}

// BuildKit's emptyImage: a scratch image has the default PATH and WorkingDir "/".
TEST_F(BuildRunnerTest, FromScratchHasBuildKitsPathAndWorkingDir) {
  Result<BuildResult> r = Build("FROM scratch\nLABEL a=b\n");
  ASSERT_OK(r);
  image::ImageConfig config = ConfigOf(*r);
  EXPECT_EQ(config.config.env,
            std::vector<std::string>{
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"});
  EXPECT_EQ(config.config.working_dir, "/");
}

// A flag strata parses but does not carry out refuses the build before any
// step runs, with its location.
TEST_F(BuildRunnerTest, FlagNotCarriedOutRefusesTheBuild) {
  Result<BuildResult> r =
      Build("FROM scratch\nCOPY README /README\nRUN --mount=type=cache,target=/c make\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Dockerfile:3: RUN --mount is not supported yet");
  EXPECT_EQ(fake_->calls(), 0);
  r = Build("FROM --platform=linux/arm64 scratch\nCOPY README /README\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("Dockerfile:1: FROM --platform=linux/arm64 ", 0), 0u)
      << r.status().message();
}

// A missing COPY source names the line once ("Dockerfile:2: : ..." before).
TEST_F(BuildRunnerTest, MissingCopySourceNamesTheLineOnce) {
  Result<BuildResult> r = Build("FROM scratch\nCOPY missing /m\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "Dockerfile:2: failed to compute cache key of COPY missing /m: \"/missing\": not found");
}

TEST_F(BuildRunnerTest, ChangedCopyInputMissesThatStepAndLaterOnly) {
  ASSERT_OK(Build(kApp));
  context_.Put("app/util.c", "void util() { return; }");
  Result<BuildResult> r = Build(kApp);
  ASSERT_OK(r);
  // Steps: 0 ARG, 1 COPY README, 2 WORKDIR, 3 COPY app, 4 RUN, 5 ENV, 6 RUN, 7 CMD.
  EXPECT_EQ(Ran(*r), (std::vector<int>{3, 4, 6}));
  EXPECT_TRUE(r->steps[1].cached);
  EXPECT_TRUE(r->steps[2].cached);
}

TEST_F(BuildRunnerTest, ChangedBuildArgMissesFromTheRunThatSeesIt) {
  ASSERT_OK(Build(kApp, {}, {{"VERSION", "1"}}));
  Result<BuildResult> r = Build(kApp, {}, {{"VERSION", "2"}});
  ASSERT_OK(r);
  EXPECT_EQ(Ran(*r), (std::vector<int>{4, 6}));
}

TEST_F(BuildRunnerTest, NoCacheRunsEverythingAndOverwritesEntries) {
  Result<BuildResult> cold = Build(kApp);
  ASSERT_OK(cold);
  const Digest key = cold->steps[4].key;
  Result<std::optional<cache::CacheEntry>> before = store_->metadata().GetCacheEntry(key, "default");
  ASSERT_OK(before);
  ASSERT_TRUE(before->has_value());
  BuildOptions options;
  options.no_cache = true;
  Result<BuildResult> r = Build(kApp, options);
  ASSERT_OK(r);
  EXPECT_EQ(fake_->calls(), 5);
  EXPECT_EQ(r->cached_steps, 0);
  Result<std::optional<cache::CacheEntry>> after = store_->metadata().GetCacheEntry(key, "default");
  ASSERT_OK(after);
  ASSERT_TRUE(after->has_value());
  EXPECT_GT((*after)->created_unix_nanos, (*before)->created_unix_nanos);
}

TEST_F(BuildRunnerTest, NoCacheFilterRunsOnlyThatStage) {
  const std::string df =
      "FROM scratch AS deps\nCOPY README /r\n"
      "FROM scratch\nCOPY app /app\nCOPY --from=deps /r /r\n";
  ASSERT_OK(Build(df));
  BuildOptions options;
  options.no_cache_filter = {"deps"};
  Result<BuildResult> r = Build(df, options);
  ASSERT_OK(r);
  EXPECT_EQ(Ran(*r), (std::vector<int>{0}));
}

TEST_F(BuildRunnerTest, AStepThatThrowsFailsItsBuildNotTheProcess) {
  // An exception on a stage thread used to call std::terminate.
  fake_->ThrowWhenTextContains("make install");
  BuildOptions options;
  options.tags = {"docker.io/library/app:latest"};
  Result<BuildResult> r = Build(kApp, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("failed unexpectedly: stoi"), std::string::npos)
      << r.status().ToString();
  EXPECT_FALSE(ResolveImage(store_->metadata(), "app:latest").ok());
}

TEST_F(BuildRunnerTest, FailingStepKeepsEarlierStepsCachedAndTagsNothing) {
  fake_->FailWhenTextContains("make install");
  BuildOptions options;
  options.tags = {"docker.io/library/app:latest"};
  Result<BuildResult> r = Build(kApp, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("Dockerfile:8: RUN make install: process", 0), 0u)
      << r.status().ToString();
  EXPECT_EQ(sink_.Count(BuildEvent::Kind::kError), 1);
  EXPECT_FALSE(ResolveImage(store_->metadata(), "app:latest").ok());
  Result<std::vector<cache::CacheEntry>> entries = store_->metadata().ListCacheEntries();
  ASSERT_OK(entries);
  EXPECT_EQ(entries->size(), 4u);  // COPY, WORKDIR, COPY, RUN make; not the failed one

  fake_->FailWhenTextContains("");
  Result<BuildResult> again = Build(kApp, options);
  ASSERT_OK(again);
  EXPECT_EQ(Ran(*again), (std::vector<int>{6}));
}

// BuildKit shows FROM an image as the stage's first step, its reference
// normalised: "[1/3] FROM docker.io/library/base:latest".
TEST_F(BuildRunnerTest, FromAnImageIsAStepWithTheNormalisedReference) {
  BuildOptions base_options;
  base_options.tags = {"docker.io/library/base:latest"};
  ASSERT_OK(Build("FROM scratch\nCOPY README /\n", base_options));
  sink_.events.clear();
  ASSERT_OK(Build("FROM base\nCOPY README /r\nCOPY app /app\n"));
  ASSERT_GE(sink_.events.size(), 2u);
  EXPECT_EQ(sink_.events[0].kind, BuildEvent::Kind::kStarted);
  EXPECT_EQ(sink_.events[0].text, "FROM docker.io/library/base:latest");
  EXPECT_EQ(sink_.events[0].index, 1);
  EXPECT_EQ(sink_.events[0].total, 3);
  EXPECT_EQ(sink_.events[1].kind, BuildEvent::Kind::kDone);
  bool copy_is_second = false;
  for (const BuildEvent& e : sink_.events) {
    if (e.text == "COPY README /r") copy_is_second = e.index == 2;
  }
  EXPECT_TRUE(copy_is_second);
}

TEST_F(BuildRunnerTest, EntrypointClearsInheritedCmd) {
  BuildOptions base_options;
  base_options.tags = {"docker.io/library/base:latest"};
  ASSERT_OK(Build("FROM scratch\nCOPY README /\nCMD [\"sh\"]\n", base_options));

  Result<BuildResult> child = Build("FROM base\nENTRYPOINT [\"/bin/app\"]\n");
  ASSERT_OK(child);
  image::ImageConfig config = ConfigOf(*child);
  EXPECT_EQ(config.config.entrypoint, std::vector<std::string>{"/bin/app"});
  EXPECT_FALSE(config.config.cmd.has_value());
  EXPECT_EQ(config.rootfs.diff_ids.size(), 1u);  // the base layer
  EXPECT_EQ(config.history.size(), 3u);

  Result<BuildResult> both =
      Build("FROM base\nCMD [\"--help\"]\nENTRYPOINT [\"/bin/app\"]\n");
  ASSERT_OK(both);
  image::ImageConfig c2 = ConfigOf(*both);
  EXPECT_EQ(c2.config.cmd, std::vector<std::string>{"--help"});
  // FROM an image: the first step's parent is its manifest digest.
  Result<ResolvedImage> base = ResolveImage(store_->metadata(), "base");
  ASSERT_OK(base);
  EXPECT_EQ(fake_->calls(), 0);
}

TEST_F(BuildRunnerTest, CopyFromUsesTheOtherStagesKey) {
  const std::string df =
      "FROM scratch AS build\nCOPY app /src\nRUN cc /src -o /out\n"
      "FROM scratch\nCOPY README /README\nCOPY --from=build /out /app\n";
  BuildOptions options;
  options.cache_debug = true;
  Result<BuildResult> cold = Build(df, options);
  ASSERT_OK(cold);
  EXPECT_NE(cold->steps[3].preimage.find(cold->steps[1].key.ToString()), std::string::npos);
  EXPECT_EQ(fake_->jobs()[3].from_layers.size(), 2u);

  context_.Put("app/main.c", "int main() { return 1; }");
  Result<BuildResult> r = Build(df, options);
  ASSERT_OK(r);
  EXPECT_EQ(Ran(*r), (std::vector<int>{0, 1, 3}));  // README copy stays cached
}

TEST_F(BuildRunnerTest, CacheDebugPreimagesDifferInTheChangedFieldOnly) {
  BuildOptions options;
  options.cache_debug = true;
  Result<BuildResult> a = Build(kApp, options, {{"VERSION", "1"}});
  Result<BuildResult> b = Build(kApp, options, {{"VERSION", "2"}});
  ASSERT_OK(a);
  ASSERT_OK(b);
  const std::string& pa = a->steps[4].preimage;
  const std::string& pb = b->steps[4].preimage;
  ASSERT_NE(pa, pb);
  // Same parent and every line but the env one and the key line.
  auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(s.substr(start, nl - start));
    }
    if (start < s.size()) out.push_back(s.substr(start));
    return out;
  };
  std::vector<std::string> la = lines(pa), lb = lines(pb);
  ASSERT_EQ(la.size(), lb.size());
  std::vector<std::string> differing;
  for (size_t i = 0; i < la.size(); ++i) {
    if (la[i] != lb[i]) differing.push_back(la[i]);
  }
  ASSERT_EQ(differing.size(), 2u) << pa << "\n---\n" << pb;
  EXPECT_NE(differing[0].find("VERSION"), std::string::npos) << differing[0];
  EXPECT_EQ(a->steps[3].preimage, b->steps[3].preimage);
}

TEST_F(BuildRunnerTest, EnvAndLabelValuesAreExpandedOnce) {
  Result<BuildResult> r =
      Build("FROM scratch\nENV A=1 B=\\$A\nENV A=2 C=$A\nLABEL l=$A\n");
  ASSERT_OK(r);
  image::ImageConfig config = ConfigOf(*r);
  EXPECT_EQ(config.config.env,
            (std::vector<std::string>{dockerfile::kScratchPathEnv, "A=2", "B=$A", "C=1"}));
  EXPECT_EQ(config.config.labels.at("l"), "2");
}

TEST_F(BuildRunnerTest, MissingBaseImageNamesTheLine) {
  Result<BuildResult> r = Build("FROM nothere\nRUN true\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Dockerfile:1"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(fake_->calls(), 0);
}

// dockerfile2llb's commit messages: %q of the final argv for CMD and
// ENTRYPOINT, %v for lists, Go's map printing for EXPOSE; no entry for ONBUILD.
TEST_F(BuildRunnerTest, MetadataHistoryAsBuildKitWritesIt) {
  Result<BuildResult> r = Build(
      "FROM scratch\n"
      "ARG V=1\n"
      "ENV PORT=80 NAME=\"a b\"\n"
      "LABEL team=web\n"
      "EXPOSE 8080 $PORT/udp 443\n"
      "WORKDIR app\n"
      "USER nobody\n"
      "VOLUME /data /logs\n"
      "SHELL [\"/bin/bash\", \"-c\"]\n"
      "STOPSIGNAL SIGQUIT\n"
      "ONBUILD RUN make\n"
      "ENTRYPOINT [\"nginx\", \"-g\", \"daemon off;\"]\n"
      "CMD echo $NAME\n");
  ASSERT_OK(r);
  std::vector<std::string> got;
  for (const auto& h : ConfigOf(*r).history) got.push_back(h.created_by);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "ARG V=1",
                     "ENV PORT=80 NAME=a b",
                     "LABEL team=web",
                     "EXPOSE map[443/tcp:{} 80/udp:{} 8080/tcp:{}]",  // $PORT expanded
                     "WORKDIR /app",
                     "USER nobody",
                     "VOLUME [/data /logs]",
                     "SHELL [/bin/bash -c]",
                     "STOPSIGNAL SIGQUIT",
                     "ENTRYPOINT [\"nginx\" \"-g\" \"daemon off;\"]",
                     "CMD [\"/bin/bash\" \"-c\" \"echo $NAME\"]",
                 }));
  Result<BuildResult> plain = Build("FROM scratch\nEXPOSE 8080 53/udp 443\n");
  ASSERT_OK(plain);
  EXPECT_EQ(ConfigOf(*plain).history.at(0).created_by, "EXPOSE map[443/tcp:{} 53/udp:{} 8080/tcp:{}]");
}

TEST_F(BuildRunnerTest, MissingCopySourceSaysTheLineOnce) {
  Result<BuildResult> r = Build("FROM scratch\nCOPY nothere /x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Dockerfile:2: failed to compute cache key of COPY nothere /x: \"/nothere\": not found");
}

TEST_F(BuildRunnerTest, SourceDateEpochSetsCreated) {
  BuildOptions options;
  options.source_date_epoch = 86400;
  Result<BuildResult> r = Build(kApp, options);
  ASSERT_OK(r);
  EXPECT_EQ(ConfigOf(*r).created, "1970-01-02T00:00:00Z");
  EXPECT_EQ(r->image.created_unix_nanos, 86400LL * 1'000'000'000);
}

}  // namespace
}  // namespace strata::coordinator

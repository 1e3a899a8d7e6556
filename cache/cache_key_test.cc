#include "cache/cache_key.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "cache/test_util.h"

namespace strata::cache {
namespace {

namespace fs = std::filesystem;

const Digest kBase = Digest::Sha256Of("base manifest");

CacheKeyBuilder RunStep() {
  CacheKeyBuilder b(kBase, "RUN");
  b.List("cmd", {"/bin/sh", "-c", "make"})
      .Map("env", {{"PATH", "/usr/bin"}, {"CC", "gcc"}})
      .String("user", "root")
      .String("workdir", "/src")
      .String("network", "default")
      .List("mounts", {});
  return b;
}

TEST(CacheKeyTest, MatchesTheDesignFormula) {
  CacheKeyBuilder b(kBase, "ENV");
  // No arguments, no inputs: sha256("strata-cache-v1" 0 parent 0 kind 0 "" 0 "").
  std::string preimage =
      std::string("strata-cache-v1") + '\0' + kBase.ToString() + '\0' + "ENV" + '\0' + '\0';
  EXPECT_EQ(b.PreimageBytes(), preimage);
  EXPECT_EQ(b.Build(), Digest::Sha256Of(preimage));
}

TEST(CacheKeyTest, SameStepSameKey) { EXPECT_EQ(RunStep().Build(), RunStep().Build()); }

TEST(CacheKeyTest, EnvIsSortedAndLastValueWins) {
  CacheKeyBuilder a(kBase, "RUN");
  a.Map("env", {{"A", "1"}, {"B", "2"}});
  CacheKeyBuilder b(kBase, "RUN");
  b.Map("env", {{"B", "2"}, {"A", "0"}, {"A", "1"}});
  EXPECT_EQ(a.Build(), b.Build());
}

TEST(CacheKeyTest, FieldOrderOfTheCallsDoesNotMatter) {
  CacheKeyBuilder a(kBase, "COPY");
  a.String("dest", "/app").String("chown", "1000:1000");
  CacheKeyBuilder b(kBase, "COPY");
  b.String("chown", "1000:1000").String("dest", "/app");
  EXPECT_EQ(a.Build(), b.Build());
}

TEST(CacheKeyTest, AnyFieldChangeChangesTheKey) {
  std::set<Digest> keys;
  keys.insert(RunStep().Build());
  keys.insert(CacheKeyBuilder(RunStep()).List("cmd", {"/bin/sh", "-c", "make all"}).Build());
  keys.insert(CacheKeyBuilder(RunStep()).List("cmd", {"/bin/sh", "-c make"}).Build());
  keys.insert(CacheKeyBuilder(RunStep()).Map("env", {{"PATH", "/usr/bin"}}).Build());
  keys.insert(
      CacheKeyBuilder(RunStep()).Map("env", {{"PATH", "/usr/bin"}, {"CC", "clang"}}).Build());
  keys.insert(CacheKeyBuilder(RunStep()).String("user", "1000").Build());
  keys.insert(CacheKeyBuilder(RunStep()).String("workdir", "/").Build());
  keys.insert(CacheKeyBuilder(RunStep()).String("network", "none").Build());
  keys.insert(
      CacheKeyBuilder(RunStep()).List("mounts", {"type=cache,target=/root/.cache"}).Build());
  keys.insert(CacheKeyBuilder(RunStep()).Bool("privileged", true).Build());
  keys.insert(CacheKeyBuilder(RunStep()).Inputs(Digest::Sha256Of("inputs")).Build());
  CacheKeyBuilder other_parent(Digest::Sha256Of("other"), "RUN");
  keys.insert(other_parent.Build());
  keys.insert(CacheKeyBuilder(kBase, "RUN").Build());
  keys.insert(CacheKeyBuilder(kBase, "CMD").Build());
  EXPECT_EQ(keys.size(), 14u);
}

TEST(CacheKeyTest, FieldsAreDelimitedAndTyped) {
  // Moving bytes between adjacent fields or names must not collide.
  CacheKeyBuilder a(kBase, "RUN");
  a.String("a", "bc");
  CacheKeyBuilder b(kBase, "RUN");
  b.String("ab", "c");
  EXPECT_NE(a.Build(), b.Build());
  CacheKeyBuilder list(kBase, "RUN");
  list.List("x", {"a", "b"});
  CacheKeyBuilder joined(kBase, "RUN");
  joined.List("x", {"ab"});
  EXPECT_NE(list.Build(), joined.Build());
  CacheKeyBuilder str(kBase, "RUN");
  str.String("x", "true");
  CacheKeyBuilder boolean(kBase, "RUN");
  boolean.Bool("x", true);
  EXPECT_NE(str.Build(), boolean.Build());
  CacheKeyBuilder map(kBase, "RUN");
  map.Map("x", {{"a", "b"}});
  CacheKeyBuilder pairs(kBase, "RUN");
  pairs.List("x", {"a", "b"});
  EXPECT_NE(map.Build(), pairs.Build());
}

TEST(CacheKeyTest, PreimageShowsEverythingHashed) {
  CacheKeyBuilder b = RunStep();
  b.Inputs(Digest::Sha256Of("in")).String("odd", "line\nbreak \"q\" \x01");
  std::string p = b.Preimage();
  EXPECT_NE(p.find("parent: " + kBase.ToString()), std::string::npos) << p;
  EXPECT_NE(p.find("kind: RUN"), std::string::npos) << p;
  EXPECT_NE(p.find("arg env = {\"CC\": \"gcc\", \"PATH\": \"/usr/bin\"}"), std::string::npos) << p;
  EXPECT_NE(p.find("arg cmd = [\"/bin/sh\", \"-c\", \"make\"]"), std::string::npos) << p;
  EXPECT_NE(p.find("arg odd = \"line\\nbreak \\\"q\\\" \\x01\""), std::string::npos) << p;
  EXPECT_NE(p.find("inputs: " + Digest::Sha256Of("in").ToString()), std::string::npos) << p;
  EXPECT_NE(p.find("key: " + b.Build().ToString()), std::string::npos) << p;
}

TEST(CacheKeyTest, CopyIgnoresMtime) {
  TempDir dir;
  fs::create_directories(dir.path() + "/ctx");
  std::ofstream(dir.path() + "/ctx/app.py") << "print('hi')\n";
  auto key = [&] {
    auto inputs = ScanContextInputs(dir.path() + "/ctx", {"app.py"});
    EXPECT_OK(inputs);
    CacheKeyBuilder b(kBase, "COPY");
    b.String("dest", "/app/").String("chown", "").String("chmod", "").Bool("link", false);
    b.Inputs(ContextInputsDigest(inputs.value_or({})));
    return b.Build();
  };
  Digest first = key();
  fs::last_write_time(dir.path() + "/ctx/app.py",
                      fs::file_time_type::clock::now() + std::chrono::hours(3));
  EXPECT_EQ(key(), first);
  std::ofstream(dir.path() + "/ctx/app.py", std::ios::trunc) << "print('bye')\n";
  EXPECT_NE(key(), first);
}

}  // namespace
}  // namespace strata::cache

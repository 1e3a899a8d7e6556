#include "coordinator/context_links.h"

#include <gtest/gtest.h>

#include "coordinator/manifest_context.h"

namespace strata::coordinator {
namespace {

cache::InputEntry File(const std::string& path) {
  cache::InputEntry e;
  e.path = path;
  e.mode = 0644;
  e.size = path.size();
  e.content = Digest::Sha256Of(path);
  return e;
}

cache::InputEntry Dir(const std::string& path) {
  cache::InputEntry e;
  e.path = path;
  e.type = cache::InputType::kDirectory;
  e.mode = 0755;
  return e;
}

cache::InputEntry Link(const std::string& path, const std::string& target) {
  cache::InputEntry e;
  e.path = path;
  e.type = cache::InputType::kSymlink;
  e.mode = 0777;
  e.link_target = target;
  return e;
}

using V = std::vector<std::string>;

V Paths(const Result<std::vector<cache::InputEntry>>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  V out;
  if (r.ok()) {
    for (const auto& e : *r) out.push_back(e.path);
  }
  return out;
}

// A COPY source that is a symlink is followed (BuildKit's FollowLinks): the
// worker materializes the link and its target, so both are selected.
class ContextLinksTest : public ::testing::Test {
 protected:
  ManifestContext context_{{File("a.txt"), Link("link", "a.txt"), Dir("real"), File("real/f"),
                            Dir("real/sub"), File("real/sub/g"), Link("ln", "real"),
                            Link("abs", "/real/f"), Link("up", "../../a.txt"),
                            Link("chain", "ln/sub"), Link("cycle", "cycle"), Dir("d"),
                            Link("d/inner", "../a.txt"), Link("dangling", "nope")}};
};

TEST_F(ContextLinksTest, NamedSymlinkSelectsItsTarget) {
  EXPECT_EQ(Paths(context_.Select({"link"}, {})), (V{"a.txt", "link"}));
  EXPECT_EQ(Paths(context_.Select({"abs"}, {})), (V{"abs", "real/f"}));
  // ".." stops at the context root, as in the worker's materialized copy.
  EXPECT_EQ(Paths(context_.Select({"up"}, {})), (V{"a.txt", "up"}));
}

TEST_F(ContextLinksTest, SymlinkToADirectorySelectsTheTree) {
  EXPECT_EQ(Paths(context_.Select({"ln"}, {})), (V{"ln", "real", "real/f", "real/sub",
                                                   "real/sub/g"}));
  EXPECT_EQ(Paths(context_.Select({"chain"}, {})), (V{"chain", "ln", "real/sub", "real/sub/g"}));
}

TEST_F(ContextLinksTest, SymlinksInTheSourcesDirectoriesAreFollowed) {
  EXPECT_EQ(Paths(context_.Select({"ln/f"}, {})), (V{"ln", "real/f"}));
  EXPECT_EQ(Paths(context_.Select({"ln/*"}, {})), (V{"ln", "real/f", "real/sub", "real/sub/g"}));
  EXPECT_EQ(Paths(context_.Select({"l?"}, {})), (V{"ln", "real", "real/f", "real/sub",
                                                   "real/sub/g"}));
}

TEST_F(ContextLinksTest, SymlinksInsideACopiedDirectoryStayLinks) {
  EXPECT_EQ(Paths(context_.Select({"d"}, {})), (V{"d", "d/inner"}));
}

TEST_F(ContextLinksTest, DanglingAndLoopingLinks) {
  auto dangling = context_.Select({"dangling"}, {});
  EXPECT_EQ(dangling.status().code(), StatusCode::kNotFound) << dangling.status().ToString();
  auto cycle = context_.Select({"cycle"}, {});
  EXPECT_EQ(cycle.status().code(), StatusCode::kInvalidArgument) << cycle.status().ToString();
}

TEST(FollowContextLinksTest, LastComponentOnlyWhenAsked) {
  std::vector<cache::InputEntry> entries = {Link("a", "b"), Dir("b")};
  std::vector<size_t> links;
  EXPECT_EQ(FollowContextLinks(entries, "a", false, &links).value_or("?"), "a");
  EXPECT_TRUE(links.empty());
  EXPECT_EQ(FollowContextLinks(entries, "a", true, &links).value_or("?"), "b");
  EXPECT_EQ(links, (std::vector<size_t>{0}));
  EXPECT_EQ(FollowPatternLinks(entries, "a/*.c", &links).value_or("?"), "b/*.c");
  EXPECT_EQ(FollowPatternLinks(entries, "*.c", &links).value_or("?"), "*.c");
}

// The manifest's xattrs and hard link groups reach the worker's CopySpec.
TEST(ManifestEntryExtrasTest, XattrsAndHardlinkGroupsRoundTrip) {
  v1::SubmitBuild submit;
  v1::ContextEntry* in = submit.add_context();
  in->set_path("bin/tool");
  in->set_type(v1::ContextEntry::TYPE_REGULAR);
  in->set_mode(0755);
  in->set_size(1);
  in->set_sha256(Digest::Sha256Of("x").ToString());
  (*in->mutable_xattrs())["security.capability"] = std::string("\x01\0", 2);
  in->set_hardlink_group("bin/tool");
  Result<std::vector<cache::InputEntry>> entries = EntriesFromManifest(submit);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].xattrs.at("security.capability"), std::string("\x01\0", 2));
  EXPECT_EQ((*entries)[0].hardlink_group, "bin/tool");
  v1::ContextEntry out = ToContextEntry((*entries)[0]);
  EXPECT_EQ(out.xattrs().at("security.capability"), std::string("\x01\0", 2));
  EXPECT_EQ(out.hardlink_group(), "bin/tool");
}

}  // namespace
}  // namespace strata::coordinator

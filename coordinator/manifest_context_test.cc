#include "coordinator/manifest_context.h"

#include <gtest/gtest.h>

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

std::vector<std::string> Paths(const Result<std::vector<cache::InputEntry>>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> out;
  if (r.ok()) {
    for (const auto& e : *r) out.push_back(e.path);
  }
  return out;
}

class ManifestContextTest : public ::testing::Test {
 protected:
  ManifestContext context_{{File("a"), Dir("src"), File("src/main.go"), File("src/util.go"),
                            File("src/README.md"), Dir("src/sub"), File("src/sub/x.go"),
                            File("src-old"), File("src.txt"), File("b.txt")}};
  using V = std::vector<std::string>;
};

TEST_F(ManifestContextTest, PlainFile) { EXPECT_EQ(Paths(context_.Select({"a"}, {})), V{"a"}); }

TEST_F(ManifestContextTest, LeadingSlashAndDotSlashAreIgnored) {
  EXPECT_EQ(Paths(context_.Select({"/a"}, {})), V{"a"});
  EXPECT_EQ(Paths(context_.Select({"./a"}, {})), V{"a"});
  EXPECT_EQ(Paths(context_.Select({"/../a"}, {})), V{"a"});
}

TEST_F(ManifestContextTest, DirectorySelectsItselfAndEverythingBelow) {
  EXPECT_EQ(Paths(context_.Select({"src"}, {})),
            (V{"src", "src/README.md", "src/main.go", "src/sub", "src/sub/x.go", "src/util.go"}));
  EXPECT_EQ(Paths(context_.Select({"src/"}, {})).size(), 6u);
}

TEST_F(ManifestContextTest, DotIsTheWholeContext) {
  EXPECT_EQ(Paths(context_.Select({"."}, {})).size(), 10u);
  EXPECT_EQ(Paths(context_.Select({"/"}, {})).size(), 10u);
}

TEST_F(ManifestContextTest, WildcardsMatchEachPath) {
  EXPECT_EQ(Paths(context_.Select({"src/*.go"}, {})), (V{"src/main.go", "src/util.go"}));
  EXPECT_EQ(Paths(context_.Select({"*.txt"}, {})), (V{"b.txt", "src.txt"}));
  // A matched directory brings what is below it.
  EXPECT_EQ(Paths(context_.Select({"src/s?b"}, {})), (V{"src/sub", "src/sub/x.go"}));
}

TEST_F(ManifestContextTest, SeveralPatternsAreMergedSortedAndOnce) {
  EXPECT_EQ(Paths(context_.Select({"b.txt", "a", "*.txt"}, {})), (V{"a", "b.txt", "src.txt"}));
}

// BuildKit matches --exclude against the path relative to each source:
// `COPY --exclude=storage/views app/ app/` leaves out app/storage/views.
TEST_F(ManifestContextTest, ExcludesAreRelativeToEachSource) {
  EXPECT_EQ(Paths(context_.Select({"src"}, {"*.md", "sub"})),
            (V{"src", "src/main.go", "src/util.go"}));
  // Matched from the context root, as before, they exclude nothing.
  EXPECT_EQ(Paths(context_.Select({"src"}, {"src/*.md", "src/sub"})),
            (V{"src", "src/README.md", "src/main.go", "src/sub", "src/sub/x.go", "src/util.go"}));
  // For "." the source is the root; a pattern without '/' matches at the top only.
  EXPECT_EQ(Paths(context_.Select({"."}, {"src/*.md", "*.go", "src/sub/"})),
            (V{"a", "b.txt", "src", "src-old", "src.txt", "src/main.go", "src/util.go"}));
  // Each match of a wildcard is a source of its own: it is never excluded itself.
  EXPECT_EQ(Paths(context_.Select({"src/s*"}, {"s*", "x.go"})), (V{"src/sub"}));
  // .dockerignore syntax: "**" and exceptions.
  EXPECT_EQ(Paths(context_.Select({"src"}, {"**/*.go", "!sub/x.go"})),
            (V{"src", "src/README.md", "src/sub", "src/sub/x.go"}));
  EXPECT_EQ(context_.Select({"src"}, {"[a"}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ManifestContextTest, AppStorageViewsIsExcludedBelowApp) {
  ManifestContext app({Dir("app"), File("app/index.php"), Dir("app/storage"),
                       Dir("app/storage/views"), File("app/storage/views/v.php"),
                       File("app/storage/log")});
  EXPECT_EQ(Paths(app.Select({"app/"}, {"storage/views"})),
            (V{"app", "app/index.php", "app/storage", "app/storage/log"}));
}

// COPY --parents copies from the pivot (or the root): its --exclude patterns
// are relative to that, not to each match.
TEST_F(ManifestContextTest, ParentsExcludesAreRelativeToThePivot) {
  ManifestContext tree({Dir("x"), Dir("x/y"), File("x/y/a.go"), File("x/y/a.md"), Dir("x/y/z"),
                        File("x/y/z/b.go")});
  EXPECT_EQ(Paths(SelectCopyInputs(&tree, {"x/./y"}, {"y/z"}, /*parents=*/true)),
            (V{"x/y", "x/y/a.go", "x/y/a.md"}));
  EXPECT_EQ(Paths(SelectCopyInputs(&tree, {"x/y"}, {"x/y/*.md"}, /*parents=*/true)),
            (V{"x/y", "x/y/a.go", "x/y/z", "x/y/z/b.go"}));
  // Without --parents they are relative to the source itself.
  EXPECT_EQ(Paths(SelectCopyInputs(&tree, {"x/y"}, {"*.md"}, /*parents=*/false)),
            (V{"x/y", "x/y/a.go", "x/y/z", "x/y/z/b.go"}));
  EXPECT_EQ(SelectCopyInputs(&tree, {"x/./nope"}, {"a"}, true).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ManifestContextTest, MissingPathIsNotFoundInBuildKitWords) {
  auto r = context_.Select({"nope"}, {});
  ASSERT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(
      r.status().message(),
      "failed to compute cache key: failed to calculate checksum of ref: \"/nope\": not found");
  // A name that only shares a prefix with an entry is not a match.
  EXPECT_EQ(context_.Select({"sr"}, {}).status().code(), StatusCode::kNotFound);
  // Also beside sources that match.
  EXPECT_EQ(context_.Select({"a", "nope"}, {}).status().code(), StatusCode::kNotFound);
}

// BuildKit's AllowEmptyWildcard: `COPY a.txt nomatch* /d/` copies a.txt.
TEST_F(ManifestContextTest, WildcardMatchingNothingIsNotAnError) {
  EXPECT_EQ(Paths(context_.Select({"a", "nomatch*"}, {})), V{"a"});
  EXPECT_EQ(Paths(context_.Select({"*.none"}, {})), V{});
}

// A .dockerignore that leaves nothing still lets `COPY . .` run.
TEST_F(ManifestContextTest, EmptyContextStillHasItsRoot) {
  ManifestContext empty({});
  EXPECT_EQ(Paths(empty.Select({"."}, {})), V{});
  EXPECT_EQ(Paths(empty.Select({"/"}, {})), V{});
  EXPECT_EQ(empty.Select({"a"}, {}).status().code(), StatusCode::kNotFound);
}

// `n\?pe` names only the file `n?pe`; `n?pe` matches both.
TEST_F(ManifestContextTest, BackslashEscapesAWildcardCharacter) {
  ManifestContext odd({File("n?pe"), File("nope"), File("st*uv"), File("stxuv"), File("a[1]")});
  EXPECT_EQ(Paths(odd.Select({"n\\?pe"}, {})), V{"n?pe"});
  EXPECT_EQ(Paths(odd.Select({"n?pe"}, {})), (V{"n?pe", "nope"}));
  EXPECT_EQ(Paths(odd.Select({"st\\*uv"}, {})), V{"st*uv"});
  EXPECT_EQ(Paths(odd.Select({"a\\[1]"}, {})), V{"a[1]"});
  EXPECT_EQ(Paths(odd.Select({"s\\t*"}, {})), (V{"st*uv", "stxuv"}));
  EXPECT_EQ(odd.Select({"n\\?p"}, {}).status().code(), StatusCode::kNotFound);
}

TEST_F(ManifestContextTest, PathLeavingTheContextIsForbidden) {
  auto r = context_.Select({"../x"}, {});
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "forbidden path outside the build context: ../x");
  EXPECT_EQ(context_.Select({"src/../../x"}, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ManifestContextTest, MalformedWildcardIsInvalid) {
  EXPECT_EQ(context_.Select({"src/[a"}, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ManifestContextTest, FilesWithoutDirectoryEntriesStillSelectedByTheirDirectory) {
  ManifestContext bare({File("lib/a.c"), File("lib/b.c")});
  EXPECT_EQ(Paths(bare.Select({"lib"}, {})), (V{"lib/a.c", "lib/b.c"}));
}

TEST(ManifestTest, EntriesFromManifestCleansAndChecks) {
  v1::SubmitBuild request;
  auto* e = request.add_context();
  e->set_path("./dir//f");
  e->set_type(v1::ContextEntry::TYPE_REGULAR);
  e->set_mode(0100644);
  e->set_size(3);
  e->set_sha256(Digest::Sha256Of("abc").ToString());
  auto entries = EntriesFromManifest(request);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].path, "dir/f");
  EXPECT_EQ((*entries)[0].mode, 0644u);
  EXPECT_EQ(ToContextEntry((*entries)[0]).sha256(), Digest::Sha256Of("abc").ToString());

  e->set_sha256("md5:xyz");
  EXPECT_EQ(EntriesFromManifest(request).status().code(), StatusCode::kInvalidArgument);
  e->set_sha256(Digest::Sha256Of("abc").ToString());
  e->set_path("../up");
  EXPECT_EQ(EntriesFromManifest(request).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::coordinator

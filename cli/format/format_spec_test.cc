#include "cli/format/format_spec.h"

#include <gtest/gtest.h>

namespace strata::format {
namespace {

std::vector<Json> Images() {
  return {
      Json::parse(
          R"({"ID":"sha256:1111","Repository":"busybox","Tag":"latest","Size":4261550,"CreatedSince":"2 weeks ago"})"),
      Json::parse(
          R"({"ID":"sha256:2222","Repository":"registry.local/app","Tag":"v1.2.3","Size":10,"CreatedSince":"3 days ago"})")};
}

std::string Render(std::string_view format, const FormatSpec::Headers& headers = {},
                   std::string_view default_table = "") {
  Result<FormatSpec> spec = FormatSpec::Parse(format, default_table);
  if (!spec.ok()) return "PARSE ERROR: " + spec.status().message();
  Result<std::string> out = spec->Render(Images(), headers);
  if (!out.ok()) return "RENDER ERROR: " + out.status().message();
  return *out;
}

TEST(FormatSpecTest, PlainTemplateOneLinePerItem) {
  EXPECT_EQ(Render("{{.Repository}}:{{.Tag}}"), "busybox:latest\nregistry.local/app:v1.2.3\n");
  Result<FormatSpec> spec = FormatSpec::Parse("{{.ID}}");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->kind(), FormatSpec::Kind::kTemplate);
}

TEST(FormatSpecTest, JsonShorthand) {
  Result<FormatSpec> spec = FormatSpec::Parse("json");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->kind(), FormatSpec::Kind::kJson);
  Result<std::string> out = spec->Render({Json::parse(R"({"b":1,"a":"<x>"})"), Json("s")});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "{\"b\":1,\"a\":\"<x>\"}\n\"s\"\n");
}

TEST(FormatSpecTest, TableWithDerivedHeaders) {
  EXPECT_EQ(Render("table {{.Repository}}\\t{{.Tag}}\\t{{.CreatedSince}}"),
            "REPOSITORY           TAG       CREATED SINCE\n"
            "busybox              latest    2 weeks ago\n"
            "registry.local/app   v1.2.3    3 days ago\n");
}

TEST(FormatSpecTest, TableWithGivenHeadersAndFunctions) {
  FormatSpec::Headers headers = {{"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}};
  EXPECT_EQ(Render("table {{truncate .ID 11}}\t{{lower .CreatedSince}}", headers),
            "IMAGE ID      CREATED\n"
            "sha256:1111   2 weeks ago\n"
            "sha256:2222   3 days ago\n");
}

TEST(FormatSpecTest, TableHeaderWithNestedField) {
  Result<FormatSpec> spec = FormatSpec::Parse("table {{.Config.User}}\t{{.Os}}");
  ASSERT_TRUE(spec.ok());
  Result<std::string> out =
      spec->Render({Json::parse(R"({"Config":{"User":"root"},"Os":"linux"})")});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "USER      OS\nroot      linux\n");
}

TEST(FormatSpecTest, EmptyTableStillHasHeader) {
  Result<FormatSpec> spec = FormatSpec::Parse("table {{.ID}}\t{{.Tag}}");
  ASSERT_TRUE(spec.ok());
  Result<std::string> out = spec->Render({});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "ID        TAG\n");
}

TEST(FormatSpecTest, BareTableUsesDefault) {
  EXPECT_EQ(Render("table", {}, "{{.Repository}}\t{{.Tag}}"),
            "REPOSITORY           TAG\n"
            "busybox              latest\n"
            "registry.local/app   v1.2.3\n");
}

TEST(FormatSpecTest, EscapesAndSpacesLikeDocker) {
  EXPECT_EQ(Render("  {{.Tag}}\\n"), "latest\n\nv1.2.3\n\n");
}

TEST(FormatSpecTest, HeaderTitles) {
  EXPECT_EQ(FormatSpec::HeaderTitle({"CreatedSince"}, {}), "CREATED SINCE");
  EXPECT_EQ(FormatSpec::HeaderTitle({"ID"}, {}), "ID");
  EXPECT_EQ(FormatSpec::HeaderTitle({"HTTPProxy"}, {}), "HTTP PROXY");
  EXPECT_EQ(FormatSpec::HeaderTitle({"Config", "User"}, {{"Config.User", "USER NAME"}}),
            "USER NAME");
}

TEST(FormatSpecTest, ErrorsSayTemplateParsingError) {
  Result<FormatSpec> bad = FormatSpec::Parse("{{.ID");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "template parsing error: template: :1: unclosed action");
  Result<FormatSpec> spec = FormatSpec::Parse("{{.ID.X}}");
  ASSERT_TRUE(spec.ok());
  Result<std::string> out = spec->Render(Images());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "template parsing error: template: :1:2: executing \"\" at <.ID.X>: can't evaluate "
            "field X in type string");
}

}  // namespace
}  // namespace strata::format

#include <gtest/gtest.h>

#include "cli/format/template.h"
#include "cli/format/template_test_util.h"

namespace strata::format {
namespace {

Json Image() {
  return Json::parse(R"({
    "Id": "sha256:abc123",
    "RepoTags": ["a:1", "b:2"],
    "Os": "Linux",
    "Size": 42,
    "Config": {
      "Labels": {"k": "v", "com.example.vendor": "ACME <&>"},
      "Env": ["PATH=/usr/bin", "HOME=/root"],
      "Cmd": null
    }
  })");
}

std::string Render(std::string_view text, const Json& data = Image()) {
  return RenderOrError(text, data);
}

TEST(TemplateFunctionsTest, JsonIsCompactAndNotHtmlEscaped) {
  EXPECT_EQ(
      Render("{{json .Config}}"),
      R"({"Labels":{"k":"v","com.example.vendor":"ACME <&>"},"Env":["PATH=/usr/bin","HOME=/root"],"Cmd":null})");
  EXPECT_EQ(Render("{{json .Os}}"), "\"Linux\"");
  EXPECT_EQ(Render("{{json .Size}}"), "42");
  EXPECT_EQ(Render("{{json .Missing}}"), "null");
  EXPECT_EQ(Render("{{json .}}", Json::parse(R"({"f":1.5,"big":1e21,"tiny":1e-7,"n":-3})")),
            R"({"f":1.5,"big":1e+21,"tiny":1e-7,"n":-3})");
  EXPECT_EQ(Render("{{json .}}", Json("tab\there \"q\" \\ \x01 \u2028")),
            "\"tab\\there \\\"q\\\" \\\\ \\u0001 \\u2028\"");
}

TEST(TemplateFunctionsTest, Index) {
  EXPECT_EQ(Render("{{index .Config.Labels \"k\"}}"), "v");
  EXPECT_EQ(Render("{{index .Config.Labels \"com.example.vendor\"}}"), "ACME <&>");
  EXPECT_EQ(Render("{{index .Config.Labels \"absent\"}}"), "");  // zero value of map[string]string
  EXPECT_EQ(Render("{{index .Config.Cmd \"absent\"}}"), "");     // nil map
  EXPECT_EQ(Render("{{index .RepoTags 1}}"), "b:2");
  EXPECT_EQ(Render("{{index . \"Config\" \"Env\" 0}}"), "PATH=/usr/bin");
  EXPECT_EQ(Render("{{index .Os 0}}"), "76");  // a byte, as Go indexes strings
}

TEST(TemplateFunctionsTest, Slice) {
  EXPECT_EQ(Render("{{slice .Id 0 6}}"), "sha256");
  EXPECT_EQ(Render("{{slice .Id 7}}"), "abc123");
  EXPECT_EQ(Render("{{slice .RepoTags 1 2}}"), "[b:2]");
}

TEST(TemplateFunctionsTest, Len) {
  EXPECT_EQ(Render("{{len .RepoTags}}"), "2");
  EXPECT_EQ(Render("{{len .Config.Labels}}"), "2");
  EXPECT_EQ(Render("{{len .Os}}"), "5");
}

TEST(TemplateFunctionsTest, Comparisons) {
  EXPECT_EQ(Render("{{eq .Os \"Linux\"}} {{eq .Os \"x\" \"Linux\"}} {{ne .Os \"Linux\"}}"),
            "true true false");
  EXPECT_EQ(Render("{{eq .Size 42}} {{eq .Size 42.0}} {{lt .Size 50}} {{le .Size 42}}"),
            "true true true true");
  EXPECT_EQ(Render("{{gt .Size 50}} {{ge .Size 43}} {{lt \"a\" \"b\"}} {{gt 1.5 1}}"),
            "false false true true");
  EXPECT_EQ(Render("{{eq .Missing nil}} {{eq .Config.Cmd nil}}"), "true true");
  EXPECT_EQ(Render("{{if and (gt .Size 10) (eq .Os \"Linux\")}}ok{{end}}"), "ok");
}

TEST(TemplateFunctionsTest, PrintFamily) {
  EXPECT_EQ(Render("{{println .Os}}"), "Linux\n");
  EXPECT_EQ(Render("{{print .Os .Size}}"), "Linux42");
  EXPECT_EQ(Render("{{print 1 2 \"x\" 3}}"), "1 2x3");
  EXPECT_EQ(Render("{{println .Os .Size .RepoTags}}"), "Linux 42 [a:1 b:2]\n");
  EXPECT_EQ(Render("{{printf \"%s-%d\" .Os 3}}"), "Linux-3");
  EXPECT_EQ(Render("{{printf \"%v|%q|%t|%x\" .RepoTags .Os true 255}}"),
            "[a:1 b:2]|\"Linux\"|true|ff");
  EXPECT_EQ(Render("{{printf \"%-8s|%8s|%05d\" .Os .Os .Size}}"), "Linux   |   Linux|00042");
}

TEST(TemplateFunctionsTest, JoinSplit) {
  EXPECT_EQ(Render("{{join .RepoTags \",\"}}"), "a:1,b:2");
  EXPECT_EQ(Render("{{join .Config.Cmd \",\"}}"), "");
  EXPECT_EQ(Render("{{split .Id \":\"}}"), "[sha256 abc123]");
  EXPECT_EQ(Render("{{index (split .Id \":\") 1}}"), "abc123");
  EXPECT_EQ(Render("{{split \"héj\" \"\"}}"), "[h é j]");
  EXPECT_EQ(Render("{{range split (index .Config.Env 0) \"=\"}}<{{.}}>{{end}}"),
            "<PATH></usr/bin>");
  EXPECT_EQ(Render("{{join (split \"a b c\" \" \") \"+\"}}"), "a+b+c");
}

TEST(TemplateFunctionsTest, CaseFunctions) {
  EXPECT_EQ(Render("{{lower .Os}}"), "linux");
  EXPECT_EQ(Render("{{upper .Os}}"), "LINUX");
  EXPECT_EQ(Render("{{title \"hello wide-world foo_bar\"}}"), "Hello Wide-World Foo_bar");
}

TEST(TemplateFunctionsTest, PadAndTruncate) {
  EXPECT_EQ(Render("[{{pad .Os 2 3}}]"), "[  Linux   ]");
  EXPECT_EQ(Render("[{{pad \"\" 2 3}}]"), "[]");
  EXPECT_EQ(Render("{{truncate .Id 6}}"), "sha256");
  EXPECT_EQ(Render("{{truncate .Os 10}}"), "Linux");
}

TEST(TemplateFunctionsTest, HugePaddingIsAnErrorNotAnAllocation) {
  // Used to abort the process with std::bad_alloc.
  EXPECT_NE(Render("{{pad .Id 100000000000 0}}").find("padding larger than 1000000"),
            std::string::npos);
  EXPECT_NE(Render("{{pad .Id 0 100000000000}}").find("padding larger than"), std::string::npos);
}

}  // namespace
}  // namespace strata::format

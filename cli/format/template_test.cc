#include "cli/format/template.h"
#include "cli/format/template_test_util.h"

#include <gtest/gtest.h>

namespace strata::format {
namespace {

// An `image inspect`-shaped document.
Json Image() {
  return Json::parse(R"({
    "Id": "sha256:abc123",
    "RepoTags": ["a:1", "b:2"],
    "Os": "Linux",
    "Architecture": "amd64",
    "Size": 1000000,
    "Ratio": 1000000.0,
    "Config": {
      "Cmd": ["sh", "-c", "echo hi"],
      "Entrypoint": null,
      "Env": [],
      "Labels": {"b": "2", "a": "1"},
      "User": ""
    },
    "RootFS": {"Type": "layers", "Layers": ["sha256:l1", "sha256:l2"]}
  })");
}

std::string Render(std::string_view text, const Json& data = Image()) {
  return RenderOrError(text, data);
}

TEST(TemplateTest, PlainTextPassesThrough) {
  EXPECT_EQ(Render("hello world"), "hello world");
  EXPECT_EQ(Render(""), "");
}

TEST(TemplateTest, FieldPaths) {
  EXPECT_EQ(Render("{{.Id}}"), "sha256:abc123");
  EXPECT_EQ(Render("{{.RootFS.Type}}"), "layers");
  EXPECT_EQ(Render("id={{.Id}} os={{.Os}}"), "id=sha256:abc123 os=Linux");
}

TEST(TemplateTest, MissingKeyPrintsNoValue) {
  EXPECT_EQ(Render("{{.Nope}}"), "<no value>");
  EXPECT_EQ(Render("{{.Nope.Deeper}}"), "<no value>");
  EXPECT_EQ(Render("{{.Config.Entrypoint.X}}"), "<no value>");  // field of null
}

TEST(TemplateTest, GoPrintingOfValues) {
  EXPECT_EQ(Render("{{.RepoTags}}"), "[a:1 b:2]");
  EXPECT_EQ(Render("{{.Config.Labels}}"), "map[a:1 b:2]");
  EXPECT_EQ(Render("{{.Config.Entrypoint}}"), "<nil>");
  EXPECT_EQ(Render("{{.Config.Env}}"), "[]");
  EXPECT_EQ(Render("{{.Size}}"), "1000000");
  EXPECT_EQ(Render("{{.Ratio}}"), "1e+06");
  EXPECT_EQ(Render("{{.}}", Json::parse(R"({"b":{"y":[1,true]},"a":null})")),
            "map[a:<nil> b:map[y:[1 true]]]");
  EXPECT_EQ(Render("{{.T}} {{.F}}", Json::parse(R"({"T":true,"F":false})")), "true false");
}

TEST(TemplateTest, DotAndRootVariable) {
  EXPECT_EQ(Render("{{.}}", Json("x")), "x");
  EXPECT_EQ(Render("{{range .RepoTags}}{{$.Os}}:{{.}} {{end}}"), "Linux:a:1 Linux:b:2 ");
}

TEST(TemplateTest, Literals) {
  EXPECT_EQ(Render("{{\"quoted\\tstring\"}}"), "quoted\tstring");
  EXPECT_EQ(Render("{{`raw\\t`}}"), "raw\\t");
  EXPECT_EQ(Render("{{42}} {{-7}} {{1.5}} {{0x1F}} {{1e3}}"), "42 -7 1.5 31 1000");
  EXPECT_EQ(Render("{{true}} {{false}}"), "true false");
  EXPECT_EQ(Render("{{'a'}}"), "97");
}

TEST(TemplateTest, TrimMarkers) {
  EXPECT_EQ(Render("a  {{- .Os -}}  b"), "aLinuxb");
  EXPECT_EQ(Render("a \n {{- .Os}} \n b"), "aLinux \n b");
  EXPECT_EQ(Render("a {{.Os -}} \n\t b"), "a Linuxb");
  EXPECT_EQ(Render("{{range .RepoTags -}}\n  {{.}}\n{{- end}}"), "a:1b:2");
  // "{{-3}}" is the number -3, not a trim marker.
  EXPECT_EQ(Render("x {{-3}}"), "x -3");
}

TEST(TemplateTest, Comments) {
  EXPECT_EQ(Render("a{{/* a comment */}}b"), "ab");
  EXPECT_EQ(Render("a {{- /* trimmed */ -}} b"), "ab");
}

TEST(TemplateTest, IfElse) {
  EXPECT_EQ(Render("{{if .Config.Cmd}}yes{{else}}no{{end}}"), "yes");
  EXPECT_EQ(Render("{{if .Config.Entrypoint}}yes{{else}}no{{end}}"), "no");
  EXPECT_EQ(Render("{{if .Config.Env}}yes{{else}}no{{end}}"), "no");
  EXPECT_EQ(Render("{{if .Config.User}}yes{{else}}no{{end}}"), "no");
  EXPECT_EQ(Render("{{if .Missing}}yes{{else}}no{{end}}"), "no");
  EXPECT_EQ(Render("{{if .Size}}big{{end}}"), "big");
  EXPECT_EQ(Render("{{if 0}}t{{else}}f{{end}}{{if 0.0}}t{{else}}f{{end}}"), "ff");
  EXPECT_EQ(Render("{{if .Config.Labels}}labelled{{end}}"), "labelled");
  EXPECT_EQ(Render("{{if .Config}}{{if .Config.Cmd}}nested{{end}}{{end}}"), "nested");
  EXPECT_EQ(Render("{{if $a := .Architecture}}{{$a}}{{else}}{{$a}}?{{end}}"), "amd64");
}

TEST(TemplateTest, ElseIfChains) {
  const char* t = "{{if eq .Os \"windows\"}}W{{else if eq .Os \"Linux\"}}L{{else}}?{{end}}";
  EXPECT_EQ(Render(t), "L");
  EXPECT_EQ(Render(t, Json::parse(R"({"Os":"windows"})")), "W");
  EXPECT_EQ(Render(t, Json::parse(R"({"Os":"plan9"})")), "?");
  EXPECT_EQ(Render("{{if false}}1{{else if false}}2{{else if true}}3{{end}}"), "3");
}

TEST(TemplateTest, RangeOverArray) {
  EXPECT_EQ(Render("{{range .RepoTags}}{{.}} {{end}}"), "a:1 b:2 ");
  EXPECT_EQ(Render("{{range $i, $e := .RepoTags}}{{$i}}={{$e}};{{end}}"), "0=a:1;1=b:2;");
  EXPECT_EQ(Render("{{range $e := .RepoTags}}<{{$e}}>{{end}}"), "<a:1><b:2>");
}

TEST(TemplateTest, RangeOverMapIsSortedByKey) {
  EXPECT_EQ(Render("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}"), "a=1,b=2,");
  EXPECT_EQ(Render("{{range .Config.Labels}}{{.}}{{end}}"), "12");
}

TEST(TemplateTest, RangeElse) {
  EXPECT_EQ(Render("{{range .Config.Env}}{{.}}{{else}}empty{{end}}"), "empty");
  EXPECT_EQ(Render("{{range .Config.Entrypoint}}{{.}}{{else}}none{{end}}"), "none");
  EXPECT_EQ(Render("{{range .Missing}}{{.}}{{else}}none{{end}}"), "none");
}

TEST(TemplateTest, RangeOverIntBreakContinue) {
  EXPECT_EQ(Render("{{range 3}}{{.}}{{end}}"), "012");
  EXPECT_EQ(Render("{{range .Config.Cmd}}{{if eq . \"-c\"}}{{continue}}{{end}}{{.}};{{end}}"),
            "sh;echo hi;");
  EXPECT_EQ(Render("{{range .Config.Cmd}}{{if eq . \"-c\"}}{{break}}{{end}}{{.}};{{end}}"), "sh;");
}

TEST(TemplateTest, NestedRangeWithVariables) {
  Json data =
      Json::parse(R"({"Groups":[{"Name":"g1","Items":["x","y"]},{"Name":"g2","Items":["z"]}]})");
  EXPECT_EQ(Render("{{range $g := .Groups}}{{range $i, $it := .Items}}{{$g.Name}}.{{$i}}={{$it}} "
                   "{{end}}{{end}}",
                   data),
            "g1.0=x g1.1=y g2.0=z ");
}

TEST(TemplateTest, With) {
  EXPECT_EQ(Render("{{with .RootFS}}{{.Type}}{{end}}"), "layers");
  EXPECT_EQ(Render("{{with .Config.Entrypoint}}{{.}}{{else}}no entrypoint{{end}}"),
            "no entrypoint");
  EXPECT_EQ(Render("{{with $l := .Config.Labels}}{{$l.a}}{{end}}"), "1");
  EXPECT_EQ(Render("{{with .Missing}}x{{else with .Os}}{{.}}{{end}}"), "Linux");
}

TEST(TemplateTest, Variables) {
  EXPECT_EQ(Render("{{$x := .Os}}{{$x}}-{{$x}}"), "Linux-Linux");
  EXPECT_EQ(Render("{{$x := 1}}{{$x = 2}}{{$x}}"), "2");
  EXPECT_EQ(Render("{{$c := .Config}}{{$c.Labels.a}}"), "1");
  // Assignment inside range changes the outer variable, as in Go 1.11+.
  EXPECT_EQ(Render("{{$n := 0}}{{range .RepoTags}}{{$n = .}}{{end}}{{$n}}"), "b:2");
  // Declarations inside a block end with it.
  EXPECT_EQ(Render("{{$x := \"out\"}}{{if true}}{{$x := \"in\"}}{{$x}}{{end}}{{$x}}"), "inout");
}

TEST(TemplateTest, PipelinesAndParentheses) {
  EXPECT_EQ(Render("{{.Os | lower}}"), "linux");
  EXPECT_EQ(Render("{{.Os | printf \"%s!\" | upper}}"), "LINUX!");
  EXPECT_EQ(Render("{{(index .RootFS.Layers 1)}}"), "sha256:l2");
  EXPECT_EQ(Render("{{len (index .RootFS.Layers 0)}}"), "9");
  EXPECT_EQ(Render("{{(.RootFS).Type}}"), "layers");
  EXPECT_EQ(Render("{{$r := .RootFS}}{{($r).Layers}}"), "[sha256:l1 sha256:l2]");
}

TEST(TemplateTest, AndOrNotShortCircuit) {
  EXPECT_EQ(Render("{{and .Os .Architecture}}"), "amd64");
  EXPECT_EQ(Render("{{and .Config.User .Os}}"), "");
  EXPECT_EQ(Render("{{or .Config.User .Os}}"), "Linux");
  EXPECT_EQ(Render("{{or .Config.User .Config.Env}}"), "[]");
  EXPECT_EQ(Render("{{not .Config.User}} {{not .Os}}"), "true false");
  // The second operand would fail (index out of range) but is not evaluated.
  EXPECT_EQ(Render("{{and false (index .RepoTags 9)}}"), "false");
  EXPECT_EQ(Render("{{or true (index .RepoTags 9)}}"), "true");
}

TEST(TemplateTest, ExecuteIsRepeatable) {
  Result<Template> t = Template::Parse("{{.Id}}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t->Execute(Json::parse(R"({"Id":"one"})")), "one");
  EXPECT_EQ(*t->Execute(Json::parse(R"({"Id":"two"})")), "two");
}

TEST(TemplateTest, FieldPathsListsRootFields) {
  Result<Template> t = Template::Parse("{{.ID}}\t{{.Config.User}} {{if .ID}}{{lower .Os}}{{end}}");
  ASSERT_TRUE(t.ok());
  std::vector<std::vector<std::string>> want = {{"ID"}, {"Config", "User"}, {"Os"}};
  EXPECT_EQ(t->FieldPaths(), want);
}

TEST(TemplateTest, MultiLineTemplate) {
  EXPECT_EQ(Render("{{range .RepoTags}}\n{{- .}}\n{{end}}"), "a:1\nb:2\n");
  EXPECT_EQ(Render("{{index\n  .RepoTags\n  0}}"), "a:1");
}

}  // namespace
}  // namespace strata::format

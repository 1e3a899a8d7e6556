#include <gtest/gtest.h>

#include "cli/format/template.h"

namespace strata::format {
namespace {

std::string ParseError(std::string_view text) {
  Result<Template> t = Template::Parse(text);
  if (t.ok()) return "parsed";
  EXPECT_TRUE(t.status().IsInvalidArgument());
  return t.status().message();
}

std::string ExecError(std::string_view text, const Json& data) {
  Result<Template> t = Template::Parse(text);
  if (!t.ok()) return "PARSE ERROR: " + t.status().message();
  Result<std::string> out = t->Execute(data);
  if (out.ok()) return "executed: " + *out;
  EXPECT_TRUE(out.status().IsInvalidArgument());
  return out.status().message();
}

const Json kData = Json::parse(R"({"Os":"linux","Tags":["a"],"Labels":{"k":"v"},"N":3})");

TEST(TemplateParseErrorTest, UnclosedAction) {
  EXPECT_EQ(ParseError("{{.Os"), "template: :1: unclosed action");
  EXPECT_EQ(ParseError("line1\nline2 {{.Os"), "template: :2: unclosed action");
}

TEST(TemplateParseErrorTest, StrayBraceInOperand) {
  EXPECT_EQ(ParseError("{{.Os }"), "template: :1: unexpected \"}\" in operand");
  EXPECT_EQ(ParseError("{{.Os}"), "template: :1: bad character U+007D '}'");
}

TEST(TemplateParseErrorTest, UndefinedFunction) {
  EXPECT_EQ(ParseError("{{foo .Os}}"), "template: :1: function \"foo\" not defined");
  EXPECT_EQ(ParseError("\n\n{{.Os | bar}}"), "template: :3: function \"bar\" not defined");
}

TEST(TemplateParseErrorTest, UndefinedVariable) {
  EXPECT_EQ(ParseError("{{$x}}"), "template: :1: undefined variable \"$x\"");
  EXPECT_EQ(ParseError("{{$x = 1}}"), "template: :1: undefined variable \"$x\"");
  EXPECT_EQ(ParseError("{{if true}}{{$x := 1}}{{end}}{{$x}}"),
            "template: :1: undefined variable \"$x\"");
}

TEST(TemplateParseErrorTest, BlockStructure) {
  EXPECT_EQ(ParseError("{{if .Os}}yes"), "template: :1: unexpected EOF");
  EXPECT_EQ(ParseError("{{range .Tags}}"), "template: :1: unexpected EOF");
  EXPECT_EQ(ParseError("x{{end}}"), "template: :1: unexpected {{end}}");
  EXPECT_EQ(ParseError("{{else}}"), "template: :1: unexpected {{else}}");
  EXPECT_EQ(ParseError("{{if 1}}a{{else}}b{{else}}c{{end}}"),
            "template: :1: expected end; found {{else}}");
  EXPECT_EQ(ParseError("{{break}}"), "template: :1: {{break}} outside {{range}}");
}

TEST(TemplateParseErrorTest, MissingValues) {
  EXPECT_EQ(ParseError("{{}}"), "template: :1: missing value for command");
  EXPECT_EQ(ParseError("{{if}}{{end}}"), "template: :1: missing value for if");
  EXPECT_EQ(ParseError("{{with $x, $y := .}}{{end}}"),
            "template: :1: too many declarations in with");
}

TEST(TemplateParseErrorTest, LexicalErrors) {
  EXPECT_EQ(ParseError("{{\"abc}}"), "template: :1: unterminated quoted string");
  EXPECT_EQ(ParseError("{{`abc}}"), "template: :1: unterminated raw quoted string");
  EXPECT_EQ(ParseError("{{/* never closed }}"), "template: :1: unclosed comment");
  EXPECT_EQ(ParseError("{{(.Os}}"), "template: :1: unclosed left paren");
  EXPECT_EQ(ParseError("{{.Os)}}"), "template: :1: unexpected right paren");
  EXPECT_EQ(ParseError("{{3x}}"), "template: :1: bad number syntax: \"3x\"");
  EXPECT_EQ(ParseError("{{.Os | 3}}"), "template: :1: non executable command in pipeline stage 2");
}

TEST(TemplateParseErrorTest, DeepNestingIsRefused) {
  std::string deep = "{{" + std::string(5000, '(') + "1" + std::string(5000, ')') + "}}";
  EXPECT_EQ(ParseError(deep), "template: :1: max depth exceeded");
  std::string ok = "{{" + std::string(50, '(') + "1" + std::string(50, ')') + "}}";
  EXPECT_EQ(ParseError(ok), "parsed");
}

TEST(TemplateParseErrorTest, UnsupportedNamedTemplates) {
  EXPECT_NE(ParseError("{{define \"x\"}}{{end}}").find("not supported"), std::string::npos);
}

TEST(TemplateExecErrorTest, FieldOfNonObject) {
  EXPECT_EQ(
      ExecError("{{.Os.Name}}", kData),
      "template: :1:2: executing \"\" at <.Os.Name>: can't evaluate field Name in type string");
}

TEST(TemplateExecErrorTest, LocationCountsLinesAndColumns) {
  EXPECT_EQ(ExecError("ok\n  {{.N.X}}", kData),
            "template: :2:4: executing \"\" at <.N.X>: can't evaluate field X in type int");
}

TEST(TemplateExecErrorTest, IndexErrors) {
  EXPECT_EQ(ExecError("{{index .Tags 5}}", kData),
            "template: :1:2: executing \"\" at <index .Tags 5>: error calling index: index out "
            "of range: 5");
  EXPECT_EQ(ExecError("{{index .Os \"k\"}}", kData),
            "template: :1:2: executing \"\" at <index .Os \"k\">: error calling index: cannot "
            "index slice/array with type string");
  EXPECT_EQ(ExecError("{{index .N 0}}", kData),
            "template: :1:2: executing \"\" at <index .N 0>: error calling index: can't index "
            "item of type int");
}

TEST(TemplateExecErrorTest, WrongArgumentCount) {
  EXPECT_EQ(ExecError("{{join .Tags}}", kData),
            "template: :1:2: executing \"\" at <join .Tags>: wrong number of args for join: want 2 "
            "got 1");
  EXPECT_EQ(
      ExecError("{{.Tags | len 1}}", kData),
      "template: :1:10: executing \"\" at <len 1>: wrong number of args for len: want 1 got 2");
  EXPECT_EQ(ExecError("{{printf}}", kData),
            "template: :1:2: executing \"\" at <printf>: wrong number of args for printf: want at "
            "least 1 got 0");
}

TEST(TemplateExecErrorTest, WrongArgumentType) {
  EXPECT_EQ(ExecError("{{lower .N}}", kData),
            "template: :1:2: executing \"\" at <lower .N>: error calling lower: wrong type for "
            "value; expected string; got int");
  EXPECT_EQ(ExecError("{{len .N}}", kData),
            "template: :1:2: executing \"\" at <len .N>: error calling len: len of type int");
}

TEST(TemplateExecErrorTest, Comparisons) {
  EXPECT_EQ(ExecError("{{eq .Os 1}}", kData),
            "template: :1:2: executing \"\" at <eq .Os 1>: error calling eq: incompatible types "
            "for comparison");
  EXPECT_EQ(ExecError("{{lt .Tags 1}}", kData),
            "template: :1:2: executing \"\" at <lt .Tags 1>: error calling lt: invalid type for "
            "comparison");
}

TEST(TemplateExecErrorTest, ArgumentsToNonFunction) {
  EXPECT_EQ(ExecError("{{.Os 1}}", kData),
            "template: :1:2: executing \"\" at <.Os 1>: can't give argument to non-function .Os");
}

TEST(TemplateExecErrorTest, RangeOverScalar) {
  EXPECT_EQ(ExecError("{{range .Os}}{{end}}", kData),
            "template: :1:8: executing \"\" at <.Os>: range can't iterate over linux");
}

}  // namespace
}  // namespace strata::format

#include "cli/format/go_print.h"

#include <gtest/gtest.h>

#include "cli/format/go_json.h"

namespace strata::format {
namespace {

TEST(GoPrintTest, FloatsLikeGoPercentV) {
  EXPECT_EQ(FormatGoFloat(1e6), "1e+06");
  EXPECT_EQ(FormatGoFloat(123456), "123456");
  EXPECT_EQ(FormatGoFloat(1234567), "1.234567e+06");
  EXPECT_EQ(FormatGoFloat(1.5), "1.5");
  EXPECT_EQ(FormatGoFloat(0.1), "0.1");
  EXPECT_EQ(FormatGoFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatGoFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatGoFloat(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(FormatGoFloat(0), "0");
  EXPECT_EQ(FormatGoFloat(3), "3");
}

TEST(GoPrintTest, FloatsLikeGoJson) {
  EXPECT_EQ(FormatJsonFloat(1e6), "1000000");
  EXPECT_EQ(FormatJsonFloat(1.5), "1.5");
  EXPECT_EQ(FormatJsonFloat(1e21), "1e+21");
  EXPECT_EQ(FormatJsonFloat(1e-7), "1e-7");
  EXPECT_EQ(FormatJsonFloat(0.000001), "0.000001");
  EXPECT_EQ(FormatJsonFloat(-0.25), "-0.25");
}

TEST(GoPrintTest, CompositeValues) {
  EXPECT_EQ(FormatGoValue(Json::parse(R"(["a:1","b:2"])")), "[a:1 b:2]");
  EXPECT_EQ(FormatGoValue(Json::parse(R"({"z":1,"a":"x"})")), "map[a:x z:1]");
  EXPECT_EQ(FormatGoValue(Json::parse(R"([[1,2],{},null,true])")), "[[1 2] map[] <nil> true]");
  EXPECT_EQ(FormatGoValue(Json::parse("-12")), "-12");
  EXPECT_EQ(FormatGoValue(Json::parse("18446744073709551615")), "18446744073709551615");
}

TEST(GoPrintTest, MissingAndNull) {
  EXPECT_EQ(FormatTemplateValue(Value()), "<no value>");
  EXPECT_EQ(FormatTemplateValue(Value::Of(nullptr)), "<nil>");
}

TEST(GoPrintTest, JsonKeepsMemberOrderAndEscapesLikeGo) {
  EXPECT_EQ(EncodeGoJson(Json::parse(R"({"b":1,"a":[true,null,"<x>"]})")),
            R"({"b":1,"a":[true,null,"<x>"]})");
  EXPECT_EQ(EncodeGoJson(Json("\b\f\n\r\t\x1f")), R"("\b\f\n\r\t\u001f")");
  EXPECT_EQ(EncodeGoJson(Json("h\xc3\xa9")), "\"h\xc3\xa9\"");
  EXPECT_EQ(EncodeGoJson(Json::object()), "{}");
  EXPECT_EQ(EncodeGoJson(Json::array()), "[]");
}

TEST(GoPrintTest, TruthIsGoTruth) {
  EXPECT_FALSE(IsTrue(Value()));
  EXPECT_FALSE(IsTrue(Value::Of(nullptr)));
  EXPECT_FALSE(IsTrue(Value::Of(0)));
  EXPECT_FALSE(IsTrue(Value::Of(0.0)));
  EXPECT_FALSE(IsTrue(Value::Of("")));
  EXPECT_FALSE(IsTrue(Value::Of(Json::array())));
  EXPECT_FALSE(IsTrue(Value::Of(Json::object())));
  EXPECT_FALSE(IsTrue(Value::Of(false)));
  EXPECT_TRUE(IsTrue(Value::Of(-1)));
  EXPECT_TRUE(IsTrue(Value::Of("0")));
  EXPECT_TRUE(IsTrue(Value::Of(Json::array({0}))));
}

}  // namespace
}  // namespace strata::format

#include "registry/registry_error.h"

#include <gtest/gtest.h>

namespace strata::registry {
namespace {

TEST(RegistryErrorTest, CodeAndMessageAsDockerPrintsThem) {
  EXPECT_EQ(
      RegistryErrorMessage(
          R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]})"),
      "manifest unknown");
  EXPECT_EQ(
      RegistryErrorMessage(
          R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"},{"code":"DENIED","message":""}]})"),
      "unauthorized: authentication required; denied");
  EXPECT_TRUE(RegistryErrorHasCode(R"({"errors":[{"code":"DIGEST_INVALID"}]})", "DIGEST_INVALID"));
}

TEST(RegistryErrorTest, AnythingElseIsEmpty) {
  EXPECT_EQ(RegistryErrorMessage(""), "");
  EXPECT_EQ(RegistryErrorMessage("<html>502</html>"), "");
  EXPECT_EQ(RegistryErrorMessage(R"({"errors":"no"})"), "");
  EXPECT_EQ(RegistryErrorMessage(R"({"errors":[1,{"code":7}]})"), "");
  EXPECT_FALSE(RegistryErrorHasCode("{", "X"));
}

}  // namespace
}  // namespace strata::registry

#include "atf/base/redact.h"

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf {
namespace {

using testing::ParseOrDie;

TEST(Redactor, FindsSecretMarksThroughPropertiesItemsAndCombinators) {
  rapidjson::Document schema = ParseOrDie(R"({"properties":{
      "api_key":{"type":"string","airbyte_secret":true},
      "credentials":{"oneOf":[{"properties":{"client_secret":{"secret":true},"client_id":{}}}]},
      "tunnels":{"items":{"properties":{"password":{"airbyte_secret":true}}}},
      "visible":{"airbyte_secret":false}}})");
  EXPECT_EQ(FindSecretPaths(schema),
            (SecretPaths{{"api_key"}, {"credentials", "client_secret"}, {"tunnels", "*", "password"}}));
}

TEST(Redactor, RedactsMarkedAndCredentialNamedConfigValues) {
  rapidjson::Document schema = ParseOrDie(R"({"properties":{"my_field":{"airbyte_secret":true},
      "nested":{"properties":{"deep":{"secret":true}}}}})");
  rapidjson::Document config = ParseOrDie(R"({
      "my_field":"first-secret", "nested":{"deep":{"x":"second-secret","n":123456}},
      "credentials":{"access_token":"third-secret","token_type":"Bearer"},
      "db_password":"fourth-secret", "public":"nothing-here", "tiny_token":"ab"})");
  Redactor redactor;
  redactor.AddConfigSecrets(config, FindSecretPaths(schema));
  EXPECT_EQ(redactor.Redact("a first-secret b second-secret c 123456 d third-secret e fourth-secret"),
            "a *** b *** c *** d *** e ***");
  EXPECT_EQ(redactor.Redact("nothing-here Bearer ab"), "nothing-here Bearer ab");
}

TEST(Redactor, RedactsTheJsonEscapedFormToo) {
  Redactor redactor;
  redactor.AddSecret("pa\"ss\\word");
  EXPECT_EQ(redactor.Redact(R"(raw pa"ss\word json "pa\"ss\\word")"), R"(raw *** json "***")");
}

TEST(Redactor, LongestSecretWins) {
  Redactor redactor;
  redactor.AddSecret("secret");
  redactor.AddSecret("secret-extended");
  EXPECT_EQ(redactor.Redact("secret-extended secret"), "*** ***");
}

TEST(Redactor, CredentialKeyNames) {
  for (const char* key : {"password", "api_key", "apiKey", "client_secret", "refresh_token", "private_key",
                          "PersonalAccessToken", "ssh-passphrase"}) {
    EXPECT_TRUE(IsCredentialKey(key)) << key;
  }
  for (const char* key : {"username", "token_type", "token_expiry_date", "host", "auth_method", "secret_url"}) {
    EXPECT_FALSE(IsCredentialKey(key)) << key;
  }
}

}  // namespace
}  // namespace atf

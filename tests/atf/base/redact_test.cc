#include "atf/base/redact.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
  // D12: a name that merely contains a descriptive word is still a credential.
  for (const char* key : {"update_password", "mandatory_token", "passwordHash", "typed_secret", "urlsafe_api_key"}) {
    EXPECT_TRUE(IsCredentialKey(key)) << key;
  }
}

// D12: a secret in every form a connector commonly prints it.
TEST(Redactor, D12_EveryEncodingAConnectorPrints) {
  Redactor redactor;
  redactor.AddSecret("p\xc3\xa4ss w/\"rd'\\&1");  // päss w/"rd'\&1
  for (const char* text : {
           "p\xc3\xa4ss w/\"rd'\\&1",          // as is
           R"(p\u00e4ss w/\"rd'\\&1)",         // json.dumps (ensure_ascii)
           R"(p\u00E4ss w/\"rd'\\&1)",         // upper-case hex
           R"(p\\u00e4ss w/\\\"rd'\\\\&1)",    // escaped twice (JSON in a JSON string)
           "p\xc3\xa4ss w/\"rd\\'\\\\&1",      // Python repr
           "p%C3%A4ss%20w%2F%22rd%27%5C%261",  // URL-encoded
           "p%c3%a4ss%20w%2f%22rd%27%5c%261",  // lower-case hex
           "p%C3%A4ss+w%2F%22rd%27%5C%261",    // form-encoded
       }) {
    EXPECT_EQ(redactor.Redact(absl::StrCat("<", text, ">")), "<***>") << text;
  }
}

TEST(Redactor, D12_BasicAuthAndBase64Blobs) {
  rapidjson::Document config =
      ParseOrDie(R"({"username":"alice","password":"s3cr3t-pw","api_key":"k-0123456789abcdef"})");
  Redactor redactor;
  redactor.AddConfigSecrets(config, {});
  EXPECT_EQ(redactor.Redact(absl::StrCat("Authorization: Basic ", absl::Base64Escape("alice:s3cr3t-pw"))),
            "Authorization: Basic ***");
  // A long secret anywhere inside base64 text, at each of the three alignments.
  for (const char* prefix : {"", "x", "xy", "bob:"}) {
    const std::string blob = absl::Base64Escape(absl::StrCat(prefix, "k-0123456789abcdef", "!tail"));
    const std::string redacted = redactor.Redact(absl::StrCat("token=", blob, " end"));
    EXPECT_TRUE(absl::StrContains(redacted, "***")) << prefix << " " << redacted;
    for (const std::string& core : Base64Cores("k-0123456789abcdef")) {
      EXPECT_FALSE(absl::StrContains(redacted, core.substr(0, 8))) << prefix << " " << redacted;
    }
  }
  EXPECT_EQ(redactor.Redact("plain words stay"), "plain words stay");
}

}  // namespace
}  // namespace atf

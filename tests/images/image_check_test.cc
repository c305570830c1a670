// The image check against connector folders made for each rule: a good one
// passes (its Spec run shows every patch), and each defect is reported by
// name. The registry's own folders are checked by the image_check.* tests.
#include "tests/images/image_check.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf::images {
namespace {

using testing::TestDir;

constexpr char kDockerfile[] = R"(ARG AIRBYTE_TO_FLOW_IMAGE=ghcr.io/estuary/airbyte-to-flow-cpp
ARG AIRBYTE_TO_FLOW_TAG=dev
FROM --platform=linux/amd64 ${AIRBYTE_TO_FLOW_IMAGE}:${AIRBYTE_TO_FLOW_TAG} AS airbyte-to-flow

FROM --platform=linux/amd64 airbyte/source-acme:2.0.1
WORKDIR /airbyte/integration_code
COPY --from=airbyte-to-flow --chmod=0755 /airbyte-to-flow ./
COPY *.json ./
COPY streams ./streams
ENTRYPOINT ["/airbyte/integration_code/airbyte-to-flow", "--connector-entrypoint", "python /airbyte/integration_code/main.py"]
LABEL FLOW_RUNTIME_PROTOCOL=capture
LABEL CONNECTOR_PROTOCOL=flow-capture
LABEL FLOW_RUNTIME_CODEC=json
LABEL io.airbyte.name=airbyte/source-acme io.airbyte.version=v1
)";

constexpr char kMetadata[] = R"json({"name": "source-acme", "display_name": "Acme", "category": "api",
  "upstream_image": "airbyte/source-acme", "upstream_version": "2.0.1", "flow_version": "v1",
  "documentation_url": "https://go.estuary.dev/source-acme", "license": "MIT", "description": "Acme.",
  "upstream_check": {"version": "2.0.1", "released": "2025-07-26", "sources": ["acme's metadata.yaml"],
    "user": "airbyte (uid 1000)", "workdir": "/airbyte/integration_code",
    "entrypoint": "python /airbyte/integration_code/main.py"}})json";

// The recorded upstream: a config schema with an OAuth option and a key-only
// option, and three streams (one with a date column, one keyed by an object).
constexpr char kUpstreamSpec[] = R"({"documentationUrl": "https://example.com/acme", "connectionSpecification": {
  "type": "object", "required": ["credentials"], "properties": {
    "record_count": {"type": "integer"}, "start_date": {"type": "string", "format": "date"},
    "credentials": {"type": "object", "oneOf": [
      {"type": "object", "title": "OAuth", "required": ["auth_type", "token"],
       "properties": {"auth_type": {"type": "string", "const": "oauth"}, "token": {"type": "string"}}},
      {"type": "object", "title": "API key", "required": ["auth_type", "api_key"],
       "properties": {"auth_type": {"type": "string", "const": "key"}, "api_key": {"type": "string"}}}]}}}})";

constexpr char kUpstreamStreams[] = R"({"source": "a test", "complete": true, "streams": [
  {"name": "users", "supported_sync_modes": ["full_refresh"], "source_defined_primary_key": [["id"]],
   "json_schema": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                    "born": {"type": "string", "format": "date"}}}},
  {"name": "workflows", "supported_sync_modes": ["full_refresh"], "source_defined_primary_key": [["entityId"]],
   "json_schema": {"type": "object", "properties": {"entityId": {"type": "string"},
                   "id": {"type": "object", "properties": {"entityId": {"type": "string"}}}}}},
  {"name": "issue_reactions", "supported_sync_modes": ["full_refresh", "incremental"],
   "default_cursor_field": ["created_at"]}]})";

// spec.patch.json marks the OAuth option the way Flow's UI needs it.
constexpr char kSpecPatch[] = R"({"properties": {"record_count": {"description": "How many."},
  "region": {"type": "string"}, "start_date": null,
  "credentials": {"discriminator": {"propertyName": "auth_type"}, "oneOf": [
    {"type": "object", "title": "OAuth", "x-oauth2-provider": "acme", "required": ["auth_type", "token"],
     "properties": {"auth_type": {"type": "string", "const": "oauth", "default": "oauth"}, "token": {"type": "string"}}},
    {"type": "object", "title": "API key", "required": ["auth_type", "api_key"],
     "properties": {"auth_type": {"type": "string", "const": "key", "default": "key"}, "api_key": {"type": "string"}}}]}}})";

class ImageCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    Write("Dockerfile", kDockerfile);
    Write("metadata.json", kMetadata);
    Write(".dockerignore", "metadata.json\nupstream/\n");
    Write("upstream/spec.json", kUpstreamSpec);
    Write("upstream/streams.json", kUpstreamStreams);
    Write("documentation_url.patch.json", R"({"documentation_url": "https://go.estuary.dev/source-acme"})");
    Write("spec.patch.json", kSpecPatch);
    Write("oauth2.patch.json", R"({"provider": "acme", "authUrlTemplate": "https://acme/auth",
                                   "accessTokenResponseMap": {"token": "/access_token"}})");
    Write("streams/users.pk.json", R"(["id"])");
  }

  void Write(absl::string_view relative, absl::string_view text) { dir_.Write(Relative(relative), text); }
  void EditDockerfile(absl::string_view from, absl::string_view to) {
    std::string text = dir_.Read(Relative("Dockerfile"));
    ASSERT_TRUE(absl::StrContains(text, from)) << from;
    Write("Dockerfile", absl::StrReplaceAll(text, {{from, to}}));
  }

  CheckResult Check(const CheckOptions& options = {.shim = ATF_BINARY}) {
    return CheckConnectorFolder(dir_.Path("source-acme"), options);
  }
  std::string Path(absl::string_view relative) { return dir_.Path(Relative(relative)); }
  // Outside the connector folder.
  std::string OutsidePath(absl::string_view relative) { return dir_.Path(relative); }
  std::string Read(absl::string_view relative) { return dir_.Read(Relative(relative)); }

  // The one problem containing `text`, with every problem shown on failure.
  ::testing::AssertionResult HasProblem(const CheckResult& result, absl::string_view text) {
    for (const std::string& problem : result.problems) {
      if (absl::StrContains(problem, text)) return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "no problem mentions `" << text << "`; problems:\n  "
                                         << absl::StrJoin(result.problems, "\n  ");
  }

 protected:
  static std::string Relative(absl::string_view relative) { return absl::StrCat("source-acme/", relative); }
  TestDir dir_;
};

TEST_F(ImageCheck, AGoodFolderPassesAndItsSpecCarriesEveryPatch) {
  CheckResult result = Check();
  EXPECT_TRUE(result.problems.empty()) << absl::StrJoin(result.problems, "\n");
  EXPECT_EQ(absl::StrJoin(result.shown, "; "),
            "documentationUrl https://go.estuary.dev/source-acme; oauth2 from oauth2.patch.json; "
            "spec.patch.json (5 values); x-oauth2-provider acme at /properties/credentials/oneOf/0 "
            "(discriminator auth_type); upstream snapshot: 3 streams, 3 bindings discovered "
            "(1 with the fallback key /_meta/row_id: no primary key upstream)");
}

TEST_F(ImageCheck, ShellFormEntrypoint) {
  EditDockerfile(
      R"(ENTRYPOINT ["/airbyte/integration_code/airbyte-to-flow", "--connector-entrypoint", "python /airbyte/integration_code/main.py"])",
      "ENTRYPOINT /airbyte/integration_code/airbyte-to-flow --connector-entrypoint main.py");
  EXPECT_TRUE(HasProblem(Check(), "Dockerfile:10: ENTRYPOINT must be in exec form"));
}

TEST_F(ImageCheck, EntrypointThatIsNotTheShimOrHasNoConnector) {
  EditDockerfile(
      R"(["/airbyte/integration_code/airbyte-to-flow", "--connector-entrypoint", "python /airbyte/integration_code/main.py"])",
      R"(["/airbyte-to-flow", "--codec", "json"])");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "ENTRYPOINT must start with the shim, `/airbyte/integration_code/airbyte-to-flow`"));
  EXPECT_TRUE(HasProblem(result, "ENTRYPOINT has no `--connector-entrypoint <upstream command>`"));
}

TEST_F(ImageCheck, MissingAndWrongLabels) {
  EditDockerfile("LABEL CONNECTOR_PROTOCOL=flow-capture\n", "");
  EditDockerfile("FLOW_RUNTIME_CODEC=json", "FLOW_RUNTIME_CODEC=proto");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "missing `LABEL CONNECTOR_PROTOCOL=flow-capture`"));
  EXPECT_TRUE(HasProblem(result, "LABEL FLOW_RUNTIME_CODEC is `proto`, must be `json`"));
}

TEST_F(ImageCheck, VersionsThatDisagree) {
  Write("metadata.json",
        absl::StrReplaceAll(kMetadata, {{R"("upstream_version": "2.0.1")", R"("upstream_version": "1.9")"},
                                        {R"("flow_version": "v1")", R"("flow_version": "v2")"}}));
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "metadata.json: `upstream_version` is `1.9` but the Dockerfile's FROM says `2.0.1`"));
  EXPECT_TRUE(HasProblem(
      result, "metadata.json: `flow_version` is `v2` but the Dockerfile's LABEL io.airbyte.version says `v1`"));
}

TEST_F(ImageCheck, TheLabelIsTheFlowFacingMajorNotTheUpstreamVersion) {
  EditDockerfile("io.airbyte.version=v1", "io.airbyte.version=2.0.1");
  EXPECT_TRUE(HasProblem(Check(), "LABEL io.airbyte.version is `2.0.1`, must be the Flow-facing major `v1`"));
}

TEST_F(ImageCheck, UpstreamCheckRecordsWhatThePinWasCheckedAgainst) {
  Write("metadata.json",
        absl::StrReplaceAll(kMetadata, {{R"("released": "2025-07-26")", R"("released": "July")"},
                                        {R"("workdir": "/airbyte/integration_code")", R"("workdir": "/airbyte")"},
                                        {R"(["acme's metadata.yaml"])", "[]"}}));
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "`upstream_check.released` is `July`, must be the upstream release date"));
  EXPECT_TRUE(HasProblem(result, "`upstream_check.workdir` is `/airbyte` but the Dockerfile's WORKDIR says"));
  EXPECT_TRUE(HasProblem(result, "`upstream_check.sources` must list what was read"));
  Write("metadata.json", absl::StrReplaceAll(kMetadata, {{R"("released": "2025-07-26")",
                                                          R"("released": "unknown", "unverified": "no changelog")"}}));
  EXPECT_TRUE(Check().problems.empty()) << absl::StrJoin(Check().problems, "\n");
}

TEST_F(ImageCheck, PlatformShimModeAndDefaultShimImage) {
  EditDockerfile("FROM --platform=linux/amd64 airbyte/source-acme", "FROM airbyte/source-acme");
  EditDockerfile("--chmod=0755 ", "");
  EditDockerfile("ghcr.io/estuary/airbyte-to-flow-cpp", "ghcr.io/estuary/airbyte-to-flow");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "Dockerfile:5: FROM must pin `--platform=linux/amd64`"));
  EXPECT_TRUE(HasProblem(result, "copy the shim with `--chmod=0755` (now no --chmod)"));
  EXPECT_TRUE(HasProblem(result,
                         "Dockerfile:1: ARG AIRBYTE_TO_FLOW_IMAGE must default to this project's shim image "
                         "`ghcr.io/estuary/airbyte-to-flow-cpp`, not `ghcr.io/estuary/airbyte-to-flow`"));
}

// ---- the upstream snapshot and the names patch files give ----------------------

TEST_F(ImageCheck, SnapshotMissingOrMalformed) {
  Write("upstream/streams.json",
        R"({"streams": [{"name": "users"}, {"name": "users", "supported_sync_modes": ["full_refresh"]}]})");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "upstream/streams.json: `source` must say where the snapshot was taken from"));
  EXPECT_TRUE(HasProblem(result, "stream `users`: `supported_sync_modes` must be a non-empty array"));
  EXPECT_TRUE(HasProblem(result, "stream `users`: recorded twice"));
  std::remove(Path("upstream/spec.json").c_str());
  EXPECT_TRUE(HasProblem(Check(), "upstream/spec.json: missing (record the pinned upstream's snapshot"));
}

TEST_F(ImageCheck, SnapshotCopiedIntoTheImage) {
  Write(".dockerignore", "metadata.json\n");
  EditDockerfile("COPY streams ./streams", "COPY streams ./streams\nCOPY upstream ./upstream");
  EXPECT_TRUE(HasProblem(Check(),
                         "upstream/spec.json: the upstream snapshot is copied into the image; add `upstream/` "
                         "to .dockerignore"));
}

TEST_F(ImageCheck, StreamListsNamingStreamsTheSnapshotLacks) {
  Write("omitted_streams.json", R"(["reactions"])");
  Write("selected_streams.json", R"(["users", "accounts"])");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result,
                         "omitted_streams.json: names the stream `reactions`, which upstream/streams.json does "
                         "not have (did you mean issue_reactions?)"));
  EXPECT_TRUE(HasProblem(result,
                         "selected_streams.json: names the stream `accounts`, which upstream/streams.json "
                         "does not have (it records 3 streams)"));
}

TEST_F(ImageCheck, StreamFilesNamingStreamsAndFieldsTheSnapshotLacks) {
  Write("streams/customers.pk.json", R"(["id"])");
  Write("streams/users.patch.json", R"({"properties": {"email": {"description": "x"}, "name": {"title": "Name"}}})");
  Write("streams/users.normalize.json", R"([{"pointer": "/updated", "normalization": "datetime_to_date"}])");
  Write("streams/issue_reactions.pk.json", R"(["id"])");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result,
                         "streams/customers.pk.json: names the stream `customers`, which upstream/streams.json "
                         "does not have"));
  EXPECT_TRUE(HasProblem(result,
                         "streams/users.patch.json: patches /properties/email, which upstream/streams.json "
                         "(stream `users`) does not have"));
  EXPECT_TRUE(HasProblem(result,
                         "streams/users.normalize.json: the pointer /updated matches no field of stream "
                         "`users`"));
  EXPECT_TRUE(HasProblem(result,
                         "streams/issue_reactions.pk.json: upstream/streams.json records no json_schema for "
                         "`issue_reactions`"));
  EXPECT_EQ(result.problems.size(), 4u) << absl::StrJoin(result.problems, "\n");
}

TEST_F(ImageCheck, KeysAtObjectsOrMissingFields) {
  Write("streams/workflows.pk.json", R"(["id"])");
  Write("streams/users.pk.json", R"(["uid"])");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result,
                         "source-acme/streams/workflows.pk.json) points at an object; a Flow key must be "
                         "scalar fields"));
  EXPECT_TRUE(HasProblem(result, "source-acme/streams/users.pk.json) is not a field of its schema"));
  // The source-defined key, without a pk file, is checked too.
  std::remove(Path("streams/workflows.pk.json").c_str());
  Write("upstream/streams.json", absl::StrReplaceAll(kUpstreamStreams, {{R"([["entityId"]])", R"([["id"]])"}}));
  EXPECT_TRUE(HasProblem(Check(),
                         "stream `workflows`: the key /id (from the source-defined key in "
                         "upstream/streams.json) points at an object"));
}

TEST_F(ImageCheck, NormalizationThatMatchesNothing) {
  Write("schema_normalizations.json", R"(["date-to-datetime"])");
  EXPECT_TRUE(Check().problems.empty()) << absl::StrJoin(Check().problems, "\n");  // users.born is a date
  Write("upstream/streams.json", absl::StrReplaceAll(kUpstreamStreams, {{R"(, "format": "date")", ""}}));
  EXPECT_TRUE(HasProblem(Check(),
                         "schema_normalizations.json: `date-to-datetime` matches no `format: date` location "
                         "in any stream of upstream/streams.json: it changes nothing"));
}

TEST_F(ImageCheck, SpecPatchNamingFieldsTheUpstreamSpecLacks) {
  Write("spec.patch.json", R"({"properties": {"record_cont": {"description": "typo"}, "gone": null,
                                              "credentials": {"oneOf": [{"properties": {"auth_type": {}}}]}}})");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result,
                         "spec.patch.json: patches /properties/record_cont, which upstream/spec.json does not "
                         "have (to add a field, give its `type`)"));
  EXPECT_TRUE(HasProblem(result, "spec.patch.json: removes /properties/gone, which upstream/spec.json does not have"));
  EXPECT_TRUE(HasProblem(result,
                         "spec.patch.json: restates /properties/credentials/oneOf with 1 options, but "
                         "upstream/spec.json has 2"));
}

TEST_F(ImageCheck, RestatedOneOfThatDropsAField) {
  Write("spec.patch.json", absl::StrReplaceAll(kSpecPatch, {{R"(, "api_key": {"type": "string"})", ""}}));
  EXPECT_TRUE(HasProblem(Check(),
                         "spec.patch.json: restates /properties/credentials/oneOf/1 without its field "
                         "`api_key`"));
}

// ---- OAuth sign-in in Flow's UI ---------------------------------------------------

TEST_F(ImageCheck, OAuthProviderWithoutAMarkedOption) {
  Write("spec.patch.json", absl::StrReplaceAll(kSpecPatch, {{R"("x-oauth2-provider": "acme", )", ""}}));
  EXPECT_TRUE(HasProblem(Check(),
                         "oauth2.patch.json: names the provider `acme`, but the patched config schema marks no "
                         "object with x-oauth2-provider"));
}

TEST_F(ImageCheck, OAuthMarkForAnotherProvider) {
  Write("spec.patch.json",
        absl::StrReplaceAll(kSpecPatch, {{R"("x-oauth2-provider": "acme")", R"("x-oauth2-provider": "google")"}}));
  EXPECT_TRUE(HasProblem(Check(),
                         "the config schema's /properties/credentials/oneOf/0 has x-oauth2-provider "
                         "\"google\", but oauth2.patch.json names `acme`"));
}

TEST_F(ImageCheck, OAuthMarkWithoutOAuth2Patch) {
  std::remove(Path("oauth2.patch.json").c_str());
  EXPECT_TRUE(HasProblem(Check(),
                         "marks /properties/credentials/oneOf/0 with x-oauth2-provider, but the folder has no "
                         "oauth2.patch.json"));
}

TEST_F(ImageCheck, OAuthOptionWithoutDiscriminatorOrFilledFields) {
  Write("spec.patch.json",
        absl::StrReplaceAll(kSpecPatch, {{R"("discriminator": {"propertyName": "auth_type"}, )", ""}}));
  EXPECT_TRUE(HasProblem(Check(),
                         "the config schema's /properties/credentials has an OAuth option but no "
                         "`discriminator: {propertyName: ...}`"));
  Write("spec.patch.json",
        absl::StrReplaceAll(kSpecPatch, {{R"("const": "oauth", "default": "oauth")", R"("title": "t")"}}));
  EXPECT_TRUE(HasProblem(Check(), "has no `auth_type` with a const or default"));
  Write("oauth2.patch.json", R"({"provider": "acme", "authUrlTemplate": "https://acme/auth",
                                 "accessTokenResponseMap": {"refresh_token": "/refresh_token"}})");
  Write("spec.patch.json", kSpecPatch);
  EXPECT_TRUE(HasProblem(Check(), "has no field `refresh_token`, which the sign-in fills"));
}

TEST_F(ImageCheck, EmitFlowWritesTheSpecAndDiscoverResponses) {
  CheckResult result = Check({.shim = ATF_BINARY, .emit_flow = OutsidePath("flow")});
  ASSERT_TRUE(result.problems.empty()) << absl::StrJoin(result.problems, "\n");
  EXPECT_TRUE(absl::StrContains(dir_.Read("flow/spec.json"), R"("x-oauth2-provider":"acme")"));
  EXPECT_TRUE(absl::StrContains(dir_.Read("flow/discover.json"), R"("recommendedName":"workflows")"));
  // Another snapshot folder replays instead of upstream/.
  dir_.Write("other/spec.json", kUpstreamSpec);
  dir_.Write("other/streams.json", R"({"source": "t", "complete": true, "streams": [
    {"name": "users", "supported_sync_modes": ["full_refresh"], "json_schema": {"type": "object",
     "properties": {"id": {"type": "integer"}}}}]})");
  result = Check({.shim = ATF_BINARY, .upstream = OutsidePath("other"), .emit_flow = OutsidePath("flow2")});
  EXPECT_TRUE(result.problems.empty()) << absl::StrJoin(result.problems, "\n");
  EXPECT_FALSE(absl::StrContains(dir_.Read("flow2/discover.json"), "workflows"));
}

TEST_F(ImageCheck, UnpinnedUpstreamAndNoShimTagArg) {
  EditDockerfile("airbyte/source-acme:2.0.1", "airbyte/source-acme");
  EditDockerfile("ARG AIRBYTE_TO_FLOW_TAG=dev\n", "");
  CheckResult result = Check();
  EXPECT_TRUE(
      HasProblem(result, "Dockerfile:4: the upstream image `airbyte/source-acme` must be pinned to a version tag"));
  EXPECT_TRUE(HasProblem(result, "no `ARG AIRBYTE_TO_FLOW_TAG` before the first FROM"));
}

TEST_F(ImageCheck, NoWorkdirAndShimNeverCopied) {
  EditDockerfile("WORKDIR /airbyte/integration_code\n", "");
  EditDockerfile("COPY --from=airbyte-to-flow --chmod=0755 /airbyte-to-flow ./\n", "");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "the last stage sets no WORKDIR"));
  EXPECT_TRUE(HasProblem(result, "the shim is never copied"));
}

TEST_F(ImageCheck, PatchFileThatNoCopyBrings) {
  EditDockerfile("COPY streams ./streams\n", "");
  EXPECT_TRUE(HasProblem(Check(), "source-acme/streams/users.pk.json: not copied into the image"));
}

TEST_F(ImageCheck, CopySourceThatDoesNotExist) {
  EditDockerfile("COPY streams ./streams", "COPY streams ./streams\nCOPY overrides.json ./");
  EXPECT_TRUE(HasProblem(Check(), "Dockerfile:10: COPY source `overrides.json` matches no file"));
}

TEST_F(ImageCheck, MalformedPatchFilesNameTheFileAndTheFault) {
  Write("streams/users.pk.json", "[1]");
  Write("oauth2.patch.json", R"({"auth_type": "oauth2.0"})");
  Write("run_interval_minutes.json", "soon");
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "streams/users.pk.json: element 0 must be a string, got number"));
  EXPECT_TRUE(HasProblem(result, "oauth2.patch.json: not a valid Flow OAuth2 spec: auth_type: unknown field"));
  EXPECT_TRUE(HasProblem(result, "run_interval_minutes.json: must be a whole number of minutes"));
}

TEST_F(ImageCheck, FileTheShimNeverReads) {
  Write("oauth.patch.json", "{}");  // a typo of oauth2.patch.json
  EXPECT_TRUE(HasProblem(Check(), "oauth.patch.json is not a patch file the shim reads"));
}

TEST_F(ImageCheck, MetadataCopiedIntoTheImageWithoutDockerignore) {
  Write(".dockerignore", "upstream/\n");
  EXPECT_TRUE(HasProblem(Check(), "metadata.json is not a patch file the shim reads"));
}

TEST_F(ImageCheck, MetadataThatDisagreesWithTheFolder) {
  Write("metadata.json", absl::StrReplaceAll(kMetadata, {{R"("name": "source-acme")", R"("name": "source-other")"},
                                                         {R"("category": "api")", R"("category": "saas")"},
                                                         {R"("license": "MIT")", R"("license": "")"}}));
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "`name` is `source-other` but the folder name says `source-acme`"));
  EXPECT_TRUE(HasProblem(result, "`category` is `saas`, must be one of api, database, file, other"));
  EXPECT_TRUE(HasProblem(result, "`license` must be a non-empty string"));
}

TEST_F(ImageCheck, SpecPatchValueTheShimRewrites) {
  // The shim's clean-up of non-standard formats runs after the patch: the
  // image would not show what the patch says.
  Write("spec.patch.json", R"({"properties": {"record_count": {"format": "int64"}}})");
  std::remove(Path("oauth2.patch.json").c_str());
  EXPECT_TRUE(HasProblem(Check(),
                         "spec.patch.json sets /properties/record_count/format to \"int64\" but the Spec "
                         "response's configSchema has \"integer\""));
}

}  // namespace
}  // namespace atf::images

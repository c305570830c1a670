// The image check against connector folders made for each rule: a good one
// passes (its Spec run shows every patch), and each defect is reported by
// name. The registry's own folders are checked by the image_check.* tests.
#include "tests/images/image_check.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace atf::images {
namespace {

using testing::TestDir;

constexpr char kDockerfile[] = R"(ARG AIRBYTE_TO_FLOW_IMAGE=ghcr.io/estuary/airbyte-to-flow
ARG AIRBYTE_TO_FLOW_TAG=dev
FROM ${AIRBYTE_TO_FLOW_IMAGE}:${AIRBYTE_TO_FLOW_TAG} AS airbyte-to-flow

FROM airbyte/source-acme:2.0.1
WORKDIR /airbyte/integration_code
COPY --from=airbyte-to-flow /airbyte-to-flow ./
COPY *.json ./
COPY streams ./streams
ENTRYPOINT ["/airbyte/integration_code/airbyte-to-flow", "--connector-entrypoint", "python /airbyte/integration_code/main.py"]
LABEL FLOW_RUNTIME_PROTOCOL=capture
LABEL CONNECTOR_PROTOCOL=flow-capture
LABEL FLOW_RUNTIME_CODEC=json
LABEL io.airbyte.name=airbyte/source-acme io.airbyte.version=2.0.1
)";

constexpr char kMetadata[] = R"({"name": "source-acme", "display_name": "Acme", "category": "api",
  "upstream_image": "airbyte/source-acme", "upstream_version": "2.0.1",
  "documentation_url": "https://go.estuary.dev/source-acme", "license": "MIT", "description": "Acme."})";

class ImageCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    Write("Dockerfile", kDockerfile);
    Write("metadata.json", kMetadata);
    Write(".dockerignore", "metadata.json\n");
    Write("documentation_url.patch.json", R"({"documentation_url": "https://go.estuary.dev/source-acme"})");
    Write("spec.patch.json", R"({"properties": {"record_count": {"description": "How many."},
                                  "region": {"type": "string"}, "start_date": null}})");
    Write("oauth2.patch.json", R"({"provider": "acme", "authUrlTemplate": "https://acme/auth",
                                   "accessTokenResponseMap": {"access_token": "/token"}})");
    Write("streams/users.pk.json", R"(["id"])");
  }

  void Write(absl::string_view relative, absl::string_view text) { dir_.Write(Relative(relative), text); }
  void EditDockerfile(absl::string_view from, absl::string_view to) {
    std::string text = dir_.Read(Relative("Dockerfile"));
    ASSERT_TRUE(absl::StrContains(text, from)) << from;
    Write("Dockerfile", absl::StrReplaceAll(text, {{from, to}}));
  }

  CheckResult Check() {
    return CheckConnectorFolder(
        dir_.Path("source-acme"),
        {.shim = ATF_BINARY, .demo_connector = ATF_SOURCE_DIR "/connectors/source-demo/source-demo.sh"});
  }

  // The one problem containing `text`, with every problem shown on failure.
  ::testing::AssertionResult HasProblem(const CheckResult& result, absl::string_view text) {
    for (const std::string& problem : result.problems) {
      if (absl::StrContains(problem, text)) return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "no problem mentions `" << text << "`; problems:\n  "
                                         << absl::StrJoin(result.problems, "\n  ");
  }

 private:
  static std::string Relative(absl::string_view relative) { return absl::StrCat("source-acme/", relative); }
  TestDir dir_;
};

TEST_F(ImageCheck, AGoodFolderPassesAndItsSpecCarriesEveryPatch) {
  CheckResult result = Check();
  EXPECT_TRUE(result.problems.empty()) << absl::StrJoin(result.problems, "\n");
  EXPECT_EQ(absl::StrJoin(result.shown, "; "),
            "documentationUrl https://go.estuary.dev/source-acme; oauth2 from oauth2.patch.json; "
            "spec.patch.json (3 values)");
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
  EditDockerfile("io.airbyte.version=2.0.1", "io.airbyte.version=2.0.0");
  Write("metadata.json",
        absl::StrReplaceAll(kMetadata, {{R"("upstream_version": "2.0.1")", R"("upstream_version": "1.9")"}}));
  CheckResult result = Check();
  EXPECT_TRUE(HasProblem(result, "LABEL io.airbyte.version is `2.0.0` but the upstream image's tag is `2.0.1`"));
  EXPECT_TRUE(HasProblem(result, "metadata.json: `upstream_version` is `1.9` but the Dockerfile's FROM says `2.0.1`"));
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
  EditDockerfile("COPY --from=airbyte-to-flow /airbyte-to-flow ./\n", "");
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
  Write(".dockerignore", "");
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
  EXPECT_TRUE(HasProblem(Check(),
                         "spec.patch.json sets /properties/record_count/format to \"int64\" but the Spec "
                         "response's configSchema has \"integer\""));
}

}  // namespace
}  // namespace atf::images

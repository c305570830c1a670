// Wire compatibility: frames written by our codec are read with a descriptor
// built independently from docs/protocol.md's field facts (not from proto/),
// so a wrong field number or type in proto/ shows up here.
#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "atf/protocol/codec.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace atf {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::DynamicMessageFactory;
using google::protobuf::FileDescriptorProto;
using google::protobuf::Message;

// capture.Response and flow.ConnectorState / flow.OAuth2, transcribed from
// docs/protocol.md (Envelopes).
constexpr const char* kFlowProtocolTables = R"pb(
  name: "flow_protocol_tables.proto"
  package: "tables"
  syntax: "proto3"
  message_type {
    name: "ConnectorState"
    field { name: "updated_json" number: 1 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field { name: "merge_patch" number: 2 label: LABEL_OPTIONAL type: TYPE_BOOL }
  }
  message_type {
    name: "OAuth2"
    field { name: "provider" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "auth_url_template" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "access_token_url_template" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "access_token_body" number: 4 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "access_token_method" number: 11 label: LABEL_OPTIONAL type: TYPE_STRING }
  }
  message_type {
    name: "Response"
    field { name: "spec" number: 1 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".tables.Response.Spec" }
    field {
      name: "discovered"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".tables.Response.Discovered"
    }
    field {
      name: "validated"
      number: 3
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".tables.Response.Validated"
    }
    field { name: "applied" number: 4 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".tables.Response.Applied" }
    field { name: "opened" number: 5 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".tables.Response.Opened" }
    field { name: "captured" number: 6 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".tables.Response.Captured" }
    field {
      name: "checkpoint"
      number: 7
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".tables.Response.Checkpoint"
    }
    field {
      name: "sourced_schema"
      number: 8
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".tables.Response.SourcedSchema"
    }
    nested_type {
      name: "Spec"
      field { name: "protocol" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT32 }
      field { name: "config_schema_json" number: 2 label: LABEL_OPTIONAL type: TYPE_BYTES }
      field { name: "resource_config_schema_json" number: 3 label: LABEL_OPTIONAL type: TYPE_BYTES }
      field { name: "documentation_url" number: 4 label: LABEL_OPTIONAL type: TYPE_STRING }
      field { name: "oauth2" number: 5 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".tables.OAuth2" }
      field { name: "resource_path_pointers" number: 6 label: LABEL_REPEATED type: TYPE_STRING }
    }
    nested_type {
      name: "Discovered"
      field {
        name: "bindings"
        number: 1
        label: LABEL_REPEATED
        type: TYPE_MESSAGE
        type_name: ".tables.Response.Discovered.Binding"
      }
      nested_type {
        name: "Binding"
        field { name: "recommended_name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "resource_config_json" number: 2 label: LABEL_OPTIONAL type: TYPE_BYTES }
        field { name: "document_schema_json" number: 3 label: LABEL_OPTIONAL type: TYPE_BYTES }
        field { name: "key" number: 4 label: LABEL_REPEATED type: TYPE_STRING }
        field { name: "disable" number: 5 label: LABEL_OPTIONAL type: TYPE_BOOL }
        field { name: "resource_path" number: 6 label: LABEL_REPEATED type: TYPE_STRING }
        field { name: "is_fallback_key" number: 7 label: LABEL_OPTIONAL type: TYPE_BOOL }
      }
    }
    nested_type {
      name: "Validated"
      field {
        name: "bindings"
        number: 1
        label: LABEL_REPEATED
        type: TYPE_MESSAGE
        type_name: ".tables.Response.Validated.Binding"
      }
      nested_type {
        name: "Binding"
        field { name: "resource_path" number: 1 label: LABEL_REPEATED type: TYPE_STRING }
      }
    }
    nested_type {
      name: "Applied"
      field { name: "action_description" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    }
    nested_type {
      name: "Opened"
      field { name: "explicit_acknowledgements" number: 1 label: LABEL_OPTIONAL type: TYPE_BOOL }
    }
    nested_type {
      name: "Captured"
      field { name: "binding" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT32 }
      field { name: "doc_json" number: 2 label: LABEL_OPTIONAL type: TYPE_BYTES }
    }
    nested_type {
      name: "SourcedSchema"
      field { name: "binding" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT32 }
      field { name: "schema_json" number: 2 label: LABEL_OPTIONAL type: TYPE_BYTES }
    }
    nested_type {
      name: "Checkpoint"
      field { name: "state" number: 1 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".tables.ConnectorState" }
    }
  }
)pb";

class ProtoCompat : public ::testing::Test {
 protected:
  void SetUp() override {
    FileDescriptorProto file;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kFlowProtocolTables, &file));
    ASSERT_NE(pool_.BuildFile(file), nullptr);
  }

  // Our codec's frame for `json`, read with the tables' descriptor, printed
  // as protobuf text (names from the tables).
  std::string ReadWithTables(const capture::Response& response, bool fast_captured = false) {
    std::string frame;
    if (fast_captured) {
      AppendCaptured(Codec::kProto, response.captured().binding(), response.captured().doc_json(), &frame);
    } else {
      AppendResponse(Codec::kProto, response, &frame);
    }
    const uint32_t length = static_cast<uint8_t>(frame[0]) | static_cast<uint8_t>(frame[1]) << 8 |
                            static_cast<uint8_t>(frame[2]) << 16 |
                            static_cast<uint32_t>(static_cast<uint8_t>(frame[3])) << 24;
    EXPECT_EQ(length, frame.size() - 4);
    std::unique_ptr<Message> message(factory_.GetPrototype(pool_.FindMessageTypeByName("tables.Response"))->New());
    EXPECT_TRUE(message->ParseFromString(frame.substr(4)));
    EXPECT_TRUE(message->GetReflection()->GetUnknownFields(*message).empty());
    std::string text;
    google::protobuf::TextFormat::Printer printer;
    printer.SetSingleLineMode(true);
    printer.PrintToString(*message, &text);
    return text;
  }

  static capture::Response FromJson(const char* json) {
    capture::Response response;
    EXPECT_TRUE(DecodeResponse(Codec::kJson, json, &response).ok()) << json;
    return response;
  }

  DescriptorPool pool_;
  DynamicMessageFactory factory_;
};

TEST_F(ProtoCompat, CapturedAndCheckpointFieldNumbers) {
  capture::Response captured = FromJson(R"({"captured":{"binding":3,"doc":{"a":1}}})");
  EXPECT_EQ(ReadWithTables(captured), R"(captured { binding: 3 doc_json: "{\"a\":1}" } )");
  EXPECT_EQ(ReadWithTables(captured, /*fast_captured=*/true), R"(captured { binding: 3 doc_json: "{\"a\":1}" } )");
  EXPECT_EQ(ReadWithTables(FromJson(R"({"checkpoint":{"state":{"updated":{"x":[]},"mergePatch":true}}})")),
            R"(checkpoint { state { updated_json: "{\"x\":[]}" merge_patch: true } } )");
  EXPECT_EQ(ReadWithTables(FromJson(R"({"opened":{}})")), "opened { } ");
  EXPECT_EQ(ReadWithTables(FromJson(R"({"applied":{}})")), "applied { } ");
}

TEST_F(ProtoCompat, SpecDiscoveredValidatedFieldNumbers) {
  EXPECT_EQ(
      ReadWithTables(FromJson(
          R"({"spec":{"protocol":3032023,"configSchema":{},"resourceConfigSchema":{"t":1},"documentationUrl":"u","oauth2":{"provider":"p","accessTokenMethod":"POST"},"resourcePathPointers":["/namespace","/stream"]}})")),
      R"(spec { protocol: 3032023 config_schema_json: "{}" resource_config_schema_json: "{\"t\":1}" documentation_url: "u" oauth2 { provider: "p" access_token_method: "POST" } resource_path_pointers: "/namespace" resource_path_pointers: "/stream" } )");
  EXPECT_EQ(
      ReadWithTables(FromJson(
          R"({"discovered":{"bindings":[{"recommendedName":"r","resourceConfig":{},"documentSchema":{},"key":["/id"],"disable":true}]}})")),
      R"(discovered { bindings { recommended_name: "r" resource_config_json: "{}" document_schema_json: "{}" key: "/id" disable: true } } )");
  EXPECT_EQ(ReadWithTables(FromJson(R"({"validated":{"bindings":[{"resourcePath":["ns","s"]}]}})")),
            R"(validated { bindings { resource_path: "ns" resource_path: "s" } } )");
  EXPECT_EQ(ReadWithTables(FromJson(R"({"sourcedSchema":{"binding":1,"documentSchema":{}}})")),
            R"(sourced_schema { binding: 1 schema_json: "{}" } )");
}

}  // namespace
}  // namespace atf

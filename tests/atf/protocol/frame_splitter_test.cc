// Line and frame splitting, including docs/reference.md vectors F (F1-F4).
#include "atf/protocol/frame_splitter.h"

#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "atf/protocol/airbyte.h"
#include "gtest/gtest.h"

namespace atf {
namespace {

// Feeds `chunks` one by one and returns every frame, then the final one.
std::vector<std::string> Split(FrameSplitter::Mode mode, const std::vector<std::string>& chunks, size_t max = 1 << 20) {
  FrameSplitter splitter(mode, max);
  std::vector<std::string> frames;
  for (const std::string& chunk : chunks) {
    splitter.Append(chunk);
    for (;;) {
      auto frame = splitter.Next();
      EXPECT_TRUE(frame.ok()) << frame.status();
      if (!frame.ok() || !*frame) break;
      if (mode == FrameSplitter::Mode::kLines) {
        EXPECT_EQ((**frame).data()[(**frame).size()], '\0');
      }
      frames.emplace_back(**frame);
    }
  }
  auto last = splitter.Finish();
  EXPECT_TRUE(last.ok()) << last.status();
  if (last.ok() && *last) frames.emplace_back(**last);
  return frames;
}

TEST(FrameSplitter, F1_LinesOfOneChunkWithoutFinalNewline) {
  EXPECT_EQ(Split(FrameSplitter::Mode::kLines, {"{\"test\": \"hello\"}\nother\n{\"object\": {}}"}),
            (std::vector<std::string>{"{\"test\": \"hello\"}", "other", "{\"object\": {}}"}));
}

TEST(FrameSplitter, ChunkBoundariesDoNotMatter) {
  const std::string text = "{\"a\":1}\r\n\nsecond line\nthird";
  std::vector<std::string> bytes;
  for (char c : text) bytes.emplace_back(1, c);
  const std::vector<std::string> expected = {"{\"a\":1}", "", "second line", "third"};
  EXPECT_EQ(Split(FrameSplitter::Mode::kLines, bytes), expected);
  EXPECT_EQ(Split(FrameSplitter::Mode::kLines, {text}), expected);
}

TEST(FrameSplitter, OnlyOneCarriageReturnIsDropped) {
  EXPECT_EQ(Split(FrameSplitter::Mode::kLines, {"a\r\r\nb\rc\n"}), (std::vector<std::string>{"a\r", "b\rc"}));
}

TEST(FrameSplitter, LineLongerThanTheMaximumIsAClearError) {
  FrameSplitter splitter(FrameSplitter::Mode::kLines, 10);
  splitter.Append("short\n0123456789ABCDEF");
  EXPECT_EQ(**splitter.Next(), "short");
  auto too_long = splitter.Next();
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().message(),
            "line 2 is larger than the maximum message size of 10 bytes (16 bytes so far); raise --max-message-size");
}

TEST(FrameSplitter, LineOfExactlyTheMaximumPasses) {
  EXPECT_EQ(Split(FrameSplitter::Mode::kLines, {"0123456789\n"}, 10), (std::vector<std::string>{"0123456789"}));
}

TEST(FrameSplitter, LengthPrefixedFrames) {
  std::string two = std::string("\x02\x00\x00\x00", 4) + "hi" + std::string("\x00\x00\x00\x00", 4);
  std::vector<std::string> bytes;
  for (char c : two) bytes.emplace_back(1, c);
  EXPECT_EQ(Split(FrameSplitter::Mode::kLengthPrefixed, bytes), (std::vector<std::string>{"hi", ""}));
}

TEST(FrameSplitter, PartialLengthPrefixedFrameAtEndIsAnError) {
  FrameSplitter splitter(FrameSplitter::Mode::kLengthPrefixed, 100);
  splitter.Append(std::string("\x05\x00\x00\x00", 4) + "abc");
  EXPECT_FALSE(*splitter.Next());
  auto last = splitter.Finish();
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.status().message(), "input ended inside frame 1 (7 bytes of a partial frame)");
}

TEST(FrameSplitter, OversizedLengthPrefixIsRejectedBeforeReading) {
  FrameSplitter splitter(FrameSplitter::Mode::kLengthPrefixed, 100);
  splitter.Append(std::string("\x00\x00\x00\x01", 4));  // 16 MiB
  auto frame = splitter.Next();
  ASSERT_FALSE(frame.ok());
  EXPECT_TRUE(absl::StrContains(frame.status().message(), "frame 1 is larger than the maximum message size of 100"));
}

TEST(FrameSplitter, ReadsFromAFileDescriptorAcrossManyReads) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string big(1 << 20, 'x');  // one line larger than a read chunk
  std::thread writer([&] {
    std::string data = "first\n" + big + "\nlast";
    size_t off = 0;
    while (off < data.size()) off += static_cast<size_t>(::write(fds[1], data.data() + off, data.size() - off));
    ::close(fds[1]);
  });
  FrameSplitter splitter(FrameSplitter::Mode::kLines, 2 << 20);
  std::vector<size_t> sizes;
  for (;;) {
    auto n = splitter.ReadFrom(fds[0]);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    while (auto line = *splitter.Next()) sizes.push_back(line->size());
  }
  auto last = splitter.Finish();
  ASSERT_TRUE(last.ok() && *last);
  sizes.push_back((*last)->size());
  writer.join();
  ::close(fds[0]);
  EXPECT_EQ(sizes, (std::vector<size_t>{5, big.size(), 4}));
}

// F2-F4: a connection status split across reads, after junk lines.
AirbyteMessage FirstMessage(const std::vector<std::string>& chunks) {
  FrameSplitter splitter(FrameSplitter::Mode::kLines, 1 << 20);
  AirbyteDecoder decoder;
  AirbyteMessage message;
  std::vector<std::string> lines;
  for (const std::string& chunk : chunks) splitter.Append(chunk);
  for (;;) {
    auto line = splitter.Next();
    if (!*line) break;
    auto result = decoder.Decode(**line, &message);
    EXPECT_TRUE(result.ok());
    if (result->kind == AirbyteDecoder::Kind::kMessage) return message;
  }
  auto last = splitter.Finish();
  EXPECT_TRUE(last.ok() && *last);
  auto result = decoder.Decode(**last, &message);
  EXPECT_TRUE(result.ok() && result->kind == AirbyteDecoder::Kind::kMessage);
  return message;
}

void ExpectSucceeded(const AirbyteMessage& message) {
  ASSERT_EQ(message.type, AirbyteType::kConnectionStatus);
  const rapidjson::Value* status = message.Payload();
  ASSERT_NE(status, nullptr);
  EXPECT_STREQ((*status)["status"].GetString(), "SUCCEEDED");
  EXPECT_STREQ((*status)["message"].GetString(), "test");
}

TEST(FrameSplitter, F2_JsonSplitAcrossChunksWithoutFinalNewline) {
  ExpectSucceeded(FirstMessage(
      {R"({"type": "CONNECTION_STATUS", "connectionStatus": {)", R"("status": "SUCCEEDED","message":"test"}})"}));
}

TEST(FrameSplitter, F3_EmptyObjectLineIsSkipped) {
  ExpectSucceeded(FirstMessage({"{}\n{\"type\": \"CONNECTION_STATUS\", \"connectionStatus\": {",
                                R"("status": "SUCCEEDED","message":"test"}})"}));
}

TEST(FrameSplitter, F4_PlaintextMixedIn) {
  ExpectSucceeded(FirstMessage({"I am plaintext!\n{\"type\": \"CONNECTION_STATUS\", \"connectionStatus\": {",
                                R"("status": "SUCCEEDED","message":"test"}})"}));
}

}  // namespace
}  // namespace atf

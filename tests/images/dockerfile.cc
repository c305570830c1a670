#include "tests/images/dockerfile.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "atf/base/json.h"
#include "atf/base/status.h"

namespace atf::images {
namespace {

bool IsKeyword(absl::string_view word) {
  if (word.empty()) return false;
  for (char c : word) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsNameChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

absl::StatusOr<std::vector<DockerInstruction>> ParseDockerfile(absl::string_view text, absl::string_view file_name) {
  std::vector<DockerInstruction> instructions;
  bool continued = false;
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line.front() == '#') continue;
    const bool continues = absl::ConsumeSuffix(&line, "\\");
    line = absl::StripAsciiWhitespace(line);
    if (continued) {
      std::string& arguments = instructions.back().arguments;
      if (!arguments.empty() && !line.empty()) arguments += ' ';
      absl::StrAppend(&arguments, line);
    } else {
      const size_t space = line.find_first_of(" \t");
      absl::string_view keyword = line.substr(0, space);
      if (!IsKeyword(keyword)) {
        return absl::InvalidArgumentError(
            absl::StrCat(file_name, ":", number, ": `", keyword, "` is not a Dockerfile instruction"));
      }
      absl::string_view rest = space == absl::string_view::npos ? "" : line.substr(space);
      instructions.push_back({absl::AsciiStrToUpper(keyword), std::string(absl::StripAsciiWhitespace(rest)), number});
    }
    continued = continues;
  }
  if (continued) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ":", instructions.back().line, ": the instruction ends with `\\` but nothing follows"));
  }
  return instructions;
}

absl::StatusOr<std::vector<std::string>> SplitWords(absl::string_view arguments) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const char c = arguments[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
    } else if (c == '\\' && i + 1 < arguments.size()) {
      word += arguments[++i];
      in_word = true;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else
        word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return absl::InvalidArgumentError(absl::StrCat("unterminated ", std::string(1, quote), " quote"));
  if (in_word) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<std::optional<std::vector<std::string>>> ExecForm(absl::string_view arguments) {
  if (!absl::StartsWith(arguments, "[")) return std::nullopt;
  ATF_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(arguments, "the exec form"));
  if (!doc.IsArray()) return absl::InvalidArgumentError("the exec form must be a JSON array of strings");
  std::vector<std::string> words;
  for (const rapidjson::Value& element : doc.GetArray()) {
    if (!element.IsString()) return absl::InvalidArgumentError("the exec form must be a JSON array of strings");
    words.emplace_back(ViewOf(element));
  }
  return words;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseLabels(absl::string_view arguments) {
  ATF_ASSIGN_OR_RETURN(std::vector<std::string> words, SplitWords(arguments));
  std::vector<std::pair<std::string, std::string>> labels;
  for (const std::string& word : words) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("`", word, "` is not key=value"));
    }
    labels.emplace_back(word.substr(0, eq), word.substr(eq + 1));
  }
  return labels;
}

std::string Substitute(absl::string_view text, const std::map<std::string, std::string>& values) {
  auto lookup = [&](absl::string_view name) -> std::string {
    auto it = values.find(std::string(name));
    return it == values.end() ? "" : it->second;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '{') {
      const size_t close = text.find('}', i + 2);
      if (close == absl::string_view::npos) {
        absl::StrAppend(&out, text.substr(i));
        break;
      }
      absl::string_view inner = text.substr(i + 2, close - i - 2);
      const size_t dash = inner.find(":-");
      if (dash == absl::string_view::npos) {
        out += lookup(inner);
      } else {
        std::string value = lookup(inner.substr(0, dash));
        out += value.empty() ? std::string(inner.substr(dash + 2)) : value;
      }
      i = close;
    } else {
      size_t end = i + 1;
      while (end < text.size() && IsNameChar(text[end])) ++end;
      if (end == i + 1) {
        out += '$';
        continue;
      }
      out += lookup(text.substr(i + 1, end - i - 1));
      i = end - 1;
    }
  }
  return out;
}

}  // namespace atf::images

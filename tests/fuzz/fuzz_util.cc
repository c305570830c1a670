#include "tests/fuzz/fuzz_util.h"

#include <stdlib.h>

namespace atf::fuzz {

const std::string& ScratchDir() {
  static const std::string* dir = [] {
    std::string pattern = std::string(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + "/atf-fuzz-XXXXXX";
    const char* made = ::mkdtemp(pattern.data());
    return new std::string(made ? made : "/tmp");
  }();
  return *dir;
}

}  // namespace atf::fuzz

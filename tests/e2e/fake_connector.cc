// A scripted stand-in for an Airbyte connector, for end-to-end tests.
//
//   fake-connector --script FILE <airbyte command and arguments>
//
// The script has one section per Airbyte command (`[spec]`, `[discover]`,
// `[check]`, `[read]`, or `[*]` for any); the section matching the command is
// run line by line:
//
//   out TEXT               write TEXT and a newline to stdout
//   out-raw TEXT           write TEXT without a newline
//   out-file PATH          copy a file to stdout (replays recorded output)
//   err TEXT               write TEXT and a newline to stderr
//   records STREAM N [PAD] write N RECORD messages {"id": i} for STREAM, with a
//                          `pad` string of PAD bytes when given
//   catalog-records N      write N RECORD messages {"id": i, "stream": NAME} for
//                          every stream of the --catalog file, stream by stream
//   cdk-full-refresh STREAM PAGES [CRASH_AFTER]
//                          a resumable full-refresh stream as Airbyte's CDK
//                          reads it: state {"page": P} resumes at page P, the
//                          completion marker reads nothing; 2 records and a
//                          state per page, the marker at the end (exit 1 after
//                          page CRASH_AFTER when given)
//   big-record STREAM N    write one RECORD whose `blob` string has N bytes
//   junk N                 write N lines that are not Airbyte messages
//   sleep SECONDS          sleep (fractions allowed)
//   hang                   sleep forever
//   ignore-sigterm         ignore SIGTERM from now on
//   exit CODE              exit with CODE
//   kill SIGNAL            kill itself with signal number SIGNAL
//   save-args PATH         write the command arguments to PATH, one per line
//   save-input FLAG PATH   copy the file given after FLAG (--config, --catalog, --state) to PATH
//   save-stdin PATH        write what stdin holds (until EOF) to PATH
//   touch PATH             create PATH (lets a test know the connector runs)
//   pid PATH               write the connector's process id to PATH
//   wait-for PATH          wait until PATH exists
//   spawn-holder SECONDS   start a child that keeps stdout open for SECONDS
//
// Without a matching section the connector exits 0 silently.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

void Fail(const std::string& why) {
  std::cerr << "fake-connector: " << why << std::endl;
  std::exit(99);
}

std::string Arg(const std::vector<std::string>& args, const std::string& flag) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) return args[i + 1];
  }
  Fail("no " + flag + " argument");
  return "";
}

void CopyFile(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) Fail("cannot read " + from);
  std::ofstream out(to, std::ios::binary);
  out << in.rdbuf();
}

void Write(const std::string& text) {
  std::cout << text;
  std::cout.flush();
}

void Run(const std::string& op, const std::string& rest, const std::vector<std::string>& args) {
  std::istringstream words(rest);
  if (op == "out") {
    Write(rest + "\n");
  } else if (op == "out-raw") {
    Write(rest);
  } else if (op == "out-file") {
    std::ifstream in(rest, std::ios::binary);
    if (!in) Fail("cannot read " + rest);
    std::cout << in.rdbuf();
    std::cout.flush();
  } else if (op == "err") {
    std::cerr << rest << std::endl;
  } else if (op == "records") {
    std::string stream;
    long n;
    size_t pad = 0;
    words >> stream >> n >> pad;
    const std::string padding = pad > 0 ? R"(,"pad":")" + std::string(pad, 'p') + "\"" : "";
    for (long i = 0; i < n; ++i) {
      std::cout << R"({"type":"RECORD","record":{"stream":")" << stream << R"(","data":{"id":)" << i << padding
                << R"(},"emitted_at":1700000000000}})" << '\n';
    }
    std::cout.flush();
  } else if (op == "catalog-records") {
    // The shim writes each configured stream as {"stream":{"name":"NAME",...
    std::ifstream in(Arg(args, "--catalog"), std::ios::binary);
    if (!in) Fail("cannot read the catalog");
    std::stringstream catalog;
    catalog << in.rdbuf();
    const std::string text = catalog.str(), marker = R"({"stream":{"name":")";
    const long n = std::stol(rest);
    for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
      const size_t begin = at + marker.size();
      const std::string name = text.substr(begin, text.find('"', begin) - begin);
      for (long i = 0; i < n; ++i) {
        std::cout << R"({"type":"RECORD","record":{"stream":")" << name << R"(","data":{"id":)" << i << R"(,"stream":")"
                  << name << R"("},"emitted_at":1700000000000}})" << '\n';
      }
    }
    std::cout.flush();
  } else if (op == "cdk-full-refresh") {
    std::string stream;
    int pages = 0, crash_after = -1;
    words >> stream >> pages >> crash_after;
    std::ifstream in(Arg(args, "--state"), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string state = text.str(), name = "\"name\":\"" + stream + "\"";
    const size_t at = state.find(name);
    const std::string entry = at == std::string::npos ? "" : state.substr(at, state.find("}}", at) - at);
    auto emit_state = [&](const std::string& json) {
      std::cout << R"({"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":")" << stream
                << R"("},"stream_state":)" << json << "}}}\n";
    };
    if (entry.find("__ab_full_refresh_sync_complete") != std::string::npos) {
      emit_state(R"({"__ab_full_refresh_sync_complete":true})");  // the CDK reads nothing
      std::cout.flush();
      return;
    }
    int page = 0;
    if (size_t p = entry.find("\"page\":"); p != std::string::npos) page = std::stoi(entry.substr(p + 7));
    for (; page < pages; ++page) {
      for (int i = 0; i < 2; ++i) {
        std::cout << R"({"type":"RECORD","record":{"stream":")" << stream << R"(","data":{"page":)" << page
                  << R"(,"i":)" << i << R"(},"emitted_at":1}})" << '\n';
      }
      emit_state(R"({"page":)" + std::to_string(page + 1) + "}");
      std::cout.flush();
      if (page == crash_after) std::exit(1);
    }
    emit_state(R"({"__ab_full_refresh_sync_complete":true})");
    std::cout.flush();
  } else if (op == "big-record") {
    std::string stream;
    size_t n;
    words >> stream >> n;
    std::cout << R"({"type":"RECORD","record":{"stream":")" << stream << R"(","data":{"blob":")" << std::string(n, 'x')
              << R"("},"emitted_at":1}})" << '\n';
    std::cout.flush();
  } else if (op == "junk") {
    long n = std::stol(rest);
    for (long i = 0; i < n; ++i) std::cout << "not a message: junk line " << i << '\n';
    std::cout.flush();
  } else if (op == "sleep") {
    std::this_thread::sleep_for(std::chrono::duration<double>(std::stod(rest)));
  } else if (op == "hang") {
    for (;;) ::pause();
  } else if (op == "ignore-sigterm") {
    ::signal(SIGTERM, SIG_IGN);
  } else if (op == "exit") {
    std::cout.flush();
    std::exit(std::stoi(rest));
  } else if (op == "kill") {
    std::cout.flush();
    ::signal(std::stoi(rest), SIG_DFL);
    ::kill(::getpid(), std::stoi(rest));
    ::pause();
  } else if (op == "save-args") {
    std::ofstream out(rest);
    for (const std::string& arg : args) out << arg << '\n';
  } else if (op == "save-input") {
    std::string flag, path;
    words >> flag >> path;
    CopyFile(Arg(args, flag), path);
  } else if (op == "save-stdin") {
    std::ofstream out(rest, std::ios::binary);
    out << std::cin.rdbuf();
  } else if (op == "touch") {
    std::ofstream out(rest);
  } else if (op == "pid") {
    std::ofstream out(rest + ".tmp");
    out << ::getpid() << std::endl;
    out.close();
    std::rename((rest + ".tmp").c_str(), rest.c_str());
  } else if (op == "wait-for") {
    struct stat st;
    while (::stat(rest.c_str(), &st) != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } else if (op == "spawn-holder") {
    if (::fork() == 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::stod(rest)));
      std::_Exit(0);
    }
  } else {
    Fail("unknown directive `" + op + "`");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || std::string(argv[1]) != "--script") Fail("usage: fake-connector --script FILE COMMAND...");
  std::ifstream script(argv[2]);
  if (!script) Fail(std::string("cannot read script ") + argv[2]);
  std::vector<std::string> args(argv + 3, argv + argc);
  const std::string command = args.empty() ? "" : args[0];

  bool active = false;
  std::string line;
  while (std::getline(script, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string section = line.substr(1, line.size() - 2);
      if (active) break;  // the matching section ended
      active = section == command || section == "*";
      continue;
    }
    if (!active) continue;
    size_t space = line.find(' ');
    Run(line.substr(0, space), space == std::string::npos ? "" : line.substr(space + 1), args);
  }
  std::cout.flush();
  return 0;
}

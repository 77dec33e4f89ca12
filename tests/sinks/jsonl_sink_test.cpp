#include "sinks/jsonl_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace rssflow {
namespace {

namespace fs = std::filesystem;

Article article(int i) {
  Article a;
  a.url = "https://blog.example.org/posts/" + std::to_string(i);
  a.guid = a.url;
  a.title = "Post \"" + std::to_string(i) + "\"\twith \xE2\x80\xA8 separator";
  a.summary = "Summary " + std::to_string(i);
  a.content_text = "Body\n" + std::to_string(i);
  a.feed_url = "https://blog.example.org/feed.xml";
  a.url_hash = xxh3_128(a.url);
  a.content_hash = xxh3_128(a.title + "\n" + a.content_text);
  return a;
}

std::vector<Article> articles(int from, int count) {
  std::vector<Article> out;
  for (int i = from; i < from + count; ++i) out.push_back(article(i));
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

std::vector<fs::path> entries_of(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
  return out;
}

class JsonlSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("jsonl_sink_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(JsonlSinkTest, WritesOneParseableRecordPerLineAndRenamesOnFinish) {
  const fs::path out = dir_ / "articles.jsonl";
  JsonlSink sink(out, /*flush_bytes=*/256);  // small buffer: several flushes before finish
  auto first = articles(0, 5);
  auto second = articles(5, 7);
  sink.write(std::move(first));
  sink.write(std::move(second));
  EXPECT_FALSE(fs::exists(out)) << "nothing visible at the target before finish()";
  const LoadStats stats = sink.finish();
  EXPECT_EQ(stats.written, 12u);
  EXPECT_GE(stats.batches, 2u);

  const auto lines = lines_of(read_file(out));
  ASSERT_EQ(lines.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    const auto j = nlohmann::json::parse(lines[static_cast<std::size_t>(i)]);
    EXPECT_EQ(j["url"], article(i).url);
    EXPECT_EQ(j["title"], article(i).title);
  }
  EXPECT_EQ(entries_of(dir_), std::vector<fs::path>{"articles.jsonl"}) << "no temporary file left";
}

TEST_F(JsonlSinkTest, ReplacesAnExistingFileOnlyWhenFinished) {
  const fs::path out = dir_ / "articles.jsonl";
  { std::ofstream(out) << "old contents\n"; }
  {
    JsonlSink sink(out);
    auto batch = articles(0, 3);
    sink.write(std::move(batch));
    EXPECT_EQ(read_file(out), "old contents\n");
    sink.finish();
  }
  EXPECT_EQ(lines_of(read_file(out)).size(), 3u);
}

TEST_F(JsonlSinkTest, FailedRunLeavesNoHalfWrittenFile) {
  const fs::path out = dir_ / "articles.jsonl";
  { std::ofstream(out) << "previous run\n"; }
  {
    JsonlSink sink(out, /*flush_bytes=*/64);
    auto batch = articles(0, 50);
    sink.write(std::move(batch));  // flushed to the temporary file several times
    EXPECT_EQ(entries_of(dir_).size(), 2u) << "target plus the temporary file";
    // The run fails here: the sink is destroyed without finish().
  }
  EXPECT_EQ(read_file(out), "previous run\n");
  EXPECT_EQ(entries_of(dir_), std::vector<fs::path>{"articles.jsonl"});
}

TEST_F(JsonlSinkTest, EmptyRunWritesAnEmptyFile) {
  const fs::path out = dir_ / "empty.jsonl";
  JsonlSink sink(out);
  EXPECT_EQ(sink.finish().written, 0u);
  EXPECT_TRUE(fs::exists(out));
  EXPECT_EQ(fs::file_size(out), 0u);
}

TEST_F(JsonlSinkTest, MissingDirectoryThrowsSinkErrorNamingPathAndCause) {
  const fs::path out = dir_ / "no" / "such" / "dir" / "articles.jsonl";
  try {
    JsonlSink sink(out);
    FAIL() << "expected SinkError";
  } catch (const SinkError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(out.string()), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
}

TEST_F(JsonlSinkTest, DirectoryAsOutputPathThrowsSinkError) {
  EXPECT_THROW(JsonlSink sink(dir_ / ""), SinkError);
}

// Points file descriptor 1 at another file for the lifetime of the object.
class StdoutRedirect {
 public:
  explicit StdoutRedirect(const char* path, int flags) {
    std::fflush(stdout);
    saved_ = ::dup(STDOUT_FILENO);
    const int fd = ::open(path, flags, 0600);
    ::dup2(fd, STDOUT_FILENO);
    ::close(fd);
  }
  ~StdoutRedirect() {
    std::fflush(stdout);
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
  }

 private:
  int saved_ = -1;
};

TEST_F(JsonlSinkTest, DashStreamsToStdout) {
  const fs::path captured = dir_ / "stdout.txt";
  LoadStats stats;
  {
    StdoutRedirect redirect(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC);
    JsonlSink sink("-");
    auto batch = articles(0, 4);
    sink.write(std::move(batch));
    stats = sink.finish();
  }
  EXPECT_EQ(stats.written, 4u);
  const auto lines = lines_of(read_file(captured));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(lines[3])["url"], article(3).url);
}

TEST_F(JsonlSinkTest, WriteErrorOnStdoutThrowsSinkErrorWithErrnoText) {
  // A reader that went away: stdout is a pipe whose read end is closed.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  const auto old_handler = std::signal(SIGPIPE, SIG_IGN);  // EPIPE instead of death
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  ::dup2(fds[1], STDOUT_FILENO);
  ::close(fds[1]);
  std::string what;
  try {
    JsonlSink sink("-");
    auto batch = articles(0, 2);
    sink.write(std::move(batch));
    sink.finish();
  } catch (const SinkError& e) {
    what = e.what();
  }
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  std::signal(SIGPIPE, old_handler);
  EXPECT_NE(what.find("Broken pipe"), std::string::npos) << what;
  EXPECT_NE(what.find(" -:"), std::string::npos) << what;
}

TEST_F(JsonlSinkTest, StreamsIntoAFifoInsteadOfReplacingIt) {
  // Renaming a temporary file over a FIFO or a device (/dev/null, /dev/stdout) would replace it
  // with a regular file: such targets are written in place.
  const fs::path fifo = dir_ / "records.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  {
    JsonlSink sink(fifo);
    auto batch = articles(0, 3);
    sink.write(std::move(batch));
    EXPECT_EQ(sink.finish().written, 3u);
  }
  reader.join();
  EXPECT_EQ(lines_of(received).size(), 3u);
  EXPECT_TRUE(fs::is_fifo(fifo)) << "the FIFO is still a FIFO";
  EXPECT_EQ(entries_of(dir_), std::vector<fs::path>{"records.fifo"});
}

TEST_F(JsonlSinkTest, ReplacesASymlinkTargetAndKeepsTheLink) {
  fs::create_directories(dir_ / "data");
  const fs::path target = dir_ / "data" / "articles.jsonl";
  const fs::path link = dir_ / "latest.jsonl";
  { std::ofstream(target) << "old\n"; }
  fs::create_symlink(target, link);
  {
    JsonlSink sink(link);
    auto batch = articles(0, 2);
    sink.write(std::move(batch));
    sink.finish();
  }
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(lines_of(read_file(target)).size(), 2u);
  EXPECT_EQ(entries_of(dir_ / "data"), std::vector<fs::path>{"articles.jsonl"});
}

TEST_F(JsonlSinkTest, ExistingDirectoryAsOutputPathThrowsSinkError) {
  fs::create_directories(dir_ / "out.jsonl");
  EXPECT_THROW(JsonlSink sink(dir_ / "out.jsonl"), SinkError);
}

}  // namespace
}  // namespace rssflow

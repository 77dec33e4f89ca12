// The fetch floor of scripts/bench/schedule.sh: the least a process that must receive every
// body through libcurl can spend. GETs each URL of a file (one per line) through one curl multi
// handle, PARALLEL transfers at a time (schedule.sh passes rssflow's --per-host default, as all
// its feeds are on one host), and discards the bodies: no hashing, no state, no threads beyond
// libcurl's own. With libcurl's default options, or with --as-rssflow the two receive options
// rssflow's fetcher sets (no signals, its receive buffer size), which make libcurl cheaper.
//
//   libcurl_floor PARALLEL URL_FILE [--as-rssflow]
#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "sources/http_fetcher.h"  // kReceiveBufferBytes

namespace {

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

bool as_rssflow = false;

void start(CURLM* multi, CURL* easy, const std::string& url) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  if (as_rssflow) {
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, rssflow::kReceiveBufferBytes);
  }
  curl_multi_add_handle(multi, easy);
}

}  // namespace

int main(int argc, char** argv) {
  as_rssflow = argc == 4 && std::string(argv[3]) == "--as-rssflow";
  if ((argc != 3 && !as_rssflow) || std::atoi(argv[1]) < 1) {
    std::fprintf(stderr, "usage: libcurl_floor PARALLEL URL_FILE [--as-rssflow]\n");
    return 2;
  }
  const auto parallel = static_cast<std::size_t>(std::atoi(argv[1]));
  std::vector<std::string> urls;
  std::ifstream file(argv[2]);
  for (std::string line; std::getline(file, line);)
    if (!line.empty()) urls.push_back(line);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  std::size_t next = 0;
  int failed = 0;
  for (; next < urls.size() && next < parallel; ++next) start(multi, curl_easy_init(), urls[next]);
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      if (message->data.result != CURLE_OK) ++failed;
      curl_multi_remove_handle(multi, easy);
      if (next < urls.size()) {
        start(multi, easy, urls[next++]);
        running = 1;
      } else {
        curl_easy_cleanup(easy);
      }
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  if (failed > 0) std::fprintf(stderr, "libcurl_floor: %d transfers failed\n", failed);
  return failed > 0 ? 1 : 0;
}

#include "sources/http_fetcher.h"

#include <curl/curl.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "core/version.h"
#include "sources/http_fetcher_response.h"
#include "sources/http_fetcher_scheduler.h"
#include "sources/http_fetcher_target.h"

namespace rssflow {
namespace {

using Clock = std::chrono::steady_clock;

struct Job {
  FetchRequest request;
  FetchCallback on_done;
  std::string host_key;
  bool https = false;
  int attempt = 0;  // 0 for the first try
  std::optional<Clock::time_point> first_started;
};

// One transfer in flight: the job plus everything curl's callbacks write into.
struct Transfer {
  Job job;
  CURL* easy = nullptr;
  curl_slist* request_headers = nullptr;
  std::string body;
  std::size_t max_body_bytes = 0;
  bool body_over_cap = false;
  ResponseChain chain;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  // Counted after decompression, so a small gzip/deflate/br bomb is stopped at the cap.
  if (transfer->body.size() + length > transfer->max_body_bytes) {
    transfer->body_over_cap = true;
    return 0;  // any short count aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer->body.append(data, length);
  return length;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  const std::size_t before = transfer->chain.responses.size();
  transfer->chain.consume_header_line(std::string_view(data, length));
  if (transfer->chain.responses.size() != before) transfer->body.clear();  // a new response begins
  return length;
}

std::string default_user_agent() {
  return std::string("rssflow/") + kVersion + " (+" + kProjectUrl + ")";
}

FetchResult make_result(Outcome<FetchedFeed> outcome) {
  FetchResult result{std::move(outcome), 0, std::nullopt, 0, std::chrono::milliseconds(0)};
  return result;
}

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

}  // namespace

struct HttpFetcher::Impl {
  explicit Impl(FetchOptions opts) : options(std::move(opts)), scheduler(options.max_in_flight, options.max_per_host) {
    init_curl_once();
    if (options.user_agent.empty()) options.user_agent = default_user_agent();
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // Keep enough idle connections that every host in flight can be reused.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_in_flight) * 2);
    worker = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    curl_multi_wakeup(multi);
    worker.join();
    for (auto& [easy, transfer] : transfers) {
      curl_multi_remove_handle(multi, easy);
      release(*transfer);
    }
    for (CURL* easy : idle_handles) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
  }

  void submit(FetchRequest request, FetchCallback on_done) {
    {
      std::lock_guard lock(mutex);
      incoming.push_back(Job{std::move(request), std::move(on_done), {}, false, 0, std::nullopt});
    }
    curl_multi_wakeup(multi);
  }

  void run() {
    for (;;) {
      std::vector<Job> batch;
      {
        std::lock_guard lock(mutex);
        if (stopping) return;
        batch.swap(incoming);
      }
      for (Job& job : batch) admit(std::move(job));
      release_due_retries();
      start_transfers();
      int running = 0;
      curl_multi_perform(multi, &running);
      const bool finished_any = collect_finished();
      if (finished_any) continue;  // free slots: start queued transfers before waiting
      curl_multi_poll(multi, nullptr, 0, poll_timeout_ms(), nullptr);
    }
  }

  // Routes a new job: file:// and invalid URLs complete at once; network jobs are queued.
  void admit(Job job) {
    auto target = classify_source_url(job.request.source.url);
    if (auto* error = std::get_if<StageError>(&target)) {
      complete(job, make_result(std::move(*error)));
      return;
    }
    if (auto* file = std::get_if<FileTarget>(&target)) {
      const auto started = Clock::now();
      FetchResult result = make_result(read_file_source(job.request.source, *file, options.max_body_bytes));
      if (auto* feed = std::get_if<FetchedFeed>(&result.outcome)) result.bytes_received = feed->body.size();
      result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      complete(job, std::move(result));
      return;
    }
    job.host_key = std::get<NetworkTarget>(target).host_key;
    job.https = std::get<NetworkTarget>(target).https;
    std::string host = job.host_key;
    scheduler.enqueue(host, std::move(job));
  }

  void release_due_retries() {
    const auto now = Clock::now();
    while (!retries.empty() && retries.begin()->first <= now) {
      Job job = std::move(retries.begin()->second);
      retries.erase(retries.begin());
      std::string host = job.host_key;
      scheduler.enqueue(host, std::move(job));
    }
  }

  long poll_timeout_ms() const {
    constexpr long kIdleMs = 1000;  // curl_multi_poll shortens this to curl's own timers
    if (retries.empty()) return kIdleMs;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(retries.begin()->first - Clock::now());
    return std::clamp<long>(static_cast<long>(wait.count()), 0, kIdleMs);
  }

  void start_transfers() {
    while (auto next = scheduler.next()) {
      auto transfer = std::make_unique<Transfer>();
      transfer->job = std::move(next->second);
      if (!transfer->job.first_started) transfer->job.first_started = Clock::now();
      transfer->max_body_bytes = options.max_body_bytes;
      transfer->easy = acquire_handle();
      configure(*transfer);
      CURL* easy = transfer->easy;
      if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
        scheduler.finished(transfer->job.host_key);
        FetchResult result = make_result(StageError{Stage::fetch, transfer->job.request.source.url,
                                                     ErrorCode::internal, "curl_multi_add_handle failed"});
        Job job = std::move(transfer->job);
        release(*transfer);
        complete(job, std::move(result));
        continue;
      }
      transfers.emplace(easy, std::move(transfer));
    }
  }

  void configure(Transfer& t) {
    CURL* e = t.easy;
    const Source& source = t.job.request.source;
    curl_easy_setopt(e, CURLOPT_URL, source.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    // Only http(s), for the first request and every redirect: a network redirect must never
    // reach file:// or any other scheme (CONTRACT.md).
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Over TLS the server may speak HTTP/2: wait for a connection being set up to the same
    // host rather than open a second one, so its transfers share one multiplexed connection.
    if (t.job.https) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes_per_second);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_window.count()));
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    t.request_headers = curl_slist_append(
        nullptr, "Accept: application/rss+xml, application/atom+xml, application/feed+json, "
                 "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8");
    const ConditionalGetState& validators = t.job.request.validators;
    if (validators.etag) {
      t.request_headers = curl_slist_append(t.request_headers, ("If-None-Match: " + *validators.etag).c_str());
    }
    if (validators.last_modified) {
      t.request_headers =
          curl_slist_append(t.request_headers, ("If-Modified-Since: " + *validators.last_modified).c_str());
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.request_headers);
  }

  bool collect_finished() {
    bool any = false;
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi, easy);
      auto node = transfers.extract(easy);
      if (node.empty()) continue;
      std::unique_ptr<Transfer> transfer = std::move(node.mapped());
      scheduler.finished(transfer->job.host_key);
      finish(*transfer, code);
      any = true;
    }
    return any;
  }

  void finish(Transfer& t, CURLcode code) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    const char* effective_url = nullptr;
    curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &effective_url);
    const std::string final_url = effective_url ? effective_url : t.job.request.source.url;
    const ResponseHead* last = t.chain.last();
    const Instant now = now_seconds();

    FetchResult result = make_result(StageError{});
    result.http_status = static_cast<int>(status);
    result.bytes_received = t.body.size();
    if (last && last->retry_after && (status == 429 || status == 503)) {
      result.retry_after = parse_retry_after(*last->retry_after, now);
    }
    std::optional<StageError> error;
    if (code != CURLE_OK) {
      const TransferFacts facts{t.job.request.source.url, t.error_buffer, t.body_over_cap, options.max_body_bytes,
                                static_cast<long>(options.max_redirects), &t.chain};
      error = transfer_error(code, facts);
    } else {
      error = status_error(static_cast<int>(status), last ? std::string_view(last->reason) : std::string_view(),
                           t.body.size(), t.job.request.source.url);
    }
    if (error && error->code == ErrorCode::rate_limited && last && last->retry_after) {
      error->message += " (Retry-After: " + *last->retry_after + ")";
    }
    Job job = std::move(t.job);
    if (error && job.attempt < options.max_retries && is_transient(*error, result.http_status, last != nullptr)) {
      release(t);
      schedule_retry(std::move(job));
      return;
    }
    if (error) {
      result.outcome = std::move(*error);
    } else {
      FetchedFeed feed;
      feed.source = job.request.source;
      feed.final_url = final_url;
      feed.http_status = static_cast<int>(status);
      feed.not_modified = status == 304;
      feed.body = std::move(t.body);
      if (last) {
        feed.content_type = last->content_type;
        feed.validators.etag = last->etag;
        feed.validators.last_modified = last->last_modified;
      }
      // A 304 may omit unchanged validators; the ones we sent are still current.
      if (feed.not_modified) {
        if (!feed.validators.etag) feed.validators.etag = job.request.validators.etag;
        if (!feed.validators.last_modified) feed.validators.last_modified = job.request.validators.last_modified;
      }
      if (t.chain.every_hop_permanent()) feed.permanent_redirect = final_url;
      feed.fetched_at = now;
      result.outcome = std::move(feed);
    }
    release(t);
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *job.first_started);
    complete(job, std::move(result));
  }

  void schedule_retry(Job job) {
    // Short, jittered, exponential: spreads retries to one host and never blocks a thread.
    const double base_ms = 250.0 * static_cast<double>(1 << std::min(job.attempt, 4));
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    const auto delay = std::chrono::milliseconds(static_cast<long>(base_ms * jitter(random)));
    ++job.attempt;
    retries.emplace(Clock::now() + delay, std::move(job));
  }

  static void complete(Job& job, FetchResult result) {
    if (job.on_done) job.on_done(std::move(result));
  }

  CURL* acquire_handle() {
    if (idle_handles.empty()) {
      CURL* easy = curl_easy_init();
      if (!easy) throw std::runtime_error("curl_easy_init failed");
      return easy;
    }
    CURL* easy = idle_handles.back();
    idle_handles.pop_back();
    curl_easy_reset(easy);
    return easy;
  }

  void release(Transfer& t) {
    if (t.request_headers) curl_slist_free_all(t.request_headers);
    t.request_headers = nullptr;
    if (t.easy) idle_handles.push_back(t.easy);
    t.easy = nullptr;
  }

  FetchOptions options;
  CURLM* multi = nullptr;
  std::mutex mutex;                // guards incoming and stopping
  std::vector<Job> incoming;
  bool stopping = false;
  // Worker-thread state below.
  HostScheduler<Job> scheduler;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::multimap<Clock::time_point, Job> retries;
  std::vector<CURL*> idle_handles;
  std::mt19937 random{std::random_device{}()};
  std::thread worker;
};

HttpFetcher::HttpFetcher(FetchOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpFetcher::~HttpFetcher() = default;

void HttpFetcher::submit(FetchRequest request, FetchCallback on_done) {
  impl_->submit(std::move(request), std::move(on_done));
}

}  // namespace rssflow

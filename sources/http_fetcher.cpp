#include "sources/http_fetcher.h"

#include <curl/curl.h>
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/ascii.h"
#include "core/hash.h"
#include "core/heap_pages.h"
#include "core/terminal_text.h"
#include "core/time.h"
#include "core/version.h"
#include "sources/content_coding.h"
#include "sources/http_fetcher_response.h"
#include "sources/http_fetcher_scheduler.h"
#include "sources/http_fetcher_target.h"
#include "transforms/url.h"

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
  AddressKind configured_kind = AddressKind::public_unicast;  // of the source's own host
};

// A finished job waiting for its callback.
struct Delivery {
  FetchCallback on_done;
  std::string url;  // for the message when the callback throws
  FetchResult result;
};

// Results are handed to their callbacks in batches: a callback may wake the consumer's
// threads (the flow graph's, which then spin a little before sleeping again), so one wake-up
// per few milliseconds of completions instead of one per source saves most of a fetch-bound
// run's CPU. A batch goes when its oldest result has waited kDeliveryInterval, or as soon as
// kDeliveryBytes of bodies to parse wait: parse work enough to be worth a wake-up, so that
// file and fast sources are not held back while the consumer has nothing to do (the first
// 20 ms of a run over local files were spent waiting). The last result, and every one while
// stopping, is delivered at once.
constexpr auto kDeliveryInterval = std::chrono::milliseconds(20);
constexpr std::size_t kDeliveryBytes = 256u << 10;

// Why a job that a stop kept from starting is `interrupted` (queued, or a file submitted then).
constexpr const char* kNotStarted = "stopping: the transfer was not started";

// Response header bytes accepted per transfer (redirect hops included). Real responses stay
// far below; a header flood is cut off here and reported as header_too_large.
constexpr std::size_t kMaxHeaderBytes = 128u << 10;

// One transfer in flight: the job plus everything curl's callbacks write into.
struct Transfer {
  Job job;
  CURL* easy = nullptr;
  curl_slist* request_headers = nullptr;
  std::string body;
  Xxh3Stream body_hash;  // of `body`, piece by piece as it arrives
  std::size_t max_body_bytes = 0;
  bool body_over_cap = false;
  std::size_t header_bytes = 0;
  bool header_over_cap = false;
  bool inside_header_block = false;  // between a status line and the blank line ending its block
  char callback_error[256] = {};  // an exception caught in a callback (fixed size: no throw)
  ResponseChain chain;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const ConnectPolicy* policy = nullptr;
  std::string forbidden;  // why a connection was refused (address_forbidden), empty if none
};

// curl callbacks are C frames: an exception must never cross them. Each catches everything,
// records it on the transfer and returns a short count, which aborts that transfer only.
void record_callback_error(Transfer& transfer, const char* where, const char* what) noexcept {
  std::snprintf(transfer.callback_error, sizeof transfer.callback_error, "%s: %s", where, what);
}

std::string address_text(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
  }
  return text;
}

int port_of(const sockaddr* address) {
  if (address->sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(address)->sin_port);
  if (address->sa_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(address)->sin6_port);
  return 0;
}

// Records the refusal; true when the connection may go ahead.
bool check_address(Transfer& t, AddressKind kind, const std::string& address, int port) {
  const auto why = forbidden_reason(*t.policy, t.job.configured_kind, kind, port);
  if (!why) return true;
  t.forbidden = "connection to " + address + " port " + std::to_string(port) + " refused: " + *why;
  return false;
}

// CURLOPT_OPENSOCKETFUNCTION: sees the address curl resolved for this hop (after DNS, on every
// redirect) before any packet is sent.
curl_socket_t on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  try {
  if (purpose == CURLSOCKTYPE_IPCXN &&
      !check_address(*transfer, classify_address(&address->addr), address_text(&address->addr), port_of(&address->addr))) {
    return CURL_SOCKET_BAD;
  }
  } catch (const std::exception& e) {
    record_callback_error(*transfer, "connect check", e.what());
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// CURLOPT_PREREQFUNCTION: runs before every request, on new and reused connections alike, so
// a connection opened for an internal source is never lent to a public one.
int on_prerequest(void* user, char* primary_ip, char*, int primary_port, int) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  try {
    const std::string address = primary_ip ? primary_ip : "";
    const AddressKind kind = classify_numeric_host(address).value_or(AddressKind::unspecified);
    return check_address(*transfer, kind, address, primary_port) ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
  } catch (const std::exception& e) {
    record_callback_error(*transfer, "connect check", e.what());
    return CURL_PREREQFUNC_ABORT;
  }
}

std::vector<std::string> split_list(const char* text) {
  std::vector<std::string> items;
  std::string_view rest = text ? text : "";
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    if (comma != 0) items.emplace_back(rest.substr(0, comma));
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
  return items;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  // The body as it arrives, compressed or not (CURLOPT_HTTP_CONTENT_DECODING is off): a body
  // whose compressed form exceeds the cap is over it; decode_body() caps what inflates.
  if (transfer->body.size() + length > transfer->max_body_bytes) {
    transfer->body_over_cap = true;
    return 0;  // any short count aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    if (transfer->body.empty()) {
      // One allocation for a body whose size the server announced (up to the cap), instead of
      // a doubling string copied again at every growth. Not trusted beyond the reservation:
      // the cap above still counts what really arrives.
      curl_off_t announced = -1;
      if (curl_easy_getinfo(transfer->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
          announced > 0) {
        transfer->body.reserve(std::min(static_cast<std::size_t>(announced), transfer->max_body_bytes));
      }
    }
    transfer->body.append(data, length);
    transfer->body_hash.update(std::string_view(data, length));
  } catch (const std::exception& e) {
    record_callback_error(*transfer, "storing the body", e.what());
    return 0;
  }
  return length;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  transfer->header_bytes += length;
  if (transfer->header_bytes > kMaxHeaderBytes) {
    transfer->header_over_cap = true;
    return 0;
  }
  transfer->inside_header_block = length > 2 || (length > 0 && data[0] != '\r' && data[0] != '\n');
  try {
    const std::size_t before = transfer->chain.responses.size();
    transfer->chain.consume_header_line(std::string_view(data, length));
    if (transfer->chain.responses.size() != before) {  // a new response begins
      transfer->body.clear();
      transfer->body_hash.reset();
    }
  } catch (const std::exception& e) {
    record_callback_error(*transfer, "reading the response headers", e.what());
    return 0;
  }
  return length;
}

// Records the hash of a fetched body and, when it equals the request's known_body_hash,
// releases the body at once: for network and file sources alike, before the result waits for
// delivery.
void note_body_hash(FetchedFeed& feed, const Hash128& hash, const FetchRequest& request) {
  feed.body_hash = hash.hex();
  feed.body_unchanged = feed.body_hash == request.known_body_hash;
  if (feed.body_unchanged) std::string().swap(feed.body);
}

// Undoes the response's Content-Encoding on feed.body (the body hash stays that of the bytes
// as they arrived). A coding that was not offered, or data that does not decode, fails the
// source like any malformed response; one that inflates past the cap is too large.
std::optional<StageError> decode_content(FetchedFeed& feed, const ResponseHead* last, std::size_t max_body_bytes) {
  if (!last || !last->content_encoding) return std::nullopt;
  auto codings = parse_content_encoding(*last->content_encoding);
  if (auto* unknown = std::get_if<std::string>(&codings)) {
    return StageError{Stage::fetch, feed.source.url, ErrorCode::malformed,
                      "unsupported Content-Encoding: " + escape_for_terminal(*unknown) + " (offered: " +
                          kAcceptedContentCodings + ")"};
  }
  const auto& list = std::get<std::vector<ContentCoding>>(codings);
  if (list.empty()) return std::nullopt;
  auto decoded = decode_body(feed.body, list, max_body_bytes);
  if (auto* failure = std::get_if<DecodeFailure>(&decoded)) {
    // A server that labels a plain document as compressed (it happens): a gzip or zlib stream
    // never starts with '<' or '{', a feed always does, so the body is read as it is.
    const auto first = feed.body.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (!failure->too_large && first != std::string::npos && (feed.body[first] == '<' || feed.body[first] == '{')) {
      return std::nullopt;
    }
    return StageError{Stage::fetch, feed.source.url, failure->too_large ? ErrorCode::too_large : ErrorCode::malformed,
                      std::move(failure->message)};
  }
  feed.body = std::move(std::get<std::string>(decoded));
  if (feed.body.empty()) {  // what status_error() says of a 200 without bytes, now that they are known
    return StageError{Stage::fetch, feed.source.url, ErrorCode::empty_body,
                      "HTTP " + std::to_string(feed.http_status) + " with a body that decompresses to nothing"};
  }
  return std::nullopt;
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

enum class StopLevel { none, no_new_transfers, abort };

struct HttpFetcher::Impl {
  explicit Impl(FetchOptions opts) : options(std::move(opts)), scheduler(options.max_in_flight, options.max_per_host) {
    init_curl_once();
    if (options.user_agent.empty()) options.user_agent = default_user_agent();
    for (const std::string& entry : options.resolve_overrides) {
      resolve_overrides = curl_slist_append(resolve_overrides, entry.c_str());
    }
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // Keep enough idle connections that every host in flight can be reused.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_in_flight) * 2);
    worker = std::thread([this] {
      pthread_setname_np(pthread_self(), "rssflow-fetch");  // for top -H, perf and gdb
      advise_huge_pages_for_thread_heap();  // bodies are received into this thread's arena
      run();
    });
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
    curl_slist_free_all(resolve_overrides);
  }

  void submit(FetchRequest request, FetchCallback on_done) {
    // A file:// source needs no transfer: read on the submitting thread, it costs no hand-over
    // to this worker and back (a wake-up of each and a thread switch per source, ~40-75 us of
    // CPU on the machines measured). On the worker itself (a submit from a callback) it is
    // queued as before, so that a chain of callbacks never recurses.
    const bool on_worker = std::this_thread::get_id() == worker.get_id();
    if (!on_worker && ascii_starts_with_ci(request.source.url, "file:")) {
      if (std::optional<FetchResult> result = answer_file_source(request)) {
        Delivery delivery{std::move(on_done), request.source.url, std::move(*result)};
        invoke(delivery);
        return;
      }
    }
    bool wake = false;
    {
      std::lock_guard lock(mutex);
      wake = incoming.empty();
      incoming.push_back(Job{std::move(request), std::move(on_done), {}, false, 0, std::nullopt});
    }
    // One wake-up per list: the worker takes `incoming` whole, under the same lock, and a
    // non-empty list has a wake-up of its own on the way (its first submit's, made after its
    // push; libcurl keeps a wake-up that arrives before the worker polls). A submit from a
    // callback runs on the worker itself, which looks at `incoming` before it polls again.
    if (wake && !on_worker) curl_multi_wakeup(multi);
  }

  // The worker thread's body. Nothing may escape it (std::terminate would take the run down):
  // an exception from one step fails the jobs it concerned, and the loop goes on.
  void run() noexcept {
    for (;;) {
      try {
        if (!step()) return;
      } catch (const std::exception& e) {
        fail_all_in_flight(std::string("fetch worker: ") + e.what());
      } catch (...) {
        fail_all_in_flight("fetch worker: unknown exception");
      }
    }
  }

  // One turn of the event loop; false when the fetcher is being destroyed.
  bool step() {
    std::vector<Job> batch;
    StopLevel stop_now = StopLevel::none;
    {
      std::lock_guard lock(mutex);
      if (stopping) return false;
      batch.swap(incoming);
      stop_now = stop_level;
    }
    worker_stop = stop_now;
    for (Job& job : batch) {
      if (stop_now != StopLevel::none) {
        deliver(job, interrupted_result(job, kNotStarted));
      } else {
        admit(std::move(job));  // a file source is read here
      }
      flush_deliveries(false);
    }
    if (stop_now != StopLevel::none) drop_waiting_jobs();
    if (stop_now == StopLevel::abort) abort_transfers();
    release_due_retries();
    start_transfers();
    int running = 0;
    curl_multi_perform(multi, &running);
    const bool finished_any = collect_finished();
    flush_deliveries(stop_now != StopLevel::none || idle());
    if (finished_any) return true;  // free slots: start queued transfers before waiting
    {
      std::lock_guard lock(mutex);
      if (!incoming.empty()) return true;  // submitted by a callback just now: no wake-up came
    }
    curl_multi_poll(multi, nullptr, 0, poll_timeout_ms(), nullptr);
    return true;
  }

  static FetchResult interrupted_result(const Job& job, std::string why) {
    FetchResult result = make_result(StageError{Stage::fetch, job.request.source.url, ErrorCode::interrupted, std::move(why)});
    if (job.first_started) {
      result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *job.first_started);
    }
    return result;
  }

  // Stop: queued jobs and pending retries never start; each completes as interrupted.
  void drop_waiting_jobs() {
    for (Job& job : scheduler.take_waiting()) deliver(job, interrupted_result(job, kNotStarted));
    for (auto& [when, job] : retries) deliver(job, interrupted_result(job, "stopping: the retry was not started"));
    retries.clear();
  }

  // Abort: every transfer in flight is removed from the multi handle and completes as
  // interrupted (its partial body is discarded).
  void abort_transfers() {
    for (auto& [easy, transfer] : transfers) {
      curl_multi_remove_handle(multi, easy);
      scheduler.finished(transfer->job.host_key);
      Job job = std::move(transfer->job);
      release(*transfer);
      deliver(job, interrupted_result(job, "stopping: transfer aborted after the stop grace period"));
    }
    transfers.clear();
  }

  // After an unexpected exception: whatever was in flight or queued fails with the cause, so
  // that every submitted job still gets exactly one callback.
  void fail_all_in_flight(const std::string& cause) noexcept {
    try {
      auto fail = [&](Job& job) {
        deliver(job, make_result(StageError{Stage::fetch, job.request.source.url, ErrorCode::internal, cause}));
      };
      for (auto& [easy, transfer] : transfers) {
        curl_multi_remove_handle(multi, easy);
        scheduler.finished(transfer->job.host_key);
        Job job = std::move(transfer->job);
        release(*transfer);
        fail(job);
      }
      transfers.clear();
      for (Job& job : scheduler.take_waiting()) fail(job);
      for (auto& [when, job] : retries) fail(job);
      retries.clear();
    } catch (...) {
      // Out of memory while failing: nothing sensible is left to do but carry on.
    }
  }

  void request_stop(StopLevel level) {
    {
      std::lock_guard lock(mutex);
      if (level > stop_level) stop_level = level;
    }
    curl_multi_wakeup(multi);
  }

  // The result of a file source, read now; nullopt when the URL is not a valid file URL (the
  // worker reports that). After a stop, interrupted, as a queued job would be. Any thread.
  std::optional<FetchResult> answer_file_source(const FetchRequest& request) {
    auto target = classify_source_url(request.source.url);
    const auto* file = std::get_if<FileTarget>(&target);
    if (!file) return std::nullopt;
    {
      std::lock_guard lock(mutex);
      if (stop_level != StopLevel::none) {
        return make_result(
            StageError{Stage::fetch, request.source.url, ErrorCode::interrupted, kNotStarted});
      }
    }
    return read_file(request, *file);
  }

  FetchResult read_file(const FetchRequest& request, const FileTarget& file) const {
    const auto started = Clock::now();
    FetchResult result = make_result(read_file_source(request.source, file, options.max_body_bytes));
    if (auto* feed = std::get_if<FetchedFeed>(&result.outcome)) {
      result.bytes_received = feed->body.size();
      note_body_hash(*feed, xxh3_128(feed->body), request);
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    return result;
  }

  // Routes a new job: file:// and invalid URLs complete at once; network jobs are queued.
  void admit(Job job) {
    auto target = classify_source_url(job.request.source.url);
    if (auto* error = std::get_if<StageError>(&target)) {
      deliver(job, make_result(std::move(*error)));
      return;
    }
    if (auto* file = std::get_if<FileTarget>(&target)) {
      FetchResult result = read_file(job.request, *file);
      deliver(job, std::move(result));
      return;
    }
    const auto& network = std::get<NetworkTarget>(target);
    job.host_key = network.host_key;
    job.https = network.https;
    job.configured_kind = configured_host_kind(options.connect_policy, network.host, network.port);
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
    long timeout = kIdleMs;
    const auto now = Clock::now();
    if (!retries.empty()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(retries.begin()->first - now);
      timeout = std::clamp<long>(static_cast<long>(wait.count()), 0, timeout);
    }
    if (!undelivered.empty()) {  // wake up to deliver them (rounded up: not before they are due)
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(first_undelivered + kDeliveryInterval - now);
      timeout = std::clamp<long>(static_cast<long>(wait.count()), 0, timeout);
    }
    return timeout;
  }

  void start_transfers() {
    while (auto next = scheduler.next()) {
      auto transfer = std::make_unique<Transfer>();
      transfer->job = std::move(next->second);
      if (!transfer->job.first_started) transfer->job.first_started = Clock::now();
      transfer->max_body_bytes = options.max_body_bytes;
      transfer->policy = &options.connect_policy;
      transfer->easy = acquire_handle();
      configure(*transfer);
      CURL* easy = transfer->easy;
      if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
        scheduler.finished(transfer->job.host_key);
        FetchResult result = make_result(StageError{Stage::fetch, transfer->job.request.source.url,
                                                     ErrorCode::internal, "curl_multi_add_handle failed"});
        Job job = std::move(transfer->job);
        release(*transfer);
        deliver(job, std::move(result));
        continue;
      }
      transfers.emplace(easy, std::move(transfer));
      if (transfers.size() > peak_in_flight.load(std::memory_order_relaxed))
        peak_in_flight.store(transfers.size(), std::memory_order_relaxed);  // only this thread writes it
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
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    // Only http(s), for the first request and every redirect: a network redirect must never
    // reach file:// or any other scheme (CONTRACT.md).
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
    // Compression is welcome, but decoded here, not by libcurl: the body is hashed as it
    // arrives, so a compressed body equal to the last one is known without inflating it.
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, kAcceptedContentCodings);
    curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
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
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prerequest);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, &t);
    if (resolve_overrides) curl_easy_setopt(e, CURLOPT_RESOLVE, resolve_overrides);
    if (options.netrc_file) {
      curl_easy_setopt(e, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
      curl_easy_setopt(e, CURLOPT_NETRC_FILE, options.netrc_file->c_str());
    }
    // Credentials written into the source list's URL: sent to that host only (curl drops them
    // on a redirect to another host), never part of a URL that is logged or stored.
    if (!source.userinfo.empty()) {
      const auto colon = source.userinfo.find(':');
      const std::string user = percent_decode(source.userinfo.substr(0, colon)).value_or("");
      const std::string password =
          colon == std::string::npos ? std::string() : percent_decode(source.userinfo.substr(colon + 1)).value_or("");
      curl_easy_setopt(e, CURLOPT_USERNAME, user.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, password.c_str());
    }
    // Clean requests: no cookie engine (CURLOPT_COOKIEFILE is never set), no Referer
    // (CURLOPT_AUTOREFERER stays off), the URL as configured; validators go back byte for
    // byte as the server sent them (weak ETags included).
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
    const std::string final_url = without_userinfo(effective_url ? effective_url : t.job.request.source.url);
    const ResponseHead* last = t.chain.last();
    const Instant now = now_seconds();

    FetchResult result = make_result(StageError{});
    result.http_status = static_cast<int>(status);
    result.bytes_received = t.body.size();
    if (last && last->retry_after && (status == 429 || status == 503)) {
      result.retry_after = parse_retry_after(*last->retry_after, now);
    }
    std::optional<StageError> error;
    if (code != CURLE_OK && !t.forbidden.empty()) {
      error = StageError{Stage::fetch, t.job.request.source.url, ErrorCode::address_forbidden,
                         escape_for_terminal(t.forbidden)};
    } else if (code != CURLE_OK) {
      TransferFacts facts{t.job.request.source.url, t.error_buffer, t.body_over_cap, options.max_body_bytes,
                          static_cast<long>(options.max_redirects), &t.chain};
      facts.header_over_cap = t.header_over_cap;
      facts.max_header_bytes = kMaxHeaderBytes;
      facts.callback_error = t.callback_error;
      facts.inside_header_block = t.inside_header_block;
      error = transfer_error(code, facts);
    } else {
      error = status_error(static_cast<int>(status), last ? std::string_view(last->reason) : std::string_view(),
                           t.body.size(), t.job.request.source.url);
    }
    if (error && error->code == ErrorCode::rate_limited && last && last->retry_after) {
      error->message += " (Retry-After: " + escape_for_terminal(*last->retry_after) + ")";
    }
    Job job = std::move(t.job);
    if (error && worker_stop == StopLevel::none && job.attempt < options.max_retries &&
        is_transient(*error, result.http_status, last != nullptr)) {
      release(t);
      schedule_retry(std::move(job));
      return;
    }
    if (error) {
      result.outcome = std::move(*error);
    } else {
      result.outcome = fetched_feed(t, job, static_cast<int>(status), final_url, now);
    }
    release(t);
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *job.first_started);
    deliver(job, std::move(result));
  }

  // The feed a successful transfer brought: its body hashed as it arrived and, unless it is the
  // last one again, decoded (a body that does not decode fails the source; never retried).
  Outcome<FetchedFeed> fetched_feed(Transfer& t, const Job& job, int status, const std::string& final_url,
                                    Instant now) {
    const ResponseHead* last = t.chain.last();
    FetchedFeed feed;
    feed.source = job.request.source;
    feed.final_url = final_url;
    feed.http_status = status;
    feed.not_modified = status == 304;
    feed.body = std::move(t.body);
    if (!feed.not_modified) note_body_hash(feed, t.body_hash.digest(), job.request);
    if (feed.has_body()) {
      if (auto failure = decode_content(feed, last, options.max_body_bytes)) return std::move(*failure);
    }
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
    if (last) feed.fresh_for = freshness_lifetime(*last, now);
    if (t.chain.every_hop_permanent()) feed.permanent_redirect = final_url;
    feed.fetched_at = now;
    return feed;
  }

  void schedule_retry(Job job) {
    // Short, jittered, exponential: spreads retries to one host and never blocks a thread.
    const double base_ms = 250.0 * static_cast<double>(1 << std::min(job.attempt, 4));
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    const auto delay = std::chrono::milliseconds(static_cast<long>(base_ms * jitter(random)));
    ++job.attempt;
    retries.emplace(Clock::now() + delay, std::move(job));
  }

  // A finished job's result waits in `undelivered` until flush_deliveries() hands it to its
  // callback (see kDeliveryInterval). Each job is delivered exactly once.
  void deliver(Job& job, FetchResult result) {
    if (!job.on_done) return;
    if (undelivered.empty()) first_undelivered = Clock::now();
    if (const auto* feed = std::get_if<FetchedFeed>(&result.outcome); feed && feed->has_body()) {
      undelivered_body_bytes += feed->body.size();
    }
    undelivered.push_back(Delivery{std::move(job.on_done), job.request.source.url, std::move(result)});
  }

  // Hands the waiting results to their callbacks when a batch is due (see kDeliveryInterval),
  // or at once when `now` (nothing else is in flight, or the run is stopping).
  void flush_deliveries(bool now) {
    if (undelivered.empty()) return;
    const bool due = undelivered_body_bytes >= kDeliveryBytes || Clock::now() - first_undelivered >= kDeliveryInterval;
    if (!now && !due) return;
    std::vector<Delivery> ready;
    ready.swap(undelivered);
    undelivered_body_bytes = 0;
    for (Delivery& delivery : ready) invoke(delivery);
  }

  // True when no job is waiting, running or due for a retry: nothing to batch with.
  bool idle() {
    if (!transfers.empty() || scheduler.waiting() != 0 || !retries.empty()) return false;
    std::lock_guard lock(mutex);
    return incoming.empty();
  }

  // The callback must not throw (HttpFetcher's contract); if one does anyway, its job has
  // already been answered as far as we can, so the worker only notes it and goes on.
  static void invoke(Delivery& delivery) noexcept {
    try {
      delivery.on_done(std::move(delivery.result));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "rssflow: fetch callback for %s threw: %s\n", delivery.url.c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr, "rssflow: fetch callback for %s threw\n", delivery.url.c_str());
    }
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
  curl_slist* resolve_overrides = nullptr;  // from options.resolve_overrides, shared by all handles
  CURLM* multi = nullptr;
  std::mutex mutex;                // guards incoming, stopping and stop_level
  std::vector<Job> incoming;
  bool stopping = false;
  StopLevel stop_level = StopLevel::none;
  std::atomic<std::size_t> peak_in_flight{0};  // written by the worker, read by anyone
  // Worker-thread state below.
  StopLevel worker_stop = StopLevel::none;  // stop_level as of this turn of the loop
  HostScheduler<Job> scheduler;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::multimap<Clock::time_point, Job> retries;
  std::vector<Delivery> undelivered;
  Clock::time_point first_undelivered{};
  std::size_t undelivered_body_bytes = 0;  // of the undelivered results with a body to parse
  std::vector<CURL*> idle_handles;
  std::mt19937 random{std::random_device{}()};
  std::thread worker;
};

void apply_test_environment(FetchOptions& options) {
  apply_test_environment(options.connect_policy);
  for (std::string& entry : split_list(std::getenv("RSSFLOW_TEST_RESOLVE"))) {
    options.resolve_overrides.push_back(std::move(entry));
  }
}

HttpFetcher::HttpFetcher(FetchOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpFetcher::~HttpFetcher() = default;

void HttpFetcher::submit(FetchRequest request, FetchCallback on_done) {
  impl_->submit(std::move(request), std::move(on_done));
}

void HttpFetcher::stop_starting() { impl_->request_stop(StopLevel::no_new_transfers); }

void HttpFetcher::abort_in_flight() { impl_->request_stop(StopLevel::abort); }

std::size_t HttpFetcher::peak_in_flight() const { return impl_->peak_in_flight.load(std::memory_order_relaxed); }

}  // namespace rssflow

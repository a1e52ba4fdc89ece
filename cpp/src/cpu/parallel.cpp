#include "cpu/parallel.hpp"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <system_error>
#include <thread>


namespace cvcore::cpu {
namespace {

// How long an idle worker polls for the next loop before it sleeps: loops that follow each other
// closely (the steps of an op, the layers of a network) find it awake, while a worker whose process
// has gone on to other work stops taking CPU time soon after. It polls by yielding its core, so
// that the calling thread or another process that shares the core runs meanwhile.
constexpr std::chrono::microseconds kPoll{100};

class Pool {
 public:
  bool run(Job& job) {
    if (busy_.exchange(true, std::memory_order_acquire)) return false;
    int wakes;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      grow(job.threads - 1);
      open_ = &job;
      seats_ = job.threads - 1;
      posted_.fetch_add(1, std::memory_order_release);
      wakes = seats_ < sleeping_ ? seats_ : sleeping_;
    }
    for (int i = 0; i < wakes; ++i) wake_.notify_one();
    job.work(job, true);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      open_ = nullptr;
      seats_ = 0;
      left_.wait(lock, [&] { return inside_ == 0; });
    }
    busy_.store(false, std::memory_order_release);
    return true;
  }

 private:
  // Starts workers until there are `count`; with fewer (the system refuses threads), loops run on
  // the workers there are.
  void grow(int count) {
    while (started_ < count) {
      try {
        std::thread(&Pool::serve, this, posted_.load(std::memory_order_relaxed)).detach();
      } catch (const std::system_error&) {
        return;
      }
      ++started_;
    }
  }

  // A worker: waits for a loop posted after `seen`, joins it if it is still open and has a seat.
  void serve(uint64_t seen) {
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + kPoll;
      while (posted_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until)
        std::this_thread::yield();
      std::unique_lock<std::mutex> lock(mutex_);
      if (posted_.load(std::memory_order_relaxed) == seen) {
        ++sleeping_;
        wake_.wait(lock, [&] { return posted_.load(std::memory_order_relaxed) != seen; });
        --sleeping_;
      }
      seen = posted_.load(std::memory_order_relaxed);
      Job* job = open_;
      if (!job || seats_ == 0) continue;
      --seats_;
      ++inside_;
      lock.unlock();
      job->work(*job, false);
      lock.lock();
      if (--inside_ == 0 && !open_) left_.notify_one();
    }
  }

  std::atomic<bool> busy_{false};          // a loop is running
  std::atomic<uint64_t> posted_{0};        // loops posted so far
  std::mutex mutex_;                       // guards what follows
  std::condition_variable wake_;           // sleeping workers wait for a post
  std::condition_variable left_;           // the caller waits for the workers inside its loop
  Job* open_ = nullptr;                    // the loop that workers may join
  int seats_ = 0;                          // workers it still takes
  int inside_ = 0;                         // workers running it
  int sleeping_ = 0;                       // workers waiting on wake_
  int started_ = 0;                        // workers started
};

// The pool lives as long as the process (workers are never joined). A child process after fork()
// has none of its parent's workers and may have inherited a locked mutex: it starts a new pool.
std::atomic<Pool*> g_pool{nullptr};
std::once_flag g_pool_once;

void renew_pool_after_fork() { g_pool.store(new Pool, std::memory_order_relaxed); }

Pool& pool() {
  std::call_once(g_pool_once, [] {
    g_pool.store(new Pool, std::memory_order_release);
    pthread_atfork(nullptr, nullptr, renew_pool_after_fork);
  });
  return *g_pool.load(std::memory_order_acquire);
}

}  // namespace

bool run_on_pool(Job& job) { return pool().run(job); }

}  // namespace cvcore::cpu

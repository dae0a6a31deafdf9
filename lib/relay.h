// Work handed from one thread to another in a few reusable slots: the producer fills a free
// slot and hands it over; the consumer takes full slots in the order they were handed over
// and gives each back once done. With two or three slots the two threads overlap, and
// memory stays at the slots' size however much work passes through.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace outcomes {

template <class Slot>
class Relay {
 public:
  explicit Relay(std::size_t slots) : slots_(slots) {
    for (auto& s : slots_) free_.push_back(&s);
  }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Producer: a free slot to fill, waiting for one; nullptr once the relay was abandoned.
  Slot* take_free() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return abandoned_ || !free_.empty(); });
    if (abandoned_) return nullptr;
    Slot* s = free_.back();
    free_.pop_back();
    return s;
  }
  // Producer: hands a filled slot to the consumer.
  void hand_over(Slot* filled) {
    {
      std::lock_guard lock(mutex_);
      full_.push_back(filled);
    }
    changed_.notify_all();
  }
  // Producer: nothing more comes; the consumer still gets what was handed over.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    changed_.notify_all();
  }
  // Either side, on failure: the other side's next wait returns nullptr at once.
  void abandon() {
    {
      std::lock_guard lock(mutex_);
      abandoned_ = true;
    }
    changed_.notify_all();
  }

  // Consumer: the next full slot, waiting for one; nullptr once closed and all taken, or
  // abandoned.
  Slot* take_full() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return abandoned_ || closed_ || !full_.empty(); });
    if (abandoned_ || full_.empty()) return nullptr;
    Slot* s = full_.front();
    full_.pop_front();
    return s;
  }
  // Consumer: a slot it is done with, free to fill again.
  void give_back(Slot* used) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(used);
    }
    changed_.notify_all();
  }

 private:
  std::vector<Slot> slots_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Slot*> free_;
  std::deque<Slot*> full_;
  bool closed_ = false;
  bool abandoned_ = false;
};

// Runs `beside` on a second thread while the calling thread runs `here`, the two passing
// work through `relay`. When either fails, the relay is abandoned so that the other stops
// waiting; the thread is joined, and the error is thrown here (the calling thread's own
// first, else the second thread's).
template <class Slot, class Beside, class Here>
void run_beside(Relay<Slot>& relay, Beside&& beside, Here&& here) {
  std::exception_ptr failed;
  std::thread thread([&] {
    try {
      beside();
    } catch (...) {
      failed = std::current_exception();
      relay.abandon();
    }
  });
  try {
    here();
  } catch (...) {
    relay.abandon();
    thread.join();
    throw;
  }
  thread.join();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace outcomes

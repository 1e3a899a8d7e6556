#include "protocol/poller.h"

#include <gtest/gtest.h>

#include <thread>

#include "protocol/connection.h"

namespace strata::protocol {
namespace {

using std::chrono::milliseconds;

TEST(PollerTest, ReportsTheListenerWithTraffic) {
  Context context;
  auto a = Listener::Bind(context, "inproc://poller-a");
  auto b = Listener::Bind(context, "inproc://poller-b");
  ASSERT_TRUE(a.ok() && b.ok());
  auto client = Connection::Connect(context, "inproc://poller-b");
  ASSERT_TRUE(client.ok());
  Poller poller({a->get(), b->get()}, nullptr);

  Envelope ping = NewEnvelope(7);
  ping.mutable_ping();
  ASSERT_TRUE((*client)->Send(ping).ok());
  Result<Poller::Ready> ready = poller.Wait(milliseconds(2000));
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->listeners, std::vector<size_t>{1});
  EXPECT_FALSE(ready->woken);
  auto incoming = (*b)->Poll(milliseconds(0));
  ASSERT_TRUE(incoming.ok() && incoming->has_value());
  EXPECT_EQ((*incoming)->envelope.request_id(), 7u);

  Result<Poller::Ready> idle = poller.Wait(milliseconds(10));
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->listeners.empty());
}

TEST(PollerTest, WakerEndsTheWaitFromAnotherThread) {
  Context context;
  auto a = Listener::Bind(context, "inproc://poller-wake");
  ASSERT_TRUE(a.ok());
  auto waker = Waker::Create();
  ASSERT_TRUE(waker.ok());
  Poller poller({a->get()}, waker->get());
  auto start = std::chrono::steady_clock::now();
  std::thread ringer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    (*waker)->Wake();
  });
  Result<Poller::Ready> ready = poller.Wait(milliseconds(10000));
  ringer.join();
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->woken);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  // Drained: the next wait times out without a wake.
  Result<Poller::Ready> again = poller.Wait(milliseconds(10));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->woken);
}

TEST(PollerTest, WakesBeforeTheWaitAreNotLost) {
  auto waker = Waker::Create();
  ASSERT_TRUE(waker.ok());
  Poller poller({}, waker->get());
  (*waker)->Wake();
  (*waker)->Wake();
  Result<Poller::Ready> ready = poller.Wait(milliseconds(1000));
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->woken);
}

}  // namespace
}  // namespace strata::protocol

#include "servers/clock/clock.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

namespace gonet {

Clock::Clock(const asio::any_io_executor& executor, const ClockOptions& options)
    : state_(std::make_shared<State>(executor, options)) {}

asio::awaitable<void> Clock::tick(std::shared_ptr<State> state) {
  using std::chrono::floor;
  using std::chrono::seconds;
  auto second = floor<seconds>(std::chrono::system_clock::now());
  while (!state->clients.empty()) {
    second = co_await state->ticker.next_after(second);
    // From the back, so that a client that leaves puts one already written in its place.
    for (std::size_t i = state->clients.size(); i-- > 0;) {
      ClockClient& client = *state->clients[i];
      // A client accepted since the boundary, before this pass, was given this second already.
      if (client.shown_ != second) client.write(second);
    }
  }
  state->ticking = false;
}

bool ClockClient::write(std::chrono::sys_seconds second) {
  const std::string& line = clock_.line(second);
  shown_ = second;
  std::error_code ec;
  const std::size_t sent = socket_.write_some(asio::buffer(line), ec);
  if (!ec && sent == line.size()) return true;
  if (ec && ec != asio::error::would_block) {
    error_ = ec;
  } else {
    rest_.assign(line, ec ? 0 : sent);
  }
  leave();
  std::error_code ignored;
  socket_.cancel(ignored);
  return false;
}

void ClockClient::join() {
  if (index_ != kAway) return;
  Clock::State& state = *clock_.state_;
  index_ = state.clients.size();
  state.clients.push_back(this);
  if (!state.ticking) {
    state.ticking = true;
    asio::co_spawn(state.ticker.get_executor(), Clock::tick(clock_.state_), asio::detached);
  }
}

void ClockClient::leave() {
  if (index_ == kAway) return;
  std::vector<ClockClient*>& clients = clock_.state_->clients;
  ClockClient* last = clients.back();
  clients[index_] = last;
  last->index_ = index_;
  clients.pop_back();
  index_ = kAway;
}

}  // namespace gonet

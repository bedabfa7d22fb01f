#pragma once

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace gonet {

// Completion token for operations whose failure is ordinary (a client leaving): the coroutine
// gets (error_code, result...) back instead of an exception.
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace gonet

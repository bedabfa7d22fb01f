#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace gonet {

// Why an operation failed, in the lower-case words Go and nc use ("connection refused").
std::string describe(const std::error_code& ec);

// What an exception caught by a coroutine's completion handler says: its what(), or
// "unknown error" for one that is not a std::exception.
std::string describe(const std::exception_ptr& failure);

// A failure that ends a program with status 1. Its text is "what: why", the one line the
// program prints after its name: "connect localhost:8000: connection refused".
class Failure : public std::runtime_error {
 public:
  Failure(std::string_view what, const std::error_code& why);
  explicit Failure(const std::string& text) : std::runtime_error(text) {}
};

}  // namespace gonet

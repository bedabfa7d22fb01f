#include "common/net/failure.hpp"

#include <cctype>

namespace gonet {

std::string describe(const std::error_code& ec) {
  std::string text = ec.message();
  // strerror capitalises ("Connection refused"); Go and nc do not, and the text follows a colon.
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1]))) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

std::string describe(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

Failure::Failure(std::string_view what, const std::error_code& why)
    : std::runtime_error(std::string(what) + ": " + describe(why)) {}

}  // namespace gonet

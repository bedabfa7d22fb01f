#pragma once

// cxxopts as every file of ours includes it: the two settings below change the library's inline
// code, so a file that included <cxxopts.hpp> without them would break the one-definition rule.
// No std::regex: its recursive matcher overflows the stack on a long argument (a crash any user
// could provoke), and our parsers check every value themselves. No vector delimiter: a name or
// a server may hold a comma, and each argument is one value.
#define CXXOPTS_NO_REGEX
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

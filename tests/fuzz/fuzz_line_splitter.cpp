// LineSplitter fed in reads of varying sizes, checked against a plain model of Go's
// bufio.Scanner with ScanLines and a max_line limit.
//
// Input: byte 0 and 1 give max_line (1..300), byte 2 the number n of read sizes (1..8), the
// next n bytes the read sizes (0..255, used in turn; 0 is a read of nothing), the rest is the
// stream.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/text/line_splitter.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_line_splitter: %s\n", what);
    std::abort();
  }
}

struct Scan {
  std::vector<std::string> lines;
  bool too_long = false;
};

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// What the splitter must say, whatever the reads: every line up to the first one longer than
// max_line (its "\r" not counted), then too_long or the unterminated rest.
Scan model(std::string_view stream, std::size_t max_line) {
  Scan scan;
  for (;;) {
    const auto newline = stream.find('\n');
    const std::string_view line = without_cr(stream.substr(0, newline));
    if (line.size() > max_line) {
      scan.too_long = true;
      return scan;
    }
    if (newline == std::string_view::npos) {
      if (!stream.empty()) scan.lines.emplace_back(line);
      return scan;
    }
    scan.lines.emplace_back(line);
    stream.remove_prefix(newline + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t max_line = 1 + ((data[0] | (data[1] << 8)) % 300);
  const std::size_t reads = 1 + data[2] % 8;
  if (size < 3 + reads) return 0;
  const std::uint8_t* read_sizes = data + 3;
  const std::string_view stream(reinterpret_cast<const char*>(data + 3 + reads), size - 3 - reads);

  gonet::LineSplitter splitter(max_line);
  check(splitter.max_line() == max_line, "max_line() differs from the constructor's");
  Scan got;
  std::string_view input = stream;
  std::size_t consumed = 0;  // bytes committed so far
  std::size_t turn = 0;
  std::size_t empty_reads = 0;
  for (;;) {
    std::string_view line;
    const auto status = splitter.next(line);
    if (status == gonet::LineSplitter::Status::line) {
      check(line.find('\n') == std::string_view::npos, "a line holds a newline");
      check(line.size() <= max_line, "a line is longer than max_line");
      got.lines.emplace_back(line);
      continue;
    }
    if (status == gonet::LineSplitter::Status::too_long) {
      got.too_long = true;
      break;
    }
    // need_more is stable: asking again without new bytes changes nothing.
    check(splitter.next(line) == gonet::LineSplitter::Status::need_more,
          "need_more then something else without new bytes");
    if (input.empty()) {
      if (const auto rest = splitter.rest_at_eof()) {
        check(!rest->empty() || consumed > 0, "a rest from no bytes at all");
        check(rest->find('\n') == std::string_view::npos, "the rest holds a newline");
        check(rest->size() <= max_line, "the rest is longer than max_line");
        got.lines.emplace_back(*rest);
      }
      check(!splitter.rest_at_eof().has_value(), "a second rest at EOF");
      break;
    }
    const auto space = splitter.space();
    check(!space.empty(), "space() is empty though no line is too long");
    std::size_t n = read_sizes[turn++ % reads];
    if (n == 0) {
      // A read of nothing; a splitter must survive it, but the loop must still end.
      if (++empty_reads > 64) n = 1;
    }
    n = std::min({n, space.size(), input.size()});
    std::memcpy(space.data(), input.data(), n);
    splitter.commit(n);
    input.remove_prefix(n);
    consumed += n;
  }

  const Scan want = model(stream, max_line);
  check(got.too_long == want.too_long, "too_long differs from the model");
  check(got.lines == want.lines, "the lines differ from the model");

  // The lines with their separators give back the input they came from (less one "\r" per
  // line, and the "\n" the last one may lack).
  if (!got.too_long) {
    std::string rebuilt;
    for (const std::string& line : got.lines) rebuilt += line + "\n";
    std::string original(stream);
    std::string squeezed;
    for (std::size_t i = 0; i < original.size(); ++i) {
      const bool cr_before_end =
          original[i] == '\r' && (i + 1 == original.size() || original[i + 1] == '\n');
      if (!cr_before_end) squeezed += original[i];
    }
    if (!original.empty() && original.back() != '\n') squeezed += '\n';  // the rest at EOF
    check(rebuilt == squeezed, "lines plus separators do not rebuild the input");
  }
  return 0;
}

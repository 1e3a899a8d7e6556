#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::format {

// Aligns tab-separated cells into columns, as Go's text/tabwriter does with
// flags 0 (Docker's tables use Tabwriter(10, 1, 3, ' ')).
//
// Text is a sequence of lines; a cell is text terminated by a tab. The last
// cell of a line (after its last tab) is not part of any column. A column is
// a run of consecutive lines having a cell at that index; its width is the
// widest cell (in runes) plus `padding`, and at least `min_width`. Cells are
// left-aligned and padded with `pad_char`. A line without tabs ends every
// column above it.
//
// Not thread-safe.
class Tabwriter {
 public:
  // `tab_width` is kept for parity with Go; it matters only when padding with
  // tabs, which this writer does not do.
  Tabwriter(int min_width, int tab_width, int padding, char pad_char);

  // Buffers `text`; nothing is formatted until Flush.
  void Write(std::string_view text);

  // Formats everything written since the last Flush and returns it. A final
  // line without '\n' is returned without one.
  std::string Flush();

 private:
  using Line = std::vector<std::string>;

  // Go's recursive column-block algorithm over lines [line0, line1).
  void Format(size_t line0, size_t line1, std::string* out);
  void WriteLines(size_t line0, size_t line1, std::string* out) const;

  int min_width_;
  int padding_;
  char pad_char_;
  std::string buffer_;
  std::vector<Line> lines_;
  std::vector<size_t> widths_;
};

}  // namespace strata::format

#include "cli/format/tabwriter.h"

#include <algorithm>

#include "common/utf8.h"

namespace strata::format {

Tabwriter::Tabwriter(int min_width, int tab_width, int padding, char pad_char)
    : min_width_(std::max(min_width, 0)), padding_(std::max(padding, 0)), pad_char_(pad_char) {}

void Tabwriter::Write(std::string_view text) { buffer_.append(text); }

std::string Tabwriter::Flush() {
  lines_.clear();
  Line line;
  std::string cell;
  for (char c : buffer_) {
    if (c == '\t') {
      line.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n') {
      line.push_back(std::move(cell));
      cell.clear();
      lines_.push_back(std::move(line));
      line.clear();
    } else {
      cell += c;
    }
  }
  line.push_back(std::move(cell));
  lines_.push_back(std::move(line));  // the unterminated last line, maybe empty
  buffer_.clear();

  std::string out;
  widths_.clear();
  Format(0, lines_.size(), &out);
  return out;
}

void Tabwriter::Format(size_t line0, size_t line1, std::string* out) {
  size_t column = widths_.size();
  for (size_t i = line0; i < line1; ++i) {
    if (column + 1 >= lines_[i].size()) continue;  // no cell in this column
    // A column block starts at line i: print the lines before it.
    WriteLines(line0, i, out);
    line0 = i;
    size_t width = static_cast<size_t>(min_width_);
    for (; i < line1 && column + 1 < lines_[i].size(); ++i) {
      width = std::max(width, RuneCount(lines_[i][column]) + padding_);
    }
    widths_.push_back(width);
    Format(line0, i, out);
    widths_.pop_back();
    line0 = i;
    if (i == line1) break;
  }
  WriteLines(line0, line1, out);
}

void Tabwriter::WriteLines(size_t line0, size_t line1, std::string* out) const {
  for (size_t i = line0; i < line1; ++i) {
    const Line& line = lines_[i];
    for (size_t j = 0; j < line.size(); ++j) {
      *out += line[j];
      if (j < widths_.size()) {
        size_t w = RuneCount(line[j]);
        if (w < widths_[j]) out->append(widths_[j] - w, pad_char_);
      }
    }
    if (i + 1 < lines_.size()) *out += '\n';
  }
}

}  // namespace strata::format

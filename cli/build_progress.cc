#include "cli/build_progress.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

namespace strata::cli {
namespace {

// One vertex of the display: a build step or a note of the client's own.
struct Vertex {
  int number = 0;  // #N, in order of first appearance
  std::string title;
  int64_t started_ms = 0;
  int64_t ended_ms = -1;
  bool cached = false;
  bool failed = false;
  std::string partial;             // log bytes after the last newline
  std::vector<std::string> lines;  // complete log lines (tty keeps the last few)
};

class Vertices {
 public:
  // The vertex of `step` (0 for notes, keyed by title), created on first use.
  Vertex& Of(uint32_t step, const std::string& title, int64_t now_ms, bool* created) {
    std::string key = step ? "#" + std::to_string(step) : title;
    auto it = index_.find(key);
    *created = it == index_.end();
    if (!*created) return all_[it->second];
    Vertex v;
    v.number = static_cast<int>(all_.size()) + 1;
    v.title = title;
    v.started_ms = now_ms;
    index_[key] = all_.size();
    all_.push_back(v);
    return all_.back();
  }
  Vertex* Find(uint32_t step) {
    auto it = index_.find("#" + std::to_string(step));
    return it == index_.end() ? nullptr : &all_[it->second];
  }
  std::vector<Vertex>& all() { return all_; }

 private:
  std::vector<Vertex> all_;
  std::map<std::string, size_t> index_;
};

// Splits `data` into lines, keeping an unfinished tail in v.partial.
std::vector<std::string> TakeLines(Vertex& v, const std::string& data) {
  std::vector<std::string> out;
  v.partial += data;
  size_t start = 0;
  for (size_t nl; (nl = v.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    out.push_back(v.partial.substr(start, nl - start));
  }
  v.partial.erase(0, start);
  return out;
}

std::string Stamp(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(ms) / 1000.0);
  return buf;
}

// "retrying on another worker (attempt 2/3): worker lost".
std::string RetryLine(const v1::StepRetry& retry) {
  return "retrying on another worker (attempt " + std::to_string(retry.attempt()) + "/" +
         std::to_string(retry.max_attempts()) + "): " + retry.reason();
}

std::string TitleOf(const v1::BuildEvent& e) {
  if (e.step() == 0 && !e.vertex().empty()) return e.vertex();
  if (e.has_started()) return StepTitle(e.started().stage(), e.step(), e.total_steps(), e.started().instruction());
  if (e.has_cached()) return StepTitle(e.cached().stage(), e.step(), e.total_steps(), e.cached().instruction());
  if (e.has_done()) return StepTitle(e.done().stage(), e.step(), e.total_steps(), e.done().instruction());
  return "[" + std::to_string(e.step()) + "/" + std::to_string(e.total_steps()) + "]";
}

class PlainProgress : public BuildProgress {
 public:
  explicit PlainProgress(std::ostream& out) : out_(out) {}

  void OnEvent(const v1::BuildEvent& e, int64_t now_ms) override {
    if (e.has_cache_debug()) {
      out_ << "#cache-debug " << e.cache_debug().instruction() << "\n"
           << "#cache-debug key " << e.cache_debug().cache_key() << "\n"
           << e.cache_debug().preimage() << (e.cache_debug().preimage().ends_with('\n') ? "" : "\n");
      return;
    }
    bool created = false;
    Vertex& v = vertices_.Of(e.step(), TitleOf(e), now_ms, &created);
    if (created) out_ << "\n#" << v.number << " " << v.title << "\n";
    if (e.has_cached()) {
      v.cached = true;
      out_ << "#" << v.number << " CACHED\n";
    } else if (e.has_log()) {
      for (const std::string& line : TakeLines(v, e.log().data())) {
        out_ << "#" << v.number << " " << Stamp(now_ms - v.started_ms) << " " << line << "\n";
      }
    } else if (e.has_retry()) {
      // The new run's output follows, from its start again.
      FlushPartial(v, now_ms);
      out_ << "#" << v.number << " " << RetryLine(e.retry()) << "\n";
    } else if (e.has_done()) {
      FlushPartial(v, now_ms);
      v.ended_ms = now_ms;
      if (!v.cached) out_ << "#" << v.number << " DONE " << FormatSeconds(now_ms - v.started_ms) << "\n";
    } else if (e.has_error()) {
      FlushPartial(v, now_ms);
      v.failed = true;
      out_ << "#" << v.number << " ERROR: " << e.error().message() << "\n";
    }
    out_.flush();
  }

  void OnNote(const std::string& title, const std::string& detail, int64_t now_ms) override {
    bool created = false;
    Vertex& v = vertices_.Of(0, title, now_ms, &created);
    if (created) out_ << "\n#" << v.number << " " << title << "\n";
    std::stringstream lines(detail);
    for (std::string line; std::getline(lines, line);) out_ << "#" << v.number << " " << line << "\n";
    out_ << "#" << v.number << " DONE " << FormatSeconds(now_ms - v.started_ms) << "\n";
    out_.flush();
  }

  void Finish(const std::string&, int64_t) override { out_.flush(); }

 private:
  void FlushPartial(Vertex& v, int64_t now_ms) {
    if (v.partial.empty()) return;
    out_ << "#" << v.number << " " << Stamp(now_ms - v.started_ms) << " " << v.partial << "\n";
    v.partial.clear();
  }

  std::ostream& out_;
  Vertices vertices_;
};

// Redraws the whole view in place with ANSI cursor movement, at most every
// 100 ms (and always at the end).
class TtyProgress : public BuildProgress {
 public:
  explicit TtyProgress(std::ostream& out) : out_(out) {}

  void OnEvent(const v1::BuildEvent& e, int64_t now_ms) override {
    if (start_ms_ < 0) start_ms_ = now_ms;
    if (e.has_cache_debug()) {
      debug_ += "#cache-debug " + e.cache_debug().instruction() + " key " + e.cache_debug().cache_key() +
                "\n" + e.cache_debug().preimage() + "\n";
      return;
    }
    bool created = false;
    Vertex& v = vertices_.Of(e.step(), TitleOf(e), now_ms, &created);
    if (e.has_cached()) v.cached = true;
    if (e.has_log()) {
      for (std::string& line : TakeLines(v, e.log().data())) v.lines.push_back(std::move(line));
    }
    if (e.has_retry()) {
      v.partial.clear();
      v.lines.push_back(RetryLine(e.retry()));
    }
    if (v.lines.size() > kTailLines) v.lines.erase(v.lines.begin(), v.lines.end() - kTailLines);
    if (e.has_done()) v.ended_ms = now_ms;
    if (e.has_error()) {
      v.failed = true;
      v.ended_ms = now_ms;
    }
    Draw(now_ms, false);
  }

  void OnNote(const std::string& title, const std::string&, int64_t now_ms) override {
    if (start_ms_ < 0) start_ms_ = now_ms;
    bool created = false;
    Vertex& v = vertices_.Of(0, title, now_ms, &created);
    v.ended_ms = now_ms;
    Draw(now_ms, false);
  }

  void Finish(const std::string&, int64_t now_ms) override {
    Draw(now_ms, true);
    if (!debug_.empty()) out_ << debug_;
    out_.flush();
  }

 private:
  static constexpr size_t kTailLines = 6;

  void Draw(int64_t now_ms, bool final) {
    if (!final && now_ms - last_draw_ms_ < 100) return;
    last_draw_ms_ = now_ms;
    std::vector<std::string> lines;
    size_t finished = 0;
    for (const Vertex& v : vertices_.all()) finished += v.ended_ms >= 0 ? 1 : 0;
    lines.push_back("[+] Building " + FormatSeconds(now_ms - start_ms_) + " (" +
                    std::to_string(finished) + "/" + std::to_string(vertices_.all().size()) + ")" +
                    (final ? " FINISHED" : ""));
    for (const Vertex& v : vertices_.all()) {
      std::string state = v.cached ? "CACHED " : v.failed ? "ERROR " : "";
      int64_t end = v.ended_ms >= 0 ? v.ended_ms : now_ms;
      std::string line = " => " + state + v.title;
      std::string time = v.cached ? "0.0s" : FormatSeconds(end - v.started_ms);
      if (line.size() < 70) line.append(70 - line.size(), ' ');
      lines.push_back(line + " " + time);
      bool show_tail = v.ended_ms < 0 || v.failed;
      if (show_tail) {
        for (const std::string& l : v.lines) lines.push_back(" => => # " + l);
      }
    }
    if (drawn_ > 0) out_ << "\x1b[" << drawn_ << "A";
    for (const std::string& l : lines) out_ << "\r" << l << "\x1b[K\n";
    // Lines of a previous, longer view are cleared.
    for (size_t i = lines.size(); i < drawn_; ++i) out_ << "\x1b[K\n";
    size_t total = std::max(lines.size(), drawn_);
    if (total > lines.size()) out_ << "\x1b[" << (total - lines.size()) << "A";
    drawn_ = lines.size();
    out_.flush();
  }

  std::ostream& out_;
  Vertices vertices_;
  int64_t start_ms_ = -1;
  int64_t last_draw_ms_ = -1'000'000;
  size_t drawn_ = 0;
  std::string debug_;
};

class QuietProgress : public BuildProgress {
 public:
  void OnEvent(const v1::BuildEvent&, int64_t) override {}
  void OnNote(const std::string&, const std::string&, int64_t) override {}
  void Finish(const std::string&, int64_t) override {}
};

}  // namespace

bool ParseProgressMode(const std::string& text, ProgressMode* mode) {
  if (text == "auto") *mode = ProgressMode::kAuto;
  else if (text == "plain") *mode = ProgressMode::kPlain;
  else if (text == "tty") *mode = ProgressMode::kTty;
  else if (text == "quiet") *mode = ProgressMode::kQuiet;
  else return false;
  return true;
}

std::unique_ptr<BuildProgress> NewBuildProgress(ProgressMode mode, bool is_tty, std::ostream& out) {
  if (mode == ProgressMode::kAuto) mode = is_tty ? ProgressMode::kTty : ProgressMode::kPlain;
  switch (mode) {
    case ProgressMode::kTty:
      return std::make_unique<TtyProgress>(out);
    case ProgressMode::kQuiet:
      return std::make_unique<QuietProgress>();
    default:
      return std::make_unique<PlainProgress>(out);
  }
}

std::string StepTitle(const std::string& stage, uint32_t step, uint32_t total,
                      const std::string& instruction) {
  std::string where = std::to_string(step) + "/" + std::to_string(total);
  if (!stage.empty()) where = stage + " " + where;
  return "[" + where + "] " + instruction;
}

std::string FormatSeconds(int64_t ms) {
  if (ms < 0) ms = 0;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fs", static_cast<double>(ms) / 1000.0);
  return buf;
}

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace strata::cli

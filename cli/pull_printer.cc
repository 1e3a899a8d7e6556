#include "cli/pull_printer.h"

#include "image/reference.h"

namespace strata::cli {

PullPrinter::PullPrinter(std::ostream& out, std::string typed, bool quiet, bool all_tags)
    : out_(out), typed_(std::move(typed)), quiet_(quiet), all_tags_(all_tags) {}

void PullPrinter::Start() {
  if (quiet_ || all_tags_) return;
  Result<image::Reference> ref = image::ParseReference(typed_);
  if (!ref.ok() || !ref->digest().empty()) return;
  // Docker's rule: the typed name had no tag of its own.
  size_t slash = typed_.rfind('/');
  if (typed_.find(':', slash == std::string::npos ? 0 : slash + 1) == std::string::npos) {
    out_ << "Using default tag: " << ref->tag() << "\n";
  }
}

void PullPrinter::OnProgress(const v1::PullProgress& p) {
  if (quiet_ || p.status() == "Downloading" || p.status() == "Extracting") return;
  if (!printed_.insert(p.id() + "\t" + p.status()).second) return;
  out_ << p.id() << ": " << p.status() << "\n";
  out_.flush();
}

void PullPrinter::OnResult(const v1::PullResult& r) {
  any_newer_ = any_newer_ || r.newer();
  Result<image::Reference> ref = image::ParseReference(r.reference());
  if (!quiet_) out_ << "Digest: " << r.digest() << "\n";
  printed_.clear();  // the next tag of -a shows its layers again
  if (!r.last()) return;
  std::string familiar = ref.ok() ? ref->FamiliarString() : r.reference();
  std::string full = ref.ok() ? ref->String() : r.reference();
  if (all_tags_ && ref.ok()) {
    familiar = ref->FamiliarName();
    full = ref->Name();
  }
  if (!quiet_) {
    out_ << "Status: " << (any_newer_ ? "Downloaded newer image for " : "Image is up to date for ")
         << familiar << "\n";
  }
  out_ << full << "\n";
  out_.flush();
}

}  // namespace strata::cli

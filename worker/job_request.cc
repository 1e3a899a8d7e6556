#include "worker/job_request.h"

#include "image/digest.h"

namespace strata::worker {
namespace {

Status Invalid(const v1::Job& job, const std::string& what) {
  return Status::InvalidArgument("job " + job.job_id() + " (" + job.instruction() + "): " + what);
}

std::vector<InlineFile> InlineFiles(const google::protobuf::RepeatedPtrField<v1::HereDoc>& docs) {
  std::vector<InlineFile> files;
  for (const v1::HereDoc& doc : docs) files.push_back({doc.name(), doc.content()});
  return files;
}

Result<sandbox::NetworkMode> ParseNetwork(const v1::Job& job) {
  const std::string& network =
      job.run().network().empty() ? job.state().network() : job.run().network();
  if (network.empty() || network == "host" || network == "default")
    return sandbox::NetworkMode::kHost;
  if (network == "none") return sandbox::NetworkMode::kNone;
  return Invalid(job, "unknown RUN network mode '" + network + "'; use host or none");
}

// The parent diff_ids, base first, checked against both fields.
Result<std::vector<std::string>> ParentChain(const v1::Job& job) {
  std::vector<std::string> chain;
  for (const v1::LayerRef& parent : job.parents()) chain.push_back(parent.diff_id());
  if (job.parents_size() == 0) {
    chain.assign(job.parent_chain().begin(), job.parent_chain().end());
  } else if (job.parent_chain_size() != 0 &&
             !std::equal(chain.begin(), chain.end(), job.parent_chain().begin(),
                         job.parent_chain().end())) {
    return Invalid(job, "parent_chain does not list the diff_ids of parents");
  }
  for (const std::string& diff_id : chain) {
    if (!Digest::Parse(diff_id).ok()) {
      return Invalid(job, "parent layer '" + diff_id + "' is not a sha256:<hex> diff_id");
    }
  }
  return chain;
}

Status FillRun(const v1::Job& job, StepRequest& request) {
  const v1::RunSpec& run = job.run();
  if (run.args_size() == 0) return Invalid(job, "RUN without a command");
  request.run.args.assign(run.args().begin(), run.args().end());
  request.run.prepend_shell = run.prepend_shell();
  if (job.state().shell_size() > 0) {
    request.run.shell.assign(job.state().shell().begin(), job.state().shell().end());
  }
  request.run.heredocs = InlineFiles(run.heredocs());
  ASSIGN_OR_RETURN(request.run.network, ParseNetwork(job));
  return Status::OK();
}

Status FillCopy(const v1::Job& job, const std::string& source_root, StepRequest& request) {
  const v1::CopySpec& copy = job.copy();
  if (source_root.empty() || source_root.front() != '/') {
    return Invalid(job, "COPY/ADD needs an absolute source directory");
  }
  if (copy.dest().empty()) return Invalid(job, "COPY/ADD without a destination");
  if (copy.sources_size() == 0 && copy.contents_size() == 0) {
    return Invalid(job, "COPY/ADD without sources");
  }
  if (copy.unpack_archives() && job.kind() != v1::Job::KIND_ADD) {
    return Invalid(job, "unpack_archives is set on a COPY; only ADD extracts archives");
  }
  if (!copy.from_layers() && copy.from_chain_size() > 0) {
    return Invalid(job, "from_chain is set but from_layers is not");
  }
  CopyStep& step = request.copy;
  step.source_root = source_root;
  step.sources.assign(copy.sources().begin(), copy.sources().end());
  step.contents = InlineFiles(copy.contents());
  step.dest = copy.dest();
  step.chown = copy.chown();
  step.chmod = copy.chmod();
  step.preserve_owner = copy.from_layers();
  step.unpack_archives = copy.unpack_archives();  // ADD --unpack=false clears it
  step.parents = copy.parents();
  return Status::OK();
}

}  // namespace

Result<StepRequest> StepRequestFromJob(const v1::Job& job, const std::string& source_root) {
  if (job.job_id().empty()) return Invalid(job, "no job_id");
  StepRequest request;
  ASSIGN_OR_RETURN(request.parent_chain, ParentChain(job));
  request.env.assign(job.state().env().begin(), job.state().env().end());
  request.user = job.state().user();
  request.workdir = job.state().workdir().empty() ? "/" : job.state().workdir();
  if (request.workdir.front() != '/') {
    return Invalid(job, "working directory '" + request.workdir + "' is not absolute");
  }
  if (job.has_source_date_epoch()) request.source_date_epoch = job.source_date_epoch();
  switch (job.kind()) {
    case v1::Job::KIND_RUN:
      request.kind = StepKind::kRun;
      TRY(FillRun(job, request));
      break;
    case v1::Job::KIND_COPY:
    case v1::Job::KIND_ADD:
      request.kind = job.kind() == v1::Job::KIND_ADD ? StepKind::kAdd : StepKind::kCopy;
      TRY(FillCopy(job, source_root, request));
      break;
    case v1::Job::KIND_WORKDIR:
      request.kind = StepKind::kWorkdir;
      if (job.state().workdir().empty()) return Invalid(job, "WORKDIR without a directory");
      break;
    default:
      return Invalid(job, "unknown job kind " + std::to_string(job.kind()));
  }
  return request;
}

Result<image::Compression> JobCompression(const v1::Job& job) {
  const std::string& name = job.compression();
  if (name.empty() || name == "gzip") return image::Compression::kGzip;
  if (name == "zstd") return image::Compression::kZstd;
  if (name == "none" || name == "uncompressed") return image::Compression::kNone;
  return Invalid(job, "unknown layer compression '" + name + "'; use gzip, zstd or none");
}

}  // namespace strata::worker

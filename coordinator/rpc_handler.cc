#include "coordinator/rpc_handler.h"

#include <unistd.h>

#include "common/build_info.h"
#include "common/logging.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;

Envelope Reply(const Envelope& request) { return protocol::NewEnvelope(request.request_id()); }

}  // namespace

std::vector<Envelope> RpcHandler::Handle(const Envelope& request) {
  const uint64_t id = request.request_id();
  LOG(DEBUG) << "request " << id << ": " << protocol::BodyName(request);
  Envelope reply = Reply(request);
  switch (request.body_case()) {
    case Envelope::kPing: {
      auto* pong = reply.mutable_pong();
      pong->set_pid(getpid());
      const BuildInfo& info = GetBuildInfo();
      pong->set_version(info.version);
      pong->set_protocol_version(protocol::kProtocolVersion);
      pong->set_git_commit(info.git_commit);
      pong->set_built(info.built);
      pong->set_compiler(info.compiler);
      pong->set_os_arch(info.os_arch);
      return {reply};
    }
    case Envelope::kShutdown:
      shutdown_requested_ = true;
      reply.mutable_ack();
      return {reply};
    case Envelope::kListImages:
      return {HandleList(request)};
    case Envelope::kInspectImage:
      return {HandleInspect(request)};
    case Envelope::kTagImage: {
      Status s = images_.Tag(request.tag_image().source(), request.tag_image().target());
      if (!s.ok()) return {protocol::ErrorReply(id, s)};
      reply.mutable_ack();
      return {reply};
    }
    case Envelope::kRemoveImage:
      return {HandleRemove(request)};
    case Envelope::kResolveImage: {
      Result<ResolvedImageData> out = images_.Resolve(request.resolve_image().name());
      if (!out.ok()) return {protocol::ErrorReply(id, out.status())};
      auto* result = reply.mutable_resolved_image();
      result->set_id(out->record.id.ToString());
      result->set_config_json(out->config_json);
      for (const auto& l : out->record.layers) {
        auto* layer = result->add_layers();
        layer->set_digest(l.digest.ToString());
        layer->set_diff_id(l.diff_id.ToString());
        layer->set_size(l.size);
        layer->set_media_type(l.media_type);
        layer->set_uncompressed_size(l.uncompressed_size);
      }
      result->set_manifest_digest(out->record.manifest_digest.ToString());
      for (const auto& t : out->repo_tags) result->add_repo_tags(t);
      return {reply};
    }
    default:
      return {protocol::ErrorReply(
          id, Status::InvalidArgument(std::string("the coordinator does not serve ") +
                                      protocol::BodyName(request) + " requests"))};
  }
}

Envelope RpcHandler::HandleList(const Envelope& request) {
  const auto& req = request.list_images();
  std::vector<std::string> filters(req.filters().begin(), req.filters().end());
  Result<std::vector<ImageSummary>> list = images_.List(filters);
  if (!list.ok()) return protocol::ErrorReply(request.request_id(), list.status());
  Envelope reply = Reply(request);
  auto* out = reply.mutable_image_list();
  for (const auto& s : *list) {
    auto* summary = out->add_images();
    summary->set_id(s.id.ToString());
    for (const auto& t : s.repo_tags) summary->add_repo_tags(t);
    for (const auto& d : s.repo_digests) summary->add_repo_digests(d);
    summary->set_created(s.created);
    summary->set_size(static_cast<int64_t>(s.size));
    summary->set_dangling(s.dangling);
  }
  return reply;
}

Envelope RpcHandler::HandleInspect(const Envelope& request) {
  Envelope reply = Reply(request);
  auto* out = reply.mutable_inspect_result();
  for (const auto& name : request.inspect_image().names()) {
    Result<nlohmann::ordered_json> json = images_.Inspect(name);
    if (json.ok()) {
      out->add_json(json->dump());
    } else if (json.status().IsNotFound()) {
      out->add_missing(name);
    } else {
      return protocol::ErrorReply(request.request_id(), json.status());
    }
  }
  return reply;
}

Envelope RpcHandler::HandleRemove(const Envelope& request) {
  Envelope reply = Reply(request);
  auto* out = reply.mutable_remove_result();
  const auto& req = request.remove_image();
  for (const auto& name : req.names()) {
    Result<std::vector<RemoveLine>> lines = images_.Remove(name, req.force(), req.untag_only());
    if (!lines.ok()) {
      *out->add_errors() = protocol::ErrorFromStatus(lines.status());
      continue;
    }
    for (const auto& line : *lines) {
      auto* l = out->add_lines();
      l->set_kind(line.deleted ? v1::RemoveLine::KIND_DELETED : v1::RemoveLine::KIND_UNTAGGED);
      l->set_value(line.value);
    }
  }
  return reply;
}

}  // namespace strata::coordinator

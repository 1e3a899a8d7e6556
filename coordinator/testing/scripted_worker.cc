#include "coordinator/testing/scripted_worker.h"

#include <chrono>
#include <utility>

#include "image/digest.h"
#include "protocol/envelope.h"

namespace strata::coordinator::testing {

using protocol::Envelope;
using std::chrono::milliseconds;

ScriptedWorker::ScriptedWorker(protocol::Context& context, std::string endpoint, std::string id,
                               uint32_t slots)
    : id_(std::move(id)), slots_(slots) {
  auto connect = [&]() -> std::unique_ptr<protocol::Connection> {
    Result<std::unique_ptr<protocol::Connection>> c =
        protocol::Connection::Connect(context, endpoint);
    if (!c.ok()) {
      error_ = c.status();
      return nullptr;
    }
    return std::move(*c);
  };
  jobs_connection_ = connect();
  transfers_ = connect();
  beats_ = connect();
}

ScriptedWorker::~ScriptedWorker() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

Status ScriptedWorker::Start() {
  if (!jobs_connection_ || !transfers_ || !beats_) return error();
  Envelope reg = protocol::NewEnvelope(jobs_connection_->NextRequestId());
  reg.mutable_register_worker()->set_worker_id(id_);
  reg.mutable_register_worker()->set_slots(slots_);
  ASSIGN_OR_RETURN(Envelope registered, jobs_connection_->Call(reg, milliseconds(5000)));
  if (!registered.has_registered()) {
    return Status::Internal("register " + id_ + ": " + std::string(protocol::BodyName(registered)));
  }
  thread_ = std::thread([this] { Serve(); });
  return Status::OK();
}

Status ScriptedWorker::Beat() {
  if (silent_) return Status::OK();
  Envelope beat = protocol::NewEnvelope(0);
  beat.mutable_heartbeat()->set_worker_id(id_);
  return beats_->Send(beat);
}

std::vector<std::string> ScriptedWorker::jobs() const {
  std::lock_guard lock(mu_);
  return jobs_;
}

Status ScriptedWorker::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

void ScriptedWorker::Serve() {
  while (!stop_) {
    Result<Envelope> in = jobs_connection_->Receive(milliseconds(50));
    if (!in.ok() || !in->has_job()) continue;
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(in->job().job_id());
    }
    if (silent_) continue;
    Status answered = Answer(in->job());
    if (!answered.ok()) {
      std::lock_guard lock(mu_);
      if (error_.ok()) error_ = answered;
    }
  }
}

Status ScriptedWorker::Answer(const v1::Job& job) {
  const std::string layer = "layer of " + job.instruction();
  const Digest digest = Digest::Sha256Of(layer);
  Envelope put = protocol::NewEnvelope(transfers_->NextRequestId());
  put.mutable_blob_put()->set_digest(digest.ToString());
  put.mutable_blob_put()->set_data(layer);
  put.mutable_blob_put()->set_last(true);
  put.mutable_blob_put()->set_total_size(layer.size());
  ASSIGN_OR_RETURN(Envelope ack, transfers_->Call(put, milliseconds(5000)));
  if (!ack.has_ack()) return Status::Internal(std::string("BlobPut answered ") + protocol::BodyName(ack));
  Envelope result = protocol::NewEnvelope(0);
  v1::JobResult* r = result.mutable_job_result();
  r->set_job_id(job.job_id());
  r->set_worker_id(id_);
  r->set_layer_digest(digest.ToString());
  r->set_diff_id(Digest::Sha256Of("tar:" + layer).ToString());
  r->set_size(layer.size());
  r->set_media_type("application/vnd.oci.image.layer.v1.tar+gzip");
  return jobs_connection_->Send(result);
}

}  // namespace strata::coordinator::testing

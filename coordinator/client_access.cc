#include "coordinator/client_access.h"

#include <utility>

#include "common/logging.h"

namespace strata::coordinator {
namespace {

constexpr char kGetToken[] =
    "pass --token, set STRATA_TOKEN, or save one with 'strata --host HOST login --token "
    "TOKEN'; an admin makes tokens with 'strata system token create --namespace NAME'";

Caller FromGrant(const Grant& grant, std::string name) {
  Caller caller;
  caller.ns = grant.ns;
  caller.role = grant.role;
  caller.local = false;
  caller.name = std::move(name);
  return caller;
}

}  // namespace

Result<std::unique_ptr<ClientAccess>> ClientAccess::Open(ClientAccessOptions options) {
  auto access = std::unique_ptr<ClientAccess>(new ClientAccess(std::move(options)));
  if (!access->options_.tokens_path.empty()) {
    ASSIGN_OR_RETURN(TokenTable table, TokenTable::Load(access->options_.tokens_path));
    LOG(INFO) << "tokens file " << access->options_.tokens_path << ": " << table.size()
              << " grants";
    MutexLock lock(access->mu_);
    access->table_ = std::move(table);
  }
  return access;
}

void ClientAccess::ReloadIfAsked() {
  if (!reload_requested_.exchange(false) || options_.tokens_path.empty()) return;
  Result<TokenTable> table = TokenTable::Load(options_.tokens_path);
  if (!table.ok()) {
    LOG(ERROR) << "tokens file not reloaded, the old grants stay: " << table.status().message();
    return;
  }
  LOG(INFO) << "tokens file " << options_.tokens_path << " reloaded: " << table->size()
            << " grants";
  MutexLock lock(mu_);
  table_ = std::move(table).value();
}

Result<Caller> ClientAccess::Identify(const protocol::Incoming& incoming, bool tcp,
                                      bool worker_endpoint) {
  ReloadIfAsked();
  const std::string& token = incoming.envelope.token();
  std::optional<Caller> caller;
  {
    MutexLock lock(mu_);
    if (!token.empty()) {
      if (std::optional<Grant> grant = table_.ForToken(token)) {
        caller = FromGrant(*grant, "token sha256:" + TokenHash(token).substr(0, 12));
      } else {
        return Status::PermissionDenied(
            std::string("the token sent is not valid on this coordinator (not in its tokens "
                        "file, or since removed): ") +
            kGetToken);
      }
    } else if (!incoming.curve_key.empty()) {
      if (std::optional<Grant> grant = table_.ForCurveKey(incoming.curve_key)) {
        caller = FromGrant(*grant, "key " + incoming.curve_key.substr(0, 8));
      }
    }
  }
  if (!caller) {
    if (tcp && !options_.no_auth) {
      return Status::PermissionDenied(
          std::string(worker_endpoint
                          ? "this worker endpoint needs a worker token: start strata-worker with "
                            "--token or STRATA_TOKEN (an admin makes one with 'strata system "
                            "token create --namespace NAME --role worker')"
                          : "this coordinator needs a token: ") +
          (worker_endpoint ? "" : kGetToken));
    }
    Caller local;
    local.local = !tcp;
    local.name = tcp ? "anonymous (--no-auth)" : "local";
    local.role = worker_endpoint ? Role::kWorker : Role::kAdmin;
    return local;
  }
  if (worker_endpoint && caller->role != Role::kWorker) {
    return Status::PermissionDenied(
        "only a grant of role worker may register or answer jobs here (this one is " +
        std::string(protocol::RoleName(caller->role)) + " of namespace " + caller->ns +
        "); make one with 'strata system token create --namespace NAME --role worker'");
  }
  if (!worker_endpoint && caller->role == Role::kWorker) {
    return Status::PermissionDenied(
        "a worker token is for the worker endpoint; use a member or admin token here");
  }
  return *caller;
}

Result<Caller> ClientAccess::IdentifyClient(const protocol::Incoming& incoming, bool tcp) {
  return Identify(incoming, tcp, /*worker_endpoint=*/false);
}

Result<Caller> ClientAccess::IdentifyWorker(const protocol::Incoming& incoming, bool tcp) {
  return Identify(incoming, tcp, /*worker_endpoint=*/true);
}

bool ClientAccess::AdmitCurveKey(const std::string& key) {
  ReloadIfAsked();
  MutexLock lock(mu_);
  return !table_.has_curve_keys() || table_.ForCurveKey(key).has_value();
}

Status Authorize(const Caller& caller, const protocol::Envelope& request) {
  using protocol::Envelope;
  auto admin_only = [&](const std::string& what) {
    if (caller.is_admin()) return Status::OK();
    return Status::PermissionDenied("only an admin may " + what + " (" + caller.name +
                                    " is a member of namespace " + caller.ns + ")");
  };
  auto local_only = [&](const std::string& what) {
    if (caller.local) return Status::OK();
    return Status::PermissionDenied(
        what + " names a file on the coordinator's disk, which only a client on its machine "
               "(the ipc:// socket) may do; over TCP the client streams the file (use a "
               "strata client of the same version)");
  };
  switch (request.body_case()) {
    case Envelope::kShutdown:
      return admin_only("shut the coordinator down");
    case Envelope::kDiskUsage:
      return admin_only("read the disk use of every namespace ('strata system df')");
    case Envelope::kImportImage:
      return request.import_image().streamed() ? Status::OK() : local_only("an import from a path");
    case Envelope::kLoadImage:
      return request.load_image().streamed() ? Status::OK() : local_only("a load from a path");
    case Envelope::kSaveImage:
      return request.save_image().streamed() ? Status::OK() : local_only("a save to a path");
    case Envelope::kCommitImage:
      return local_only("a commit");
    default:
      return Status::OK();
  }
}

}  // namespace strata::coordinator

#include "registry/testing/registry_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/file_util.h"
#include "registry/http_client.h"
#include "registry/testing/htpasswd.h"

namespace strata::registry::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string TailOfFile(const std::string& path, size_t max_bytes) {
  std::string text = ReadAll(path);
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

bool RegistryProcess::Available(const std::string& binary) {
  return ::access(binary.c_str(), X_OK) == 0;
}

Result<std::unique_ptr<RegistryProcess>> RegistryProcess::Start(Options options) {
  if (!Available(options.binary)) {
    return Status::NotFound(options.binary + " is missing (Debian package docker-registry)");
  }
  std::unique_ptr<RegistryProcess> p(new RegistryProcess(std::move(options)));
  TRY(MakeDirs(p->options_.dir + "/data", 0700));
  TRY(p->WriteConfig());
  TRY(p->Spawn());
  TRY(p->WaitReady());
  return p;
}

RegistryProcess::~RegistryProcess() { Stop(); }

Status RegistryProcess::WriteConfig() const {
  const Options& o = options_;
  std::ostringstream c;
  c << "version: 0.1\n"
       "log:\n  level: info\n  accesslog:\n    disabled: true\n"
       "storage:\n  filesystem:\n    rootdirectory: "
    << o.dir << "/data\n  delete:\n    enabled: true\n"
    << "http:\n  addr: 127.0.0.1:0\n  secret: strata-test-secret\n";
  if (o.mode == Mode::kHtpasswd) {
    ASSIGN_OR_RETURN(std::string line, HtpasswdLine(o.user, o.password));
    std::ofstream h(o.dir + "/htpasswd", std::ios::trunc);
    h << line << "\n";
    h.close();
    if (!h) return Status::IOError(o.dir + "/htpasswd: cannot write");
    c << "auth:\n  htpasswd:\n    realm: strata-test\n    path: " << o.dir << "/htpasswd\n";
  } else if (o.mode == Mode::kToken) {
    c << "auth:\n  token:\n    realm: " << o.token_realm << "\n    service: " << o.token_service
      << "\n    issuer: " << o.token_issuer << "\n    rootcertbundle: " << o.token_cert_path
      << "\n";
  }
  std::ofstream out(o.dir + "/config.yml", std::ios::trunc);
  out << c.str();
  out.close();
  if (!out) return Status::IOError(o.dir + "/config.yml: cannot write");
  return Status::OK();
}

Status RegistryProcess::Spawn() {
  std::string config = options_.dir + "/config.yml";
  std::string log = log_path();
  std::string binary = options_.binary;
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) return Status::IOError(log + ": cannot create");
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();
  const char* argv[] = {binary.c_str(), "serve", config.c_str(), nullptr};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Status::Internal("fork failed");
  }
  if (pid == 0) {
    // Only async-signal-safe calls here.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execv(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  pid_ = pid;
  return Status::OK();
}

Status RegistryProcess::WaitReady() {
  static const std::regex kListening(R"(msg="listening on (127\.0\.0\.1:[0-9]+)\")");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  std::unique_ptr<HttpClient> http = NewHttpClient();
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("docker-registry exited at start; its log:\n" +
                                 TailOfFile(log_path()));
    }
    if (address_.empty()) {
      std::smatch m;
      std::string text = ReadAll(log_path());
      if (std::regex_search(text, m, kListening)) address_ = m[1];
    }
    if (!address_.empty()) {
      HttpRequest probe;
      probe.url = "http://" + address_ + "/v2/";
      Result<HttpResponse> r = http->Send(probe);
      if (r.ok() && (r->status == 200 || r->status == 401)) return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Stop();
  return Status::TimedOut("docker-registry did not answer /v2/ within 15 s; its log:\n" +
                          TailOfFile(log_path()));
}

void RegistryProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    int wstatus = 0;
    pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_ || r < 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &wstatus, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

}  // namespace strata::registry::testing

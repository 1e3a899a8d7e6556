#include "worker/step_executor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

#include "common/testing/temp_dir.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "image/byte_sink.h"
#include "image/byte_source.h"
#include "image/layer.h"
#include "image/layer_extract.h"
#include "image/layer_reader.h"
#include "sandbox/runc_runtime.h"
#include "sandbox/testing/busybox_rootfs.h"
#include "snapshot/layer_unpacker.h"
#include "snapshot/overlay_snapshotter.h"
#include "worker/testing/real_worker.h"

namespace strata::worker {
namespace {

// Names every layer path must carry byte for byte (image::testing::OddNames
// has the same set): UTF-8, NFD, a byte that is not UTF-8, a non-ASCII
// path longer than 100 bytes.
std::vector<std::string> OddNames() {
  std::string long_dir;
  for (int i = 0; i < 40; ++i) long_dir += "\xc5\x91";
  return {"names/F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny.crt", "names/nfd-o\xcc\x88",
          "names/latin1-\xe9t\xe9", "names/" + long_dir + "/" + long_dir + "/f\xc5\x91.txt"};
}

// `path` as a shell word made of ASCII only ("$(printf '\351')" for a byte
// 0xE9): runc's config.json is JSON, which cannot carry a RUN argument
// that is not UTF-8.
std::string ShellBytes(const std::string& path) {
  std::string printf_arg;
  for (unsigned char c : path) {
    if (c < 0x80 && c != '\'' && c != '\\' && c != '%') {
      printf_arg += static_cast<char>(c);
    } else {
      char octal[8];
      std::snprintf(octal, sizeof octal, "\\%03o", c);
      printf_arg += octal;
    }
  }
  return "\"$(printf '" + printf_arg + "')\"";
}

// Real runc and overlayfs over a busybox base layer that went through
// WriteLayer and ExtractingUnpacker, as a pulled image would.
class StepExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::MakeTempDir("strata-step");
    Result<testing::RealWorker> real = testing::OpenRealWorker(dir_);
    ASSERT_TRUE(real.ok()) << real.status().ToString();
    if (!real->skip_reason.empty()) GTEST_SKIP() << real->skip_reason;
    runtime_ = std::move(real->runtime);
    snapshotter_ = std::move(real->snapshotter);

    std::string base = dir_ + "/busybox";
    ASSERT_TRUE(MakeDirs(base, 0755).ok());
    ASSERT_TRUE(sandbox::testing::MakeBusyboxRootfs(base).ok());
    std::string blob = dir_ + "/base.tar.gz";
    Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(blob);
    ASSERT_TRUE(sink.ok());
    Result<image::LayerResult> layer = image::WriteLayer(image::LayerSource::FromDirectory(base),
                                                         image::Compression::kGzip, sink->get());
    ASSERT_TRUE(layer.ok()) << layer.status().ToString();
    base_ = layer->diff_id.ToString();
    blobs_[base_] = blob;
    snapshot::ExtractingUnpacker unpacker = snapshot::ExtractingUnpacker::FromFile(blob, base_);
    ASSERT_TRUE(snapshotter_->EnsureLayer(base_, unpacker).ok());

    StepExecutorOptions exec;
    exec.layer_dir = dir_ + "/layers";
    exec.temp_dir = dir_ + "/tmp";
    executor_ = std::make_unique<StepExecutor>(snapshotter_.get(), runtime_.get(), exec);
  }

  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }

  StepRequest Run(std::string command, std::vector<std::string> chain = {}) {
    StepRequest r;
    r.parent_chain = chain.empty() ? std::vector<std::string>{base_} : chain;
    r.kind = StepKind::kRun;
    r.run.args = {std::move(command)};
    return r;
  }

  // Executes and, on success, unpacks the new layer so later steps can
  // stack on it. Returns the result (exit code included).
  StepResult Exec(const StepRequest& request, sandbox::CollectingSink* sink = nullptr) {
    sandbox::CollectingSink local;
    Result<StepResult> r = executor_->Execute(request, sink != nullptr ? sink : &local);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) {
      StepResult failed;
      failed.exit_code = -1;
      failed.error = r.status().ToString();
      return failed;
    }
    if (r->ok()) {
      std::string diff_id = r->layer.diff_id.ToString();
      blobs_[diff_id] = r->layer.path;
      snapshot::ExtractingUnpacker unpacker =
          snapshot::ExtractingUnpacker::FromFile(r->layer.path, diff_id);
      EXPECT_TRUE(snapshotter_->EnsureLayer(diff_id, unpacker).ok());
    }
    return *r;
  }

  static std::vector<image::LayerEntry> Entries(const std::string& blob) {
    Result<std::unique_ptr<image::FileSource>> file = image::FileSource::Open(blob);
    EXPECT_TRUE(file.ok());
    if (!file.ok()) return {};
    Result<std::vector<image::LayerEntry>> entries = image::ReadLayerEntries(file->get());
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    return entries.ok() ? *entries : std::vector<image::LayerEntry>{};
  }
  static std::vector<std::string> Paths(const std::string& blob) {
    std::vector<std::string> paths;
    for (const image::LayerEntry& e : Entries(blob)) paths.push_back(e.path);
    return paths;
  }

  // Applies the chain's blobs in order onto a fresh directory.
  std::string Flatten(const std::vector<std::string>& chain) {
    std::string out = strata::testing::MakeTempDir("strata-flat");
    for (const std::string& id : chain) {
      Result<std::unique_ptr<image::FileSource>> file = image::FileSource::Open(blobs_[id]);
      EXPECT_TRUE(file.ok());
      if (!file.ok()) continue;
      EXPECT_TRUE(image::ExtractLayer(file->get(), out).ok());
    }
    return out;
  }

  std::string dir_;
  std::string base_;
  std::map<std::string, std::string> blobs_;  // diff_id -> blob path
  std::unique_ptr<sandbox::RuncRuntime> runtime_;
  std::unique_ptr<snapshot::OverlaySnapshotter> snapshotter_;
  std::unique_ptr<StepExecutor> executor_;
};

using Strings = std::vector<std::string>;

TEST_F(StepExecutorTest, RunWritesAFileAndTheLayerHoldsOnlyIt) {
  StepResult r = Exec(Run("echo hi > /hello"));
  ASSERT_EQ(r.exit_code, 0) << r.error;
  EXPECT_FALSE(r.layer.empty);
  EXPECT_EQ(r.layer.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(r.layer.blob_digest.ToString(), "sha256:" + r.layer.blob_digest.hex());
  struct stat st;
  ASSERT_EQ(::stat(r.layer.path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), r.layer.blob_size);
  // The tar's own size (what image ls adds up): whole 512-byte blocks, at
  // least a header, a data block and the two end blocks.
  EXPECT_GE(r.layer.uncompressed_size, 2048u);
  EXPECT_EQ(r.layer.uncompressed_size % 512, 0u);
  // No copied-up /etc (hosts/resolv.conf stubs) nor /proc, /dev, /sys stubs.
  EXPECT_EQ(Paths(r.layer.path), Strings{"hello"});
}

TEST_F(StepExecutorTest, RunThatChangesNothingGivesAnEmptyLayer) {
  StepResult r = Exec(Run("true"));
  ASSERT_EQ(r.exit_code, 0) << r.error;
  EXPECT_TRUE(r.layer.empty);
  EXPECT_TRUE(Paths(r.layer.path).empty());
  // The empty tar: 1024 zero bytes.
  EXPECT_EQ(r.layer.diff_id.ToString(),
            "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
}

TEST_F(StepExecutorTest, DeletingAFileLeavesAWhiteout) {
  StepResult one = Exec(Run("mkdir -p /data && echo hi > /data/file && echo x > /data/keep"));
  ASSERT_EQ(one.exit_code, 0) << one.error;
  std::string l1 = one.layer.diff_id.ToString();
  StepResult two = Exec(Run("rm /data/file", {base_, l1}));
  ASSERT_EQ(two.exit_code, 0) << two.error;
  std::string l2 = two.layer.diff_id.ToString();
  EXPECT_EQ(Paths(two.layer.path), (Strings{"data", "data/.wh.file"}));

  std::string flat = Flatten({base_, l1, l2});
  struct stat st;
  EXPECT_NE(::lstat((flat + "/data/file").c_str(), &st), 0);
  EXPECT_EQ(::lstat((flat + "/data/keep").c_str(), &st), 0);
  EXPECT_FALSE(HasFailure());
  RemoveTree(flat).PermitUncheckedError();

  // The next RUN over the chain does not see the file either.
  sandbox::CollectingSink out;
  StepResult three = Exec(Run("ls /data", {base_, l1, l2}), &out);
  EXPECT_EQ(out.stdout_text(), "keep\n");
}

// `RUN rm /etc/issue /etc/issue.net` (apt-get update does the like): the
// kernel may make both whiteouts links of one inode; the layer must still
// hold two .wh. files, unpack as a snapshot and hide both lower files.
TEST_F(StepExecutorTest, DeletingTwoLowerFilesLeavesTwoWhiteouts) {
  StepResult one = Exec(Run("mkdir -p /data && echo a > /data/issue && echo b > /data/issue.net"));
  ASSERT_EQ(one.exit_code, 0) << one.error;
  std::string l1 = one.layer.diff_id.ToString();
  StepResult two = Exec(Run("rm /data/issue /data/issue.net", {base_, l1}));
  ASSERT_EQ(two.exit_code, 0) << two.error;
  std::string l2 = two.layer.diff_id.ToString();
  std::vector<image::LayerEntry> entries = Entries(two.layer.path);
  Strings got;
  for (const image::LayerEntry& e : entries) {
    got.push_back(e.path + (e.type == image::EntryType::kHardlink ? " -> " + e.link_target : ""));
  }
  EXPECT_EQ(got, (Strings{"data", "data/.wh.issue", "data/.wh.issue.net"}));
  Result<bool> unpacked = snapshotter_->HasLayer(l2);
  ASSERT_TRUE(unpacked.ok());
  EXPECT_TRUE(*unpacked);

  std::string flat = Flatten({base_, l1, l2});
  struct stat st;
  EXPECT_NE(::lstat((flat + "/data/issue").c_str(), &st), 0);
  EXPECT_NE(::lstat((flat + "/data/issue.net").c_str(), &st), 0);
  if (!HasFailure()) RemoveTree(flat).PermitUncheckedError();

  sandbox::CollectingSink out;
  StepResult three = Exec(Run("ls -A /data; echo end", {base_, l1, l2}), &out);
  ASSERT_EQ(three.exit_code, 0) << three.error;
  EXPECT_EQ(out.stdout_text(), "end\n");
}

// `RUN touch /tmp/Főtanúsítvány.crt` crashed the layer writer (SIGSEGV in
// libarchive). The layer holds every name as the RUN made it, unpacks, and
// the next step sees the same names.
TEST_F(StepExecutorTest, RunLayerKeepsNonAsciiNamesByteForByte) {
  const std::string long_name = OddNames()[3];
  std::string script =
      "mkdir -p " + ShellBytes("/tmp/" + long_name.substr(0, long_name.rfind('/')));
  for (const std::string& name : OddNames()) script += " && touch " + ShellBytes("/tmp/" + name);
  sandbox::CollectingSink made;
  StepResult r = Exec(Run(script), &made);
  ASSERT_EQ(r.exit_code, 0) << r.error << made.stderr_text();
  Strings all = Paths(r.layer.path);
  for (const std::string& name : OddNames()) {
    EXPECT_NE(std::find(all.begin(), all.end(), "tmp/" + name), all.end()) << name;
  }

  std::string flat = Flatten({base_, r.layer.diff_id.ToString()});
  struct stat st;
  for (const std::string& name : OddNames()) {
    EXPECT_EQ(::lstat((flat + "/tmp/" + name).c_str(), &st), 0) << name;
  }
  if (!HasFailure()) RemoveTree(flat).PermitUncheckedError();

  std::string check = "true";
  for (const std::string& name : OddNames()) check += " && test -f " + ShellBytes("/tmp/" + name);
  StepResult next = Exec(Run(check, {base_, r.layer.diff_id.ToString()}));
  EXPECT_EQ(next.exit_code, 0) << next.error;
}

TEST_F(StepExecutorTest, RunSeesEnvUserAndCreatedWorkdir) {
  StepRequest req = Run("echo \"$FOO $(id -u):$(id -g) $(pwd)\" && touch out");
  req.env = {"FOO=bar baz"};
  req.user = "app";
  req.workdir = "/work/dir";
  sandbox::CollectingSink out;
  StepResult r = Exec(req, &out);
  ASSERT_EQ(r.exit_code, 0) << r.error << out.stderr_text();
  EXPECT_EQ(out.stdout_text(), "bar baz 1000:1000 /work/dir\n");
  std::map<std::string, image::LayerEntry> by_path;
  for (image::LayerEntry& e : Entries(r.layer.path)) by_path[e.path] = e;
  ASSERT_EQ(by_path.count("work/dir"), 1u);
  EXPECT_EQ(by_path["work/dir"].uid, 1000u);
  EXPECT_EQ(by_path["work"].uid, 1000u);
  EXPECT_EQ(by_path["work/dir/out"].uid, 1000u);
}

TEST_F(StepExecutorTest, NonZeroExitIsAResultWithOutput) {
  sandbox::CollectingSink out;
  StepResult r = Exec(Run("echo failing >&2; exit 3"), &out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error,
            "process \"/bin/sh -c echo failing >&2; exit 3\" did not complete successfully: exit "
            "code: 3");
  EXPECT_EQ(r.output_tail, "failing\n");
  EXPECT_EQ(out.stderr_text(), "failing\n");
  EXPECT_TRUE(r.layer.path.empty());
}

TEST_F(StepExecutorTest, NetworkNoneSeesOnlyLoopback) {
  StepRequest req = Run("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
  req.run.network = sandbox::NetworkMode::kNone;
  sandbox::CollectingSink out;
  StepResult r = Exec(req, &out);
  ASSERT_EQ(r.exit_code, 0) << r.error << out.stderr_text();
  EXPECT_EQ(out.stdout_text(), "lo\n");
}

TEST_F(StepExecutorTest, HeredocsRunAsBuildKitRunsThem) {
  // RUN <<EOF with a plain body: the body is the shell script.
  StepRequest plain = Run("<<EOF");
  plain.run.heredocs = {{"EOF", "echo one > /h1\necho two >> /h1\n"}};
  StepResult r1 = Exec(plain);
  ASSERT_EQ(r1.exit_code, 0) << r1.error;
  std::string l1 = r1.layer.diff_id.ToString();

  // RUN <<EOF with a shebang: an executable file at /dev/pipes/EOF.
  StepRequest shebang = Run("<<'SCRIPT'", {base_, l1});
  shebang.run.heredocs = {{"SCRIPT", "#!/bin/sh\necho \"$0\" > /h2\n"}};
  StepResult r2 = Exec(shebang);
  ASSERT_EQ(r2.exit_code, 0) << r2.error;
  std::string l2 = r2.layer.diff_id.ToString();

  // A command that reads a heredoc: the shell gets "cmd <<EOF\nbody\nEOF".
  StepRequest fed = Run("cat <<EOF > /h3", {base_, l1, l2});
  fed.run.heredocs = {{"EOF", "fed line\n"}};
  StepResult r3 = Exec(fed);
  ASSERT_EQ(r3.exit_code, 0) << r3.error;
  std::string l3 = r3.layer.diff_id.ToString();

  std::string flat = Flatten({base_, l1, l2, l3});
  EXPECT_EQ(ReadFile(flat + "/h1").value_or(""), "one\ntwo\n");
  EXPECT_EQ(ReadFile(flat + "/h2").value_or(""), "/dev/pipes/SCRIPT\n");
  EXPECT_EQ(ReadFile(flat + "/h3").value_or(""), "fed line\n");
  // The script's mount point left nothing in the layer.
  EXPECT_EQ(Paths(r2.layer.path), Strings{"h2"});
  if (!HasFailure()) RemoveTree(flat).PermitUncheckedError();
}

TEST_F(StepExecutorTest, RunArgvHeredocForms) {
  RunStep run;
  run.args = {"<<-EOF"};
  run.heredocs = {{"EOF", "echo a\n"}};
  std::optional<InlineFile> script;
  EXPECT_EQ(RunArgv(run, &script).value_or(Strings{}), (Strings{"/bin/sh", "-c", "echo a\n"}));
  EXPECT_FALSE(script.has_value());
  run.args = {"python3 <<EOF"};
  EXPECT_EQ(RunArgv(run, &script).value_or(Strings{}),
            (Strings{"/bin/sh", "-c", "python3 <<EOF\necho a\nEOF"}));
  run.args = {"ls", "-l"};
  run.prepend_shell = false;
  run.heredocs.clear();
  EXPECT_EQ(RunArgv(run, &script).value_or(Strings{}), (Strings{"ls", "-l"}));
}

class CopyStepExecutorTest : public StepExecutorTest {
 protected:
  void SetUp() override {
    StepExecutorTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ctx_ = dir_ + "/context";
    ASSERT_TRUE(MakeDirs(ctx_ + "/app/lib", 0755).ok());
    ASSERT_TRUE(WriteFile(ctx_ + "/app/main.sh", "echo main\n", 0755).ok());
    ASSERT_TRUE(WriteFile(ctx_ + "/app/lib/util.sh", "util\n").ok());
    ASSERT_TRUE(WriteFile(ctx_ + "/README", "read me\n").ok());
  }
  StepRequest Copy(std::vector<std::string> sources, std::string dest) {
    StepRequest r;
    r.parent_chain = {base_};
    r.kind = StepKind::kCopy;
    r.copy.source_root = ctx_;
    r.copy.sources = std::move(sources);
    r.copy.dest = std::move(dest);
    return r;
  }
  std::string ctx_;
};

TEST_F(CopyStepExecutorTest, SameCopyTwiceGivesTheSameLayer) {
  StepRequest req = Copy({"app", "README"}, "/etc/app/");
  StepResult a = Exec(req);
  sleep(1);  // a clock-dependent layer would differ now
  StepResult b = Exec(req);
  EXPECT_EQ(a.layer.diff_id, b.layer.diff_id);
  EXPECT_EQ(a.layer.blob_digest, b.layer.blob_digest);
  EXPECT_EQ(Paths(a.layer.path), (Strings{"etc", "etc/app", "etc/app/README", "etc/app/lib",
                                          "etc/app/lib/util.sh", "etc/app/main.sh"}));
  // SOURCE_DATE_EPOCH clamps mtimes (and so changes the layer).
  req.source_date_epoch = 1;
  StepResult c = Exec(req);
  EXPECT_NE(a.layer.diff_id, c.layer.diff_id);
  for (const image::LayerEntry& e : Entries(c.layer.path)) EXPECT_LE(e.mtime, 1) << e.path;
}

// Two identical COPY steps in one chain give one layer twice; a step over
// that chain mounts it (overlayfs refuses a lower dir given twice).
TEST_F(CopyStepExecutorTest, SameLayerTwiceInOneChainMounts) {
  StepResult c = Exec(Copy({"README"}, "/etc/app/"));
  ASSERT_EQ(c.exit_code, 0) << c.error;
  std::string id = c.layer.diff_id.ToString();
  sandbox::CollectingSink out;
  StepResult r = Exec(Run("cat /etc/app/README", {base_, id, id}), &out);
  ASSERT_EQ(r.exit_code, 0) << r.error;
  EXPECT_EQ(out.stdout_text(), "read me\n");
}

// COPY of context files whose names are not ASCII (or not UTF-8).
TEST_F(CopyStepExecutorTest, CopyKeepsNonAsciiNamesByteForByte) {
  for (const std::string& name : OddNames()) {
    ASSERT_TRUE(MakeDirs(ctx_ + "/" + name.substr(0, name.rfind('/')), 0755).ok());
    ASSERT_TRUE(WriteFile(ctx_ + "/" + name, name).ok());
  }
  StepResult c = Exec(Copy({"names"}, "/odd/"));
  ASSERT_EQ(c.exit_code, 0) << c.error;
  std::map<std::string, std::string> content;
  for (const image::LayerEntry& e : Entries(c.layer.path)) {
    if (e.type == image::EntryType::kRegular) content[e.path] = e.content.value_or("");
  }
  for (const std::string& name : OddNames()) {
    std::string in_image = "odd/" + name.substr(6);
    ASSERT_EQ(content.count(in_image), 1u) << in_image;
    EXPECT_EQ(content[in_image], name);
  }
  std::string check = "true";
  for (const std::string& name : OddNames()) {
    check += " && test -f " + ShellBytes("/odd/" + name.substr(6));
  }
  StepResult next = Exec(Run(check, {base_, c.layer.diff_id.ToString()}));
  EXPECT_EQ(next.exit_code, 0) << next.error;
}

// ADD of a local tarball made by GNU tar (pax path records) whose names
// are not ASCII: the files land under their own bytes.
TEST_F(CopyStepExecutorTest, AddOfATarKeepsNonAsciiNamesByteForByte) {
  std::string tree = dir_ + "/tree";
  for (const std::string& name : OddNames()) {
    ASSERT_TRUE(MakeDirs(tree + "/" + name.substr(0, name.rfind('/')), 0755).ok());
    ASSERT_TRUE(WriteFile(tree + "/" + name, name).ok());
  }
  std::string cmd = "tar --format=posix -C " + tree + " -cf " + ctx_ + "/names.tar names";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  StepRequest add = Copy({"names.tar"}, "/add/");
  add.kind = StepKind::kAdd;
  add.copy.unpack_archives = true;  // as the coordinator asks for ADD (not --unpack=false)
  StepResult r = Exec(add);
  ASSERT_TRUE(r.ok()) << r.error;
  std::map<std::string, std::string> content;
  for (const image::LayerEntry& e : Entries(r.layer.path)) {
    if (e.type == image::EntryType::kRegular) content[e.path] = e.content.value_or("");
  }
  for (const std::string& name : OddNames()) {
    ASSERT_EQ(content.count("add/" + name), 1u) << name;
    EXPECT_EQ(content["add/" + name], name);
  }
}

TEST_F(CopyStepExecutorTest, CopyLeavesItsSnapshotForTheNextStep) {
  sandbox::CollectingSink sink;
  Result<StepResult> copied = executor_->Execute(Copy({"app"}, "/opt/app/"), &sink);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  const std::string diff_id = copied->layer.diff_id.ToString();
  // The step's upper dir became the snapshot: the blob was never unpacked.
  ASSERT_TRUE(*snapshotter_->HasLayer(diff_id));
  StepRequest run = Run("cat /opt/app/lib/util.sh > /seen && ls /opt/app | tr '\\n' ' ' > /listing",
                        {base_, diff_id});
  StepResult ran = Exec(run);
  ASSERT_TRUE(ran.ok()) << ran.error;
  std::string out = Flatten({ran.layer.diff_id.ToString()});
  EXPECT_EQ(*ReadFile(out + "/seen"), "util\n");
  EXPECT_EQ(*ReadFile(out + "/listing"), "lib main.sh ");
}

TEST_F(CopyStepExecutorTest, ChownChmodAndRelativeDestInTheImage) {
  StepRequest req = Copy({"app/main.sh"}, "bin/");
  req.workdir = "/home/app";
  req.copy.chown = "app:staff";
  req.copy.chmod = "700";
  StepResult r = Exec(req);
  ASSERT_TRUE(r.ok()) << r.error;
  std::map<std::string, image::LayerEntry> by_path;
  for (image::LayerEntry& e : Entries(r.layer.path)) by_path[e.path] = e;
  ASSERT_EQ(by_path.count("home/app/bin/main.sh"), 1u);
  const image::LayerEntry& f = by_path["home/app/bin/main.sh"];
  EXPECT_EQ(f.uid, 1000u);
  EXPECT_EQ(f.gid, 50u);
  EXPECT_EQ(f.mode, 0700u);
  // The copied file runs in a later RUN.
  sandbox::CollectingSink out;
  StepResult run = Exec(Run("/home/app/bin/main.sh", {base_, r.layer.diff_id.ToString()}), &out);
  EXPECT_EQ(out.stdout_text(), "main\n");
}

TEST_F(CopyStepExecutorTest, CopyErrorsReachTheCaller) {
  Result<StepResult> missing = executor_->Execute(Copy({"nope.txt"}, "/x/"), nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  Result<StepResult> escape = executor_->Execute(Copy({"../x"}, "/x/"), nullptr);
  ASSERT_FALSE(escape.ok());
  EXPECT_TRUE(escape.status().IsInvalidArgument()) << escape.status().ToString();
}

TEST_F(CopyStepExecutorTest, AddExtractsAndWorkdirMakesALayer) {
  std::string tree = dir_ + "/tree";
  ASSERT_TRUE(MakeDirs(tree + "/share", 0755).ok());
  ASSERT_TRUE(WriteFile(tree + "/share/data", "payload").ok());
  Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(ctx_ + "/data.tar.gz");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE(image::WriteLayer(image::LayerSource::FromDirectory(tree), image::Compression::kGzip,
                                sink->get())
                  .ok());
  StepRequest add = Copy({"data.tar.gz"}, "/usr/");
  add.kind = StepKind::kAdd;
  add.copy.unpack_archives = true;
  StepResult r = Exec(add);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(Paths(r.layer.path), (Strings{"usr", "usr/share", "usr/share/data"}));

  StepRequest wd;
  wd.parent_chain = {base_};
  wd.kind = StepKind::kWorkdir;
  wd.workdir = "/srv/www";
  wd.user = "app";
  StepResult w = Exec(wd);
  ASSERT_TRUE(w.ok()) << w.error;
  std::vector<image::LayerEntry> entries = Entries(w.layer.path);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].path, "srv/www");
  EXPECT_EQ(entries[1].uid, 1000u);
}

// BuildKit makes a WORKDIR as a file op: an unknown USER name gives 0:0
// (a RUN under that USER still fails), a number is uid and gid.
TEST_F(CopyStepExecutorTest, WorkdirOwnerFollowsBuildKitsFileOwnerRules) {
  using Owner = std::pair<uint32_t, uint32_t>;
  auto workdir_owner = [&](const std::string& user, const std::string& dir) -> Owner {
    StepRequest wd;
    wd.parent_chain = {base_};
    wd.kind = StepKind::kWorkdir;
    wd.workdir = dir;
    wd.user = user;
    StepResult w = Exec(wd);
    EXPECT_TRUE(w.ok()) << user << ": " << w.error;
    for (const image::LayerEntry& e : Entries(w.layer.path)) {
      if ("/" + e.path == dir) return {e.uid, e.gid};
    }
    ADD_FAILURE() << dir << " is not in the layer";
    return {9999, 9999};
  };
  EXPECT_EQ(workdir_owner("ghost", "/srv/ghost"), Owner(0, 0));
  EXPECT_EQ(workdir_owner("4242", "/srv/num"), Owner(4242, 4242));
  EXPECT_EQ(workdir_owner("app:audio", "/srv/grp"), Owner(1000, 29));
}

// Through a real overlay mount and the layer diff: a hard link pair copied
// by one COPY is one file and a tar hard link, and xattrs reach the tar.
TEST_F(CopyStepExecutorTest, HardLinksAndXattrsReachTheLayer) {
  ASSERT_EQ(::link((ctx_ + "/README").c_str(), (ctx_ + "/README.again").c_str()), 0);
  if (::lsetxattr((ctx_ + "/app/main.sh").c_str(), "user.origin", "ctx", 3, 0) != 0) {
    GTEST_SKIP() << "no user xattrs here: " << std::strerror(errno);
  }
  const unsigned char cap[20] = {0x01, 0, 0, 0x02, 0x00, 0x04, 0, 0, 0, 0,
                                 0,    0, 0, 0,    0,    0,    0, 0, 0, 0};
  ASSERT_EQ(::lsetxattr((ctx_ + "/app/main.sh").c_str(), "security.capability", cap, sizeof cap, 0),
            0);
  StepRequest req = Copy({"README", "README.again", "app"}, "/dst/");
  req.copy.chown = "app";
  StepResult r = Exec(req);
  ASSERT_TRUE(r.ok()) << r.error;
  std::map<std::string, image::LayerEntry> by_path;
  for (image::LayerEntry& e : Entries(r.layer.path)) by_path[e.path] = e;
  ASSERT_EQ(by_path.count("dst/README.again"), 1u);
  EXPECT_EQ(by_path["dst/README"].type, image::EntryType::kRegular);
  EXPECT_EQ(by_path["dst/README.again"].type, image::EntryType::kHardlink);
  EXPECT_EQ(by_path["dst/README.again"].link_target, "dst/README");
  const image::LayerEntry& script = by_path["dst/main.sh"];
  EXPECT_EQ(script.xattrs.count("user.origin"), 1u);
  ASSERT_EQ(script.xattrs.count("security.capability"), 1u);
  EXPECT_EQ(script.xattrs.at("security.capability"),
            std::string(reinterpret_cast<const char*>(cap), sizeof cap));
}

// The figures for the report: a RUN `true` and a COPY of 100 small files,
// end to end (prepare + run/copy + diff + gzip).
TEST_F(CopyStepExecutorTest, Timings) {
  ASSERT_TRUE(MakeDirs(ctx_ + "/many", 0755).ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(WriteFile(ctx_ + "/many/f" + std::to_string(i), "file " + std::to_string(i)).ok());
  }
  auto time = [&](const StepRequest& req) {
    auto start = std::chrono::steady_clock::now();
    Result<StepResult> done = executor_->Execute(req, nullptr);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    EXPECT_TRUE(done.ok() && done->ok());
    if (!done.ok()) return done.status().ToString();
    const StepResult& r = *done;
    std::ostringstream line;
    line << ms << " ms (run/copy " << r.run_time.count() << " ms, diff+gzip " << r.diff_time.count()
         << " ms)";
    return line.str();
  };
  for (int i = 0; i < 3; ++i) {
    std::cout << "RUN true:        " << time(Run("true")) << "\n";
    std::cout << "COPY 100 files:  " << time(Copy({"many"}, "/many/")) << "\n";
  }
}

}  // namespace
}  // namespace strata::worker

// The image requests that read or write whole files run off the I/O
// thread: the coordinator answers a Ping while an import still waits for
// its input.

#include "coordinator/image_file_service.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "cache/test_util.h"
#include "common/file_util.h"
#include "coordinator/testing/coordinator_under_test.h"
#include "image/byte_sink.h"
#include "image/layer.h"
#include "protocol/connection.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;
using std::chrono::milliseconds;

class ImageFileServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(coordinator_.status().ok()) << coordinator_.status().ToString();
    files_ = std::make_unique<ImageFileService>(coordinator_.images(), coordinator_.server());
    coordinator_.server().AttachService(*files_);
    coordinator_.Run();
    client_ = *protocol::Connection::Connect(coordinator_.context(),
                                             coordinator_.clients().endpoint());
  }
  void TearDown() override { EXPECT_TRUE(coordinator_.Stop().ok()); }

  // The next envelope of request `id`, skipping others.
  Result<Envelope> ReplyTo(uint64_t id, milliseconds timeout) {
    for (;;) {
      ASSIGN_OR_RETURN(Envelope in, client_->Receive(timeout));
      if (in.request_id() == id) return in;
    }
  }

  cache::TempDir dir_;
  SystemClock clock_;
  testing::CoordinatorUnderTest coordinator_{dir_.path(), clock_, "ipc://" + dir_.path() + "/c.sock"};
  std::unique_ptr<ImageFileService> files_;
  std::unique_ptr<protocol::Connection> client_;
};

TEST_F(ImageFileServiceTest, APingIsAnsweredWhileAnImportWaitsForItsInput) {
  // A FIFO: the import blocks reading it until the test writes.
  const std::string fifo = dir_.path() + "/rootfs.tar";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Envelope import = protocol::NewEnvelope(client_->NextRequestId());
  import.mutable_import_image()->set_source_path(fifo);
  import.mutable_import_image()->set_repo_tag("imported:fifo");
  ASSERT_TRUE(client_->Send(import).ok());

  Envelope ping = protocol::NewEnvelope(client_->NextRequestId());
  ping.mutable_ping();
  ASSERT_TRUE(client_->Send(ping).ok());
  Result<Envelope> pong = ReplyTo(ping.request_id(), milliseconds(5000));
  if (!pong.ok()) {
    // Let a stuck import read an end of file, so the server can stop.
    int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer >= 0) ::close(writer);
  }
  ASSERT_TRUE(pong.ok()) << "the I/O thread is stuck in the import: " << pong.status().ToString();
  EXPECT_TRUE(pong->has_pong());

  // Now the input: a gzip tarball of one file.
  ASSERT_TRUE(MakeDirs(dir_.path() + "/rootfs/etc", 0755).ok());
  ASSERT_TRUE(WriteFile(dir_.path() + "/rootfs/etc/hostname", "fifo\n").ok());
  const std::string tarball = dir_.path() + "/rootfs.tar.gz";
  Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(tarball);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE(image::WriteLayer(image::LayerSource::FromDirectory(dir_.path() + "/rootfs"),
                                image::Compression::kGzip, sink->get())
                  .ok());
  ASSERT_TRUE((*sink)->Close().ok());
  Result<std::string> bytes = ReadFile(tarball);
  ASSERT_TRUE(bytes.ok());
  int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, bytes->data(), bytes->size()), static_cast<ssize_t>(bytes->size()));
  ASSERT_EQ(::close(fd), 0);
  Result<Envelope> done = ReplyTo(import.request_id(), milliseconds(10000));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_TRUE(done->has_import_result()) << protocol::BodyName(*done)
                                         << (done->has_error() ? ": " + done->error().message() : "");
  Result<nlohmann::ordered_json> inspected = coordinator_.images().Inspect("imported:fifo");
  ASSERT_TRUE(inspected.ok()) << inspected.status().ToString();
  EXPECT_EQ((*inspected)["Id"], done->import_result().id());
}

TEST_F(ImageFileServiceTest, FailuresAreAnsweredAsErrorsOfTheirRequest) {
  Envelope commit = protocol::NewEnvelope(client_->NextRequestId());
  commit.mutable_commit_image()->set_image("sha256:" + std::string(64, '0'));
  commit.mutable_commit_image()->set_layer_path(dir_.path() + "/no-such-layer.tar");
  Envelope load = protocol::NewEnvelope(client_->NextRequestId());
  load.mutable_load_image()->set_input_path(dir_.path() + "/no-such-archive.tar");
  Envelope save = protocol::NewEnvelope(client_->NextRequestId());
  save.mutable_save_image()->add_names("no-such-image");
  save.mutable_save_image()->set_output_path(dir_.path() + "/out.tar");
  for (const Envelope* request : {&commit, &load, &save}) {
    ASSERT_TRUE(client_->Send(*request).ok());
    Result<Envelope> reply = ReplyTo(request->request_id(), milliseconds(10000));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_TRUE(reply->has_error()) << protocol::BodyName(*reply);
  }
  struct stat st;
  EXPECT_NE(::stat((dir_.path() + "/out.tar").c_str(), &st), 0) << "a failed save left its file";
}

}  // namespace
}  // namespace strata::coordinator

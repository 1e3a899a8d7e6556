#include "cli/build_progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace strata::cli {
namespace {

v1::BuildEvent Started(uint32_t step, const std::string& text, const std::string& stage = "") {
  v1::BuildEvent e;
  e.set_step(step);
  e.set_total_steps(3);
  e.mutable_started()->set_instruction(text);
  e.mutable_started()->set_stage(stage);
  return e;
}

v1::BuildEvent Log(uint32_t step, const std::string& data) {
  v1::BuildEvent e;
  e.set_step(step);
  e.set_total_steps(3);
  e.mutable_log()->set_data(data);
  return e;
}

v1::BuildEvent Done(uint32_t step) {
  v1::BuildEvent e;
  e.set_step(step);
  e.set_total_steps(3);
  e.mutable_done();
  return e;
}

v1::BuildEvent Cached(uint32_t step) {
  v1::BuildEvent e;
  e.set_step(step);
  e.set_total_steps(3);
  e.mutable_cached();
  return e;
}

TEST(BuildProgressTest, PlainPrintsBuildKitBlocks) {
  std::ostringstream out;
  auto p = NewBuildProgress(ProgressMode::kPlain, false, out);
  p->OnEvent(Started(1, "COPY a /a", "build"), 1000);
  p->OnEvent(Cached(1), 1001);
  p->OnEvent(Done(1), 1002);
  p->OnEvent(Started(2, "RUN make", "build"), 2000);
  p->OnEvent(Log(2, "hel"), 2100);
  p->OnEvent(Log(2, "lo\nwor"), 2215);
  p->OnEvent(Done(2), 2300);
  p->Finish("", 2400);
  EXPECT_EQ(out.str(),
            "\n#1 [build 1/3] COPY a /a\n#1 CACHED\n"
            "\n#2 [build 2/3] RUN make\n#2 0.215 hello\n#2 0.300 wor\n#2 DONE 0.3s\n");
}

TEST(BuildProgressTest, PlainReportsTheFailingStep) {
  std::ostringstream out;
  auto p = NewBuildProgress(ProgressMode::kPlain, false, out);
  p->OnEvent(Started(1, "RUN false"), 0);
  v1::BuildEvent e;
  e.set_step(1);
  e.set_total_steps(3);
  e.mutable_error()->set_message("exit code: 1");
  p->OnEvent(e, 50);
  EXPECT_NE(out.str().find("#1 [1/3] RUN false\n#1 ERROR: exit code: 1\n"), std::string::npos) << out.str();
}

v1::BuildEvent Retry(uint32_t step, uint32_t attempt, const std::string& reason) {
  v1::BuildEvent e;
  e.set_step(step);
  e.set_total_steps(3);
  e.mutable_retry()->set_attempt(attempt);
  e.mutable_retry()->set_max_attempts(3);
  e.mutable_retry()->set_reason(reason);
  return e;
}

TEST(BuildProgressTest, PlainMarksTheReplayOfAStepWhoseWorkerWasLost) {
  std::ostringstream out;
  auto p = NewBuildProgress(ProgressMode::kPlain, false, out);
  p->OnEvent(Started(1, "RUN make"), 0);
  p->OnEvent(Log(1, "compiling\nhalf"), 100);
  p->OnEvent(Retry(1, 2, "worker lost"), 200);
  p->OnEvent(Log(1, "compiling\n"), 300);
  p->OnEvent(Done(1), 400);
  EXPECT_EQ(out.str(),
            "\n#1 [1/3] RUN make\n#1 0.100 compiling\n#1 0.200 half\n"
            "#1 retrying on another worker (attempt 2/3): worker lost\n"
            "#1 0.300 compiling\n#1 DONE 0.4s\n");
}

TEST(BuildProgressTest, TtyShowsTheRetryUnderTheStep) {
  std::ostringstream out;
  auto p = NewBuildProgress(ProgressMode::kTty, true, out);
  p->OnEvent(Started(1, "RUN make"), 0);
  p->OnEvent(Retry(1, 2, "worker lost"), 500);
  p->Finish("", 600);
  EXPECT_NE(out.str().find(" => => # retrying on another worker (attempt 2/3): worker lost"),
            std::string::npos)
      << out.str();
}

TEST(BuildProgressTest, NotesGetTheirOwnNumber) {
  std::ostringstream out;
  auto p = NewBuildProgress(ProgressMode::kPlain, false, out);
  p->OnNote("[internal] load build definition from Dockerfile", "transferring dockerfile: 10B", 0);
  p->OnEvent(Started(1, "RUN true"), 10);
  EXPECT_EQ(out.str(),
            "\n#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 10B\n"
            "#1 DONE 0.0s\n\n#2 [1/3] RUN true\n");
}

TEST(BuildProgressTest, TtyRedrawsInPlace) {
  std::ostringstream out;
  auto p = NewBuildProgress(ProgressMode::kAuto, true, out);
  p->OnEvent(Started(1, "RUN make"), 0);
  p->OnEvent(Log(1, "compiling\n"), 500);
  p->OnEvent(Done(1), 900);
  p->Finish("", 1000);
  std::string s = out.str();
  EXPECT_NE(s.find("[+] Building 1.0s (1/1) FINISHED"), std::string::npos) << s;
  EXPECT_NE(s.find("\x1b["), std::string::npos);  // cursor movement
  EXPECT_NE(s.find(" => => # compiling"), std::string::npos);
}

TEST(BuildProgressTest, ModesAndTitles) {
  ProgressMode m;
  EXPECT_TRUE(ParseProgressMode("plain", &m));
  EXPECT_EQ(m, ProgressMode::kPlain);
  EXPECT_FALSE(ParseProgressMode("fancy", &m));
  EXPECT_EQ(StepTitle("", 2, 5, "RUN x"), "[2/5] RUN x");
  EXPECT_EQ(StepTitle("builder", 2, 5, "RUN x"), "[builder 2/5] RUN x");
  EXPECT_EQ(FormatSeconds(1250), "1.2s");
}

}  // namespace
}  // namespace strata::cli

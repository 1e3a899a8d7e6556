#include "dockerfile/instructions.h"

#include <gtest/gtest.h>

#include "dockerfile/duration.h"
#include "dockerfile/parser.h"

namespace strata::dockerfile {
namespace {

// Parses one instruction line with the real parser.
Result<Command> ParseLine(std::string_view text) {
  auto ast = Parse(text);
  if (!ast.ok()) return ast.status();
  if (ast->instructions.size() != 1) return Status::Internal("want one instruction");
  return ParseInstruction(ast->instructions[0]);
}

std::string ErrorOf(std::string_view text) {
  auto c = ParseLine(text);
  return c.ok() ? "OK" : c.status().message();
}

TEST(InstructionsTest, HandBuiltCopy) {
  Instruction in;
  in.keyword = "copy";
  in.flags = {"--from=build", "--chmod=0755", "--link", "--exclude=*.md", "--exclude=*.txt"};
  in.args = {"/out", "/bin/app", "/usr/local/bin/"};
  auto c = ParseInstruction(in);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const CopyCommand* copy = c->As<CopyCommand>();
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->from, "build");
  EXPECT_EQ(copy->chmod, "0755");
  EXPECT_TRUE(copy->link);
  EXPECT_FALSE(copy->parents);
  EXPECT_EQ(copy->excludes, (std::vector<std::string>{"*.md", "*.txt"}));
  EXPECT_EQ(copy->sources, (std::vector<std::string>{"/out", "/bin/app"}));
  EXPECT_EQ(copy->dest, "/usr/local/bin/");
  EXPECT_EQ(FormatCommand(*c),
            "COPY --from=build --chmod=0755 --link --exclude=*.md --exclude=*.txt /out /bin/app "
            "/usr/local/bin/");
}

TEST(InstructionsTest, FromWithPlatformAndName) {
  auto c = ParseLine("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const FromCommand* from = c->As<FromCommand>();
  ASSERT_NE(from, nullptr);
  EXPECT_EQ(from->image, "golang:1.22");
  EXPECT_EQ(from->name, "build");
  EXPECT_EQ(from->platform, "$BUILDPLATFORM");
}

TEST(InstructionsTest, FromErrors) {
  EXPECT_EQ(ErrorOf("FROM a b\n"), "FROM requires either one or three arguments");
  EXPECT_EQ(ErrorOf("FROM a AS 1st\n"),
            "invalid name for build stage: \"1st\", name can't start with a number or contain "
            "symbols");
}

TEST(InstructionsTest, RunMountSizeThatIsNotANumberIsAnError) {
  // std::stod(".") used to throw and take the coordinator down.
  auto c = ParseLine("RUN --mount=type=tmpfs,target=/t,size=. true\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("invalid value for size: ."), std::string::npos)
      << c.status().message();
}

TEST(InstructionsTest, RunFlags) {
  auto c = ParseLine(
      "RUN --mount=type=cache,target=/root/.cache,sharing=locked --network=none "
      "--security=insecure make\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const RunCommand* run = c->As<RunCommand>();
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->network, NetworkMode::kNone);
  EXPECT_EQ(run->security, SecurityMode::kInsecure);
  ASSERT_EQ(run->mounts.size(), 1u);
  EXPECT_EQ(run->mounts[0].type, MountType::kCache);
  EXPECT_EQ(run->mounts[0].target, "/root/.cache");
  EXPECT_EQ(run->mounts[0].sharing, "locked");
  EXPECT_FALSE(run->mounts[0].read_only);
  EXPECT_TRUE(run->command.prepend_shell);
  EXPECT_EQ(run->command.args, std::vector<std::string>{"make"});
}

TEST(InstructionsTest, RunExecFormAndHeredoc) {
  auto exec = ParseLine("RUN [\"echo\", \"hi\"]\n");
  ASSERT_TRUE(exec.ok());
  EXPECT_FALSE(exec->As<RunCommand>()->command.prepend_shell);
  EXPECT_EQ(exec->As<RunCommand>()->command.args, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(FormatCommand(*exec), "RUN [\"echo\", \"hi\"]");

  auto heredoc = ParseLine("RUN <<EOF\necho $HOME\nEOF\n");
  ASSERT_TRUE(heredoc.ok()) << heredoc.status().message();
  const RunCommand* run = heredoc->As<RunCommand>();
  ASSERT_EQ(run->command.files.size(), 1u);
  EXPECT_EQ(run->command.files[0].name, "EOF");
  EXPECT_EQ(run->command.files[0].content, "echo $HOME\n");
}

TEST(InstructionsTest, FlagErrors) {
  EXPECT_EQ(ErrorOf("RUN --network=bridge true\n"),
            "invalid network mode \"bridge\" (want default, none or host)");
  EXPECT_EQ(ErrorOf("RUN --security=foo true\n"),
            "invalid security mode \"foo\" (want sandbox or insecure)");
  EXPECT_EQ(ErrorOf("COPY --bogus=1 a b\n"), "unknown flag: --bogus");
  EXPECT_EQ(ErrorOf("COPY --form=x a b\n"), "unknown flag: --form (did you mean --from?)");
  EXPECT_EQ(ErrorOf("ADD --from=x a b\n"), "unknown flag: --from");
  EXPECT_EQ(ErrorOf("COPY --chmod=999 a b\n"),
            "invalid chmod parameter: '999'. it should be octal string and between 0 and 07777");
  EXPECT_EQ(ErrorOf("COPY --chmod=17777 a b\n"),
            "invalid chmod parameter: '17777'. it should be octal string and between 0 and 07777");
  EXPECT_EQ(ErrorOf("COPY --link=maybe a b\n"),
            "expecting boolean value for flag --link, not: maybe");
  EXPECT_EQ(ErrorOf("COPY --from a b\n"), "missing a value on flag: --from");
  EXPECT_EQ(ErrorOf("COPY --from=a --from=b a b\n"), "duplicate flag specified: --from");
  EXPECT_EQ(ErrorOf("WORKDIR --x=1 /a\n"), "unknown flag: --x");
  EXPECT_EQ(ErrorOf("RUN --mount=type=foo true\n"), "unsupported mount type \"foo\"");
  EXPECT_EQ(ErrorOf("COPY --from=$STAGE a b\n"),
            "variable expansion is not supported for --from, define a new stage with FROM using "
            "ARG from global scope as a workaround");
}

TEST(InstructionsTest, ChmodAcceptsOctalAndSymbolic) {
  EXPECT_TRUE(ValidateChmod("755").ok());
  EXPECT_TRUE(ValidateChmod("0644").ok());
  EXPECT_TRUE(ValidateChmod("u+x,g-w").ok());
  EXPECT_FALSE(ValidateChmod("8").ok());
  EXPECT_FALSE(ValidateChmod("rwx").ok());
}

TEST(InstructionsTest, MissingArguments) {
  EXPECT_EQ(ErrorOf("COPY a\n"),
            "COPY requires at least two arguments, but only one was provided. Destination could "
            "not be determined");
  EXPECT_EQ(ErrorOf("ADD a\n"),
            "ADD requires at least two arguments, but only one was provided. Destination could "
            "not be determined");
  Instruction user;  // the parser gives USER/WORKDIR one string; a hand-built AST may not
  user.keyword = "user";
  user.args = {"a", "b"};
  EXPECT_EQ(ParseInstruction(user).status().message(), "USER requires exactly one argument");
  EXPECT_EQ(ErrorOf("STOPSIGNAL\n"), "STOPSIGNAL requires exactly one argument");
  EXPECT_EQ(ErrorOf("EXPOSE\n"), "EXPOSE requires at least one argument");
  EXPECT_EQ(ErrorOf("ARG\n"), "ARG requires at least one argument");
  EXPECT_EQ(ErrorOf("SHELL /bin/sh -c\n"), "SHELL requires the arguments to be in JSON form");
  EXPECT_EQ(ErrorOf("COPY <<EOF <<EOF2\nx\nEOF\ny\nEOF2\n"),
            "COPY cannot accept a heredoc as a destination");
}

TEST(InstructionsTest, UnknownInstructionSuggests) {
  EXPECT_EQ(ErrorOf("FORM alpine\n"), "unknown instruction: FORM (did you mean FROM?)");
  EXPECT_EQ(ErrorOf("XYZZYQ foo\n"), "unknown instruction: XYZZYQ");
}

TEST(InstructionsTest, EnvWithoutValueIsRejected) {
  // The parser rejects `ENV PATH` itself; a hand-built AST reaches here.
  Instruction in;
  in.keyword = "env";
  in.args = {"PATH"};
  auto c = ParseInstruction(in);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "ENV must have two arguments");
  in.args = {"PATH", "", ""};
  EXPECT_EQ(ParseInstruction(in).status().message(), "ENV must have two arguments");
}

TEST(InstructionsTest, EnvAndLabelPairs) {
  auto env = ParseLine("ENV A=1 B=\"two words\"\n");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->As<EnvCommand>()->vars,
            (std::vector<KeyValue>{{"A", "1"}, {"B", "\"two words\""}}));
  auto legacy = ParseLine("ENV A one two\n");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->As<EnvCommand>()->vars, (std::vector<KeyValue>{{"A", "one two"}}));
  auto label = ParseLine("LABEL a=b c=d\n");
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label->As<LabelCommand>()->labels.size(), 2u);
}

TEST(InstructionsTest, ArgDeclarations) {
  auto c = ParseLine("ARG A B=2 C=\n");
  ASSERT_TRUE(c.ok());
  const auto& args = c->As<ArgCommand>()->args;
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[0], (ArgDeclaration{"A", std::nullopt}));
  EXPECT_EQ(args[1], (ArgDeclaration{"B", "2"}));
  EXPECT_EQ(args[2], (ArgDeclaration{"C", ""}));
  EXPECT_EQ(ErrorOf("ARG =x\n"), "ARG names can not be blank");
}

TEST(InstructionsTest, Onbuild) {
  auto c = ParseLine("ONBUILD RUN make install\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const OnbuildCommand* onbuild = c->As<OnbuildCommand>();
  ASSERT_NE(onbuild, nullptr);
  EXPECT_EQ(onbuild->expression, "RUN make install");
  ASSERT_NE(onbuild->trigger, nullptr);
  EXPECT_NE(onbuild->trigger->As<RunCommand>(), nullptr);
  EXPECT_EQ(ErrorOf("ONBUILD ONBUILD RUN x\n"),
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  EXPECT_EQ(ErrorOf("ONBUILD FROM alpine\n"), "FROM isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(ErrorOf("ONBUILD MAINTAINER me\n"), "MAINTAINER isn't allowed as an ONBUILD trigger");
}

TEST(InstructionsTest, Healthcheck) {
  auto c = ParseLine(
      "HEALTHCHECK --interval=1m30s --timeout=3s --start-period=500ms --retries=3 CMD curl -f "
      "http://localhost/\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const HealthcheckCommand* h = c->As<HealthcheckCommand>();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->interval, std::chrono::seconds(90));
  EXPECT_EQ(h->timeout, std::chrono::seconds(3));
  EXPECT_EQ(h->start_period, std::chrono::milliseconds(500));
  EXPECT_EQ(h->retries, 3);
  EXPECT_EQ(h->test, (std::vector<std::string>{"CMD-SHELL", "curl -f http://localhost/"}));
  EXPECT_EQ(FormatCommand(*c),
            "HEALTHCHECK --interval=1m30s --timeout=3s --start-period=500ms --retries=3 CMD curl "
            "-f http://localhost/");

  auto none = ParseLine("HEALTHCHECK NONE\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->As<HealthcheckCommand>()->none);

  EXPECT_EQ(ErrorOf("HEALTHCHECK --interval=5x CMD true\n"),
            "invalid --interval: time: unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(ErrorOf("HEALTHCHECK --timeout=10 CMD true\n"),
            "invalid --timeout: time: missing unit in duration \"10\"");
  EXPECT_EQ(ErrorOf("HEALTHCHECK --interval=10us CMD true\n"),
            "Interval \"interval\" cannot be less than 1ms");
  EXPECT_EQ(ErrorOf("HEALTHCHECK --retries=-1 CMD true\n"), "--retries cannot be negative (-1)");
  EXPECT_EQ(ErrorOf("HEALTHCHECK --foo=1 CMD true\n"), "unknown flag: --foo");
  EXPECT_EQ(ErrorOf("HEALTHCHECK NONE x\n"), "HEALTHCHECK NONE takes no arguments");
  EXPECT_EQ(ErrorOf("HEALTHCHECK RUN true\n"), "Unknown type \"RUN\" in HEALTHCHECK (try CMD)");
}

TEST(InstructionsTest, VolumeShellAndCmd) {
  auto volume = ParseLine("VOLUME [\"/data\", \"/logs\"]\n");
  ASSERT_TRUE(volume.ok());
  EXPECT_EQ(volume->As<VolumeCommand>()->paths, (std::vector<std::string>{"/data", "/logs"}));
  auto words = ParseLine("VOLUME /a /b\n");
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(words->As<VolumeCommand>()->paths, (std::vector<std::string>{"/a", "/b"}));
  auto shell = ParseLine("SHELL [\"/bin/bash\", \"-c\"]\n");
  ASSERT_TRUE(shell.ok());
  EXPECT_EQ(shell->As<ShellCommand>()->shell, (std::vector<std::string>{"/bin/bash", "-c"}));
  auto entry = ParseLine("ENTRYPOINT [\"/app\"]\n");
  ASSERT_TRUE(entry.ok());
  EXPECT_FALSE(entry->As<EntrypointCommand>()->command.prepend_shell);
}

TEST(InstructionsTest, AddFlags) {
  auto c = ParseLine(
      "ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://x/y.tgz /y\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const AddCommand* add = c->As<AddCommand>();
  EXPECT_EQ(add->checksum, "sha256:abc");
  EXPECT_EQ(add->keep_git_dir, std::optional<bool>(true));
  EXPECT_EQ(add->unpack, std::optional<bool>(false));
}

TEST(InstructionsTest, CopyHeredocSource) {
  auto c = ParseLine("COPY <<EOF /etc/motd\nhello $USER\nEOF\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const CopyCommand* copy = c->As<CopyCommand>();
  ASSERT_EQ(copy->contents.size(), 1u);
  EXPECT_TRUE(copy->sources.empty());
  EXPECT_EQ(copy->contents[0].path, "EOF");
  EXPECT_EQ(copy->contents[0].data, "hello $USER\n");
  EXPECT_TRUE(copy->contents[0].expand);
}

// Heredoc names are any word (BuildKit's ^<<-?\s*[^<]*$): file names such as
// a.txt; a quoted delimiter keeps the body unexpanded; <<- strips tabs.
TEST(InstructionsTest, CopySeveralHeredocsNamedLikeFiles) {
  auto c = ParseLine("COPY <<a.txt <<\"b.txt\" <<-c-d /dst/\na $V\na.txt\nb $V\nb.txt\n\tc\nc-d\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const CopyCommand* copy = c->As<CopyCommand>();
  EXPECT_TRUE(copy->sources.empty());
  ASSERT_EQ(copy->contents.size(), 3u);
  EXPECT_EQ(copy->contents[0].path, "a.txt");
  EXPECT_EQ(copy->contents[0].data, "a $V\n");
  EXPECT_TRUE(copy->contents[0].expand);
  EXPECT_EQ(copy->contents[1].path, "b.txt");
  EXPECT_EQ(copy->contents[1].data, "b $V\n");
  EXPECT_FALSE(copy->contents[1].expand);
  EXPECT_EQ(copy->contents[2].path, "c-d");
  EXPECT_EQ(copy->contents[2].data, "c\n");
  EXPECT_EQ(copy->dest, "/dst/");
}

TEST(DurationTest, GoSyntax) {
  EXPECT_EQ(*ParseGoDuration("30s"), std::chrono::seconds(30));
  EXPECT_EQ(*ParseGoDuration("1m30s"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseGoDuration("1.5h"), std::chrono::minutes(90));
  EXPECT_EQ(*ParseGoDuration("0"), std::chrono::nanoseconds(0));
  EXPECT_EQ(*ParseGoDuration("-2ms"), std::chrono::milliseconds(-2));
  EXPECT_EQ(*ParseGoDuration("1h2m3.5s"), std::chrono::milliseconds(3723500));
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("s").ok());
  EXPECT_FALSE(ParseGoDuration("1d").ok());
  EXPECT_EQ(FormatGoDuration(std::chrono::seconds(90)), "1m30s");
  EXPECT_EQ(FormatGoDuration(std::chrono::hours(1)), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(std::chrono::milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatGoDuration(std::chrono::milliseconds(300)), "300ms");
  EXPECT_EQ(FormatGoDuration(std::chrono::nanoseconds(0)), "0s");
}

}  // namespace
}  // namespace strata::dockerfile

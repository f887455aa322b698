// fetch(1) progress lines (formats.md §a) and the record splitter that cuts
// fetch's byte stream into lines on '\r' and '\n'.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/fetch_output.hpp"
#include "test_support.hpp"

namespace {

using iohyve_api::fetch_progress;
using iohyve_api::detail::parse_fetch_line;
using iohyve_api::detail::rate_text;
using iohyve_api::detail::record_splitter;

std::string fixture_text(const std::string& relative) {
  return iohyve_test::read_file(iohyve_test::fixture(relative));
}

// The first 46 bytes of the path iohyve gives fetch (§a.3 "%-46.46s").
constexpr std::string_view cut_name = "/iohyve/ISO/FreeBSD-11.0-RELEASE-amd64-bootonl";
static_assert(cut_name.size() == 46);

// "%-46s": the name padded with spaces to 46 bytes.
std::string padded(std::string_view name) {
  std::string out(name);
  if (out.size() < 46) out.append(46 - out.size(), ' ');
  return out;
}

void expect_progress(const std::optional<fetch_progress>& p, std::string_view filename,
                     int percent, std::string_view bytes, std::string_view rate, bool final) {
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->filename, filename);
  EXPECT_EQ(p->percent_done, percent);
  EXPECT_EQ(p->bytes, bytes);
  EXPECT_EQ(p->download_rate, rate);
  EXPECT_EQ(p->final, final);
}

// ---------------------------------------------------------------------------
// Terminal lines (§a.3)

TEST(FetchLine, Tty11MidTransfer) {
  expect_progress(parse_fetch_line(std::string(cut_name) + " 44% of  231 MB 5120 kBps    25s"),
                  cut_name, 44, " 231 MB", "5120 kBps", false);
}

TEST(FetchLine, Tty11Final) {
  expect_progress(parse_fetch_line(std::string(cut_name) + "         231 MB 5120 kBps    46s"),
                  cut_name, -1, " 231 MB", "5120 kBps", true);
}

TEST(FetchLine, Tty10FinalHundredPercentGluedToName) {
  // No space between the 46-byte name and "100%": "bootonl100%".
  expect_progress(parse_fetch_line(std::string(cut_name) + "100% of  231 MB 5120 kBps 00m46s"),
                  cut_name, 100, " 231 MB", "5120 kBps", true);
}

TEST(FetchLine, NameEndingInDigitsBeforeAPercentage) {
  const std::string name = "/iohyve/ISO/image-2017/image-2017-06-26-amd64-1";
  ASSERT_EQ(name.size(), 47u);
  const std::string cut = name.substr(0, 46);  // ".../image-2017-06-26-amd64-"
  expect_progress(parse_fetch_line(cut + " 99% of 1907 MB   12 MBps 00m03s"), cut, 99, "1907 MB",
                  "  12 MBps", false);
  const std::string digits = std::string(45, 'a') + "7";
  expect_progress(parse_fetch_line(digits + "  7% of 1907 MB   12 MBps"), digits, 7, "1907 MB",
                  "  12 MBps", false);
}

TEST(FetchLine, Tty10MidTransferWithHoursAndSmallRate) {
  expect_progress(parse_fetch_line(std::string(cut_name) + "  5% of  231 MB  900  Bps 02h01m"),
                  cut_name, 5, " 231 MB", " 900  Bps", false);
}

TEST(FetchLine, DaysEta) {
  expect_progress(parse_fetch_line(std::string(cut_name) + "  0% of 1907 MB    1 kBps 12d03h"),
                  cut_name, 0, "1907 MB", "   1 kBps", false);
  expect_progress(parse_fetch_line(std::string(cut_name) + "  0% of 1907 MB    1 kBps 123d03h"),
                  cut_name, 0, "1907 MB", "   1 kBps", false);
}

TEST(FetchLine, UnknownRate) {
  expect_progress(parse_fetch_line(std::string(cut_name) + "  0% of  231 MB ?? Bps"), cut_name,
                  0, " 231 MB", "?? Bps", false);
  expect_progress(parse_fetch_line(std::string(cut_name) + "         231 MB ?? Bps    00s"),
                  cut_name, -1, " 231 MB", "?? Bps", true);
}

TEST(FetchLine, NameWithSpaces) {
  const std::string name = "/iohyve/ISO/my disc image.iso/my disc image.is";
  ASSERT_EQ(name.size(), 46u);
  expect_progress(parse_fetch_line(name + " 12% of   42 MB 1024 kBps 00m36s"), name, 12, "  42 MB",
                  "1024 kBps", false);
  // A short name with a space, padded to 46.
  expect_progress(parse_fetch_line(padded("/tmp/a b.iso") + " 50% of    4 kB    2 kBps    01s"),
                  "/tmp/a b.iso", 50, "   4 kB", "   2 kBps", false);
  // Cut in the middle of a word right before a space.
  const std::string cut = "/iohyve/ISO/Debian live 9/Debian live 9 amd64 ";
  ASSERT_EQ(cut.size(), 46u);
  expect_progress(parse_fetch_line(cut + "  1% of 1907 MB    9 MBps 03m30s"),
                  "/iohyve/ISO/Debian live 9/Debian live 9 amd64", 1, "1907 MB", "   9 MBps",
                  false);
}

TEST(FetchLine, UnknownSizeAndSmallAmounts) {
  // 10.x with an unknown size prints "  -1  B" in its non-TTY summary.
  expect_progress(parse_fetch_line(padded("/tmp/x") + "          -1  B    0  Bps"), "/tmp/x",
                  -1, "  -1  B", "   0  Bps", true);
  expect_progress(parse_fetch_line(padded("/tmp/x") + "        9999  B 9999  Bps    00s"),
                  "/tmp/x", -1, "9999  B", "9999  Bps", true);
}

TEST(FetchLine, TornUtf8IsDropped) {
  // "%-46.46s" counts bytes: a two-byte 'é' at bytes 45-46 is cut in half.
  const std::string name = "/iohyve/ISO/" + std::string(33, 'x') + "\xc3";
  ASSERT_EQ(name.size(), 46u);
  auto p = parse_fetch_line(name + " 10% of  231 MB 5120 kBps    25s");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->filename, "/iohyve/ISO/" + std::string(33, 'x'));
  const std::string whole = "/iohyve/ISO/" + std::string(32, 'x') + "\xc3\xa9";
  ASSERT_EQ(whole.size(), 46u);
  EXPECT_EQ(parse_fetch_line(whole + " 10% of  231 MB 5120 kBps    25s")->filename, whole);
}

// ---------------------------------------------------------------------------
// Non-terminal summaries (§a.4), including the captured ones

TEST(FetchLine, CapturedFileFetchSummary) {
  // 11.x+ non-TTY: name cut to 63 bytes (xferstat.name is char[64]), then
  // 8 spaces, amount, rate and elapsed time.
  const std::string line = fixture_text("iohyve-0.7.9/06-fetchiso-file.stderr");
  expect_progress(parse_fetch_line(line),
                  "/iohyve/ISO/FreeBSD-11.1-RELEASE-amd64-bootonly.iso/FreeBSD-11.", -1,
                  "2048 kB", "1137 MBps", true);
}

TEST(FetchLine, CapturedHttpFetchSummary) {
  const std::string line = fixture_text("iohyve-0.7.9/07-fetch-http.stderr");
  expect_progress(parse_fetch_line(line), "/iohyve/ISO/install61.iso/install61.iso", -1,
                  "1025 kB", " 395 MBps", true);
}

TEST(FetchLine, Summary10WithoutEta) {
  const std::string name = "/iohyve/ISO/FreeBSD-11.0-RELEASE-amd64-bootonly.iso/FreeBSD-11.";
  expect_progress(parse_fetch_line(name + "         231 MB 5120 kBps\n"), name, -1, " 231 MB",
                  "5120 kBps", true);
}

TEST(FetchLine, NotProgress) {
  for (const std::string& line : {
           fixture_text("iohyve-0.7.9/06-fetchiso-file.stdout"),  // "Fetching file:///...iso..."
           fixture_text("iohyve-0.7.9/07-fetch-http.stdout"),
           fixture_text("iohyve-0.7.9/08-fetchiso-http-404.stderr"),
           std::string("fetch: http://127.0.0.1:18089/missing.iso: Not Found"),
           std::string("fetch: transfer interrupted"),
           std::string("local size / mtime: 2097152 / 1496275200"),
           std::string("cannot create 'tank/iohyve/ISO/x.iso': dataset already exists"),
           std::string(""),
           std::string("\r\n"),
           std::string("Bps"),
           std::string("5120 kBps"),
           padded("/iohyve/ISO/x.iso/x.iso"),  // stat_start alone: no end yet
           padded("/tmp/x") + "fetch: transfer interrupted",
           std::string("/tmp/x         231 MB 5120 kBps"),  // name not padded to 46
           padded("") + "         231 MB 5120 kBps",         // no name
           std::string(cut_name) + " 44% of  231 MB 5120 kBps 25s",  // bad eta
           std::string(cut_name) + " 44% of  231 MB 5120 kBps    2xs",
           std::string(cut_name) + " 44% of  231 MB 5120 kBps 00x46s",
           std::string(cut_name) + " 44% of  231 MB 5120 xBps",
           std::string(cut_name) + " 44% of  231 MB 5120kBps",
           std::string(cut_name) + " 4x% of  231 MB 5120 kBps",
           std::string(cut_name) + " 44% of 231 MB 5120 kBps",  // amount not 4 wide
           std::string(cut_name) + "        231 MB 5120 kBps",  // 7 spaces
           std::string(cut_name).substr(0, 40) + " 44% of  231 MB 5120 kBps",  // short name
           std::string("\x00\xff\x01 Bps", 7),
       }) {
    EXPECT_FALSE(parse_fetch_line(line).has_value()) << "'" << line << "'";
  }
}

TEST(FetchLine, PercentAbove100IsClampedAndFinal) {
  auto p = parse_fetch_line(std::string(cut_name) + "101% of  231 MB 5120 kBps 00m46s");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->percent_done, 100);
  EXPECT_TRUE(p->final);
}

// ---------------------------------------------------------------------------
// record_splitter + parse_fetch_line on a whole terminal stream

std::vector<std::string> split_in_chunks(std::string_view stream, std::size_t chunk) {
  record_splitter splitter;
  std::vector<std::string> records;
  const auto keep = [&](std::string_view r) { records.emplace_back(r); };
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    splitter.feed(stream.substr(at, chunk), keep);
  }
  splitter.finish(keep);
  return records;
}

// The download_rate of events: fetch's padding gone, "0  Bps" (a blank
// unit prefix) is "0 Bps".
TEST(RateText, OneSpaceBetweenNumberAndUnit) {
  EXPECT_EQ(rate_text("   0  Bps"), "0 Bps");
  EXPECT_EQ(rate_text(" 763 MBps"), "763 MBps");
  EXPECT_EQ(rate_text("5120 kBps"), "5120 kBps");
  EXPECT_EQ(rate_text("  ?? Bps "), "?? Bps");
  EXPECT_EQ(rate_text(""), "");
}

TEST(RecordSplitter, SplitsOnCrAndLfAcrossChunkBorders) {
  const std::string stream = "one\r\ntwo\rthree\n\n\r\rfour\r\nfive";
  const std::vector<std::string> expected = {"one", "two", "three", "four", "five"};
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    EXPECT_EQ(split_in_chunks(stream, chunk), expected) << "chunk size " << chunk;
  }
}

TEST(RecordSplitter, SplitAtEveryPositionOfCrLf) {
  const std::string stream = "a\r\nb";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    record_splitter splitter;
    std::vector<std::string> records;
    const auto keep = [&](std::string_view r) { records.emplace_back(r); };
    splitter.feed(std::string_view(stream).substr(0, cut), keep);
    splitter.feed(std::string_view(stream).substr(cut), keep);
    splitter.finish(keep);
    EXPECT_EQ(records, (std::vector<std::string>{"a", "b"})) << "cut at " << cut;
  }
}

TEST(RecordSplitter, FinishFlushesOnceAndCapsLongRecords) {
  record_splitter splitter;
  std::vector<std::string> records;
  const auto keep = [&](std::string_view r) { records.emplace_back(r); };
  splitter.finish(keep);
  EXPECT_TRUE(records.empty());
  splitter.feed(std::string(10000, 'x') + "\ny", keep);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].size(), 4096u);
  splitter.finish(keep);
  splitter.finish(keep);
  EXPECT_EQ(records, (std::vector<std::string>{std::string(4096, 'x'), "y"}));
}

TEST(RecordSplitter, TerminalFetchStreamGivesProgressInOrder) {
  // What iohyve fetch prints under a pty (stdout and stderr merged).
  const std::string name(cut_name);
  const std::string stream = "Fetching http://127.0.0.1:18089/FreeBSD.iso...\n"
                             "\r" + name + "  0% of  231 MB ?? Bps" +
                             "\r" + name + " 44% of  231 MB 5120 kBps    25s" +
                             "\r" + name + " 88% of  231 MB 5120 kBps    05s" +
                             "\r" + name + "         231 MB 5120 kBps    46s\n";
  for (std::size_t chunk : {1u, 2u, 7u, 46u, 64u, 4096u}) {
    std::vector<fetch_progress> progress;
    for (const auto& record : split_in_chunks(stream, chunk)) {
      if (auto p = parse_fetch_line(record)) progress.push_back(*p);
    }
    ASSERT_EQ(progress.size(), 4u) << "chunk size " << chunk;
    EXPECT_EQ(progress[0].percent_done, 0);
    EXPECT_EQ(progress[0].download_rate, "?? Bps");
    EXPECT_EQ(progress[1].percent_done, 44);
    EXPECT_EQ(progress[2].percent_done, 88);
    EXPECT_FALSE(progress[2].final);
    EXPECT_TRUE(progress[3].final);
    for (const auto& p : progress) EXPECT_EQ(p.filename, cut_name);
  }
}

TEST(RecordSplitter, CapturedPipeOutputGivesOneFinalRecord) {
  const std::string stream = fixture_text("iohyve-0.7.9/07-fetch-http.stdout") +
                             fixture_text("iohyve-0.7.9/07-fetch-http.stderr");
  std::vector<fetch_progress> progress;
  for (const auto& record : split_in_chunks(stream, 5)) {
    if (auto p = parse_fetch_line(record)) progress.push_back(*p);
  }
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_TRUE(progress[0].final);
  EXPECT_EQ(progress[0].bytes, "1025 kB");
}

}  // namespace

// fuzz_parsers: arbitrary tool output into every output parser (zfs get,
// zfs list, pgrep, iohyve version, fetch(1) lines and the record splitter).
// Input: a selector byte, then the output. Properties: no crash, and each
// parser's documented promises (sorted, unique, well-formed fields; the
// one-guest lookup agrees with the full list).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "backend/fetch_output.hpp"
#include "backend/iohyve_output.hpp"
#include "backend/process_output.hpp"
#include "backend/zfs_output.hpp"
#include "fuzz_support.hpp"

using namespace iohyve_fuzz;
using namespace iohyve_api::detail;

namespace {

bool has_any(std::string_view s, std::string_view chars) { return s.find_first_of(chars) != std::string_view::npos; }

void guest_records(std::string_view out) {
  const auto all = parse_guest_records(out);
  if (all) {
    for (std::size_t i = 0; i < all->size(); ++i) {
      const auto& g = (*all)[i];
      if (g.dataset != g.pool + "/iohyve/" + g.name) violated("a guest whose dataset is not POOL/iohyve/NAME", g.dataset);
      if (i > 0 && std::tie((*all)[i - 1].name, (*all)[i - 1].pool) >= std::tie(g.name, g.pool))
        violated("guest records not sorted and unique by (name, pool)", g.dataset);
    }
  }
  // The lookup of one guest must agree with the list. It checks only the
  // datasets that answer to its name (another guest's odd pool must not fail
  // an action on this one), so it may succeed where the list fails, never
  // the other way round.
  std::string name = all && !all->empty() ? all->back().name : std::string("web");
  const auto found = find_guest_records(out, name);
  if (!all) return;
  if (!found) violated("find_guest_records fails where parse_guest_records succeeds", out);
  // The lookup finds exactly the datasets of that name the list has (one per
  // pool; several mean an ambiguous name).
  std::vector<std::string> listed, looked_up;
  for (const auto& g : *all)
    if (g.name == name) listed.push_back(g.dataset);
  for (const auto& g : *found) looked_up.push_back(g.dataset);
  std::sort(listed.begin(), listed.end());
  std::sort(looked_up.begin(), looked_up.end());
  if (listed != looked_up) violated("find_guest_records finds other guests than the list", name);
}

template <class T, class Key>
void sorted_unique(const std::vector<T>& v, Key key, const char* what) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!(key(v[i - 1]) < key(v[i]))) violated(std::string(what) + " not sorted and unique");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const int which = in.ConsumeIntegralInRange<int>(0, 8);
  if (which == 8) {
    const auto bytes = in.ConsumeIntegral<std::uint64_t>();
    const auto text = format_zfs_size(bytes);
    if (text.empty() || text.size() > 5) violated("format_zfs_size longer than 5 characters", text);
    return 0;
  }
  if (which == 7) {  // the splitter over chunks of any size
    record_splitter splitter;
    auto check = [](std::string_view r) {
      if (r.empty() || r.size() > 4096 || has_any(r, "\r\n")) violated("a record with a line break or empty", r);
      (void)parse_fetch_line(r);
    };
    while (in.remaining_bytes() > 0) splitter.feed(in.ConsumeRandomLengthString(64), check);
    splitter.finish(check);
    return 0;
  }
  const std::string out = in.ConsumeRemainingBytesAsString();
  switch (which) {
    case 0: guest_records(out); break;
    case 1: {
      const auto names = parse_running_guests(out);
      sorted_unique(names, [](const std::string& s) { return s; }, "running guests");
      for (const auto& n : names)
        if (n.empty() || has_any(n, "\n")) violated("a running guest name that is empty or has a newline", n);
      break;
    }
    case 2: {
      const auto isos = parse_iso_datasets(out);
      for (const auto& i : isos)
        if (i.name.empty() || has_any(i.name, "/\n") || i.pool.empty()) violated("a malformed ISO record", i.name);
      break;
    }
    case 3: {
      const auto disks = parse_guest_disks(out, "tank/iohyve/web");
      if (!disks) break;
      sorted_unique(*disks, [](const iohyve_api::disk_info& d) {
        return std::pair(d.name.size(), d.name);  // numeric order of "diskN" without leading zeros
      }, "disks");
      for (const auto& d : *disks)
        if (d.name.rfind("disk", 0) != 0 || d.size != format_zfs_size(d.bytes)) violated("a malformed disk", d.name);
      break;
    }
    case 4: {
      const auto props = parse_guest_properties(out);
      if (!props) break;
      for (const auto& p : *props)
        // Values hold any byte (a newline continues a value); names none of those.
        if (p.name.empty() || has_any(p.name, "\t\n"))
          violated("a property with an empty name or a tab or newline in it", p.name);
      break;
    }
    case 5: {
      const auto v = parse_version(out);
      if (v && has_any(*v, "\n")) violated("a version with a newline", *v);
      break;
    }
    case 6: {
      const auto p = parse_fetch_line(out);
      if (p && (p->percent_done < -1 || p->percent_done > 100)) violated("a percentage outside -1..100", out);
      break;
    }
    default: break;
  }
  return 0;
}

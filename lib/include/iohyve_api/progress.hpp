// A download's progress as the library reports it, on its own so that the
// fetch(1) parser and the JSON layer need not include all of client.hpp.
#pragma once

#include <string>

#include "iohyve_api/export.hpp"

namespace iohyve_api {

// One progress report of a running download (parsed from fetch(1)).
struct IOHYVE_API fetch_progress {
  std::string filename;       // the file being written, as fetch names it
  int percent_done = -1;      // 0..100, or -1 when fetch does not know the size
  std::string download_rate;  // as fetch prints it, e.g. "5120 kBps"
  std::string bytes;          // amount, as fetch prints it, e.g. " 231 MB"
  bool final = false;         // fetch's closing line for this transfer
};

}  // namespace iohyve_api

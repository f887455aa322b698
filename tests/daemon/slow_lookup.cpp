// A name service that takes its time, for slow_lookup_test.py: preloaded
// into iohyve-apid (LD_PRELOAD), getpwuid_r(3) waits
// IOHYVE_TEST_SLOW_LOOKUP_MS milliseconds before answering for the uid in
// IOHYVE_TEST_SLOW_LOOKUP_UID, as an LDAP or NIS lookup may; other uids
// are answered at once. <pwd.h> is not included: its declaration's
// attributes differ between C libraries, and only the symbol matters.
#include <dlfcn.h>
#include <sys/types.h>

#include <cstdlib>
#include <ctime>

struct passwd;

extern "C" int getpwuid_r(uid_t uid, passwd* entry, char* buffer, std::size_t size, passwd** result) {
  using lookup = int (*)(uid_t, passwd*, char*, std::size_t, passwd**);
  static const auto next = reinterpret_cast<lookup>(::dlsym(RTLD_NEXT, "getpwuid_r"));
  const char* slow_uid = std::getenv("IOHYVE_TEST_SLOW_LOOKUP_UID");
  const char* delay_ms = std::getenv("IOHYVE_TEST_SLOW_LOOKUP_MS");
  if (slow_uid && delay_ms && uid == static_cast<uid_t>(std::strtoul(slow_uid, nullptr, 10))) {
    const long ms = std::strtol(delay_ms, nullptr, 10);
    timespec wait{ms / 1000, (ms % 1000) * 1000000};
    while (::nanosleep(&wait, &wait) != 0) {
    }
  }
  return next(uid, entry, buffer, size, result);
}

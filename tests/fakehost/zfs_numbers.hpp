// Sizes as OpenZFS reads and prints them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fakehost {

// zfs_nicestrtonum() (libzfs_util.c): "10G", "1.5T", "512", "20gb", "8KiB".
// On failure returns nullopt and sets error to libzfs's wording
// ("bad numeric value '10x'", "invalid numeric suffix 'Q'",
// "numeric value is too large").
std::optional<std::uint64_t> parse_zfs_size(std::string_view text, std::string& error);

// zfs_nicebytes() (zfs_nicenum_format, 1024-based, at most 5 characters):
// 0B, 512B, 96K, 10G, 10.2G, 3.75M.
std::string nice_bytes(std::uint64_t n);

// zvol_volsize_to_reservation() for a pool without raidz, copies=1 and
// volblocksize 16K: what `zfs create -V` sets refreservation to (10G ->
// 10.2G).
std::uint64_t volsize_to_reservation(std::uint64_t volsize, std::uint64_t volblocksize);

inline constexpr std::uint64_t kib = 1024;
inline constexpr std::uint64_t mib = kib * 1024;
inline constexpr std::uint64_t gib = mib * 1024;
inline constexpr std::uint64_t default_volblocksize = 16 * kib;

}  // namespace fakehost

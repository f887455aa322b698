// libzfs's name checks (zfs_namecheck.c) with the reasons it prints after
// "cannot open 'x': " / "cannot create 'x': ".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fakehost {

// dataset_namecheck() as reported by zfs_validate_name(): nullopt when the
// name is a valid filesystem/volume name, else e.g. "leading slash in name".
std::optional<std::string> dataset_name_error(std::string_view name);

// pool_namecheck() as reported by zpool_name_valid(): e.g. "name must begin
// with a letter" (what `zfs create -V 5G /iohyve/x/disk1` prints when it
// opens the pool '' first; fixture 72-err-add-empty-pool).
std::optional<std::string> pool_name_error(std::string_view name);

}  // namespace fakehost

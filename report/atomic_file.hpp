// Result files appear whole or not at all, and never replace an earlier file.
#pragma once

#include <string>
#include <string_view>

namespace shmcount {

// Throws Error unless `path` can be created: its folder exists and is writable, and nothing is
// there yet. Checked before a run so bad input leaves nothing behind.
void check_can_create(const std::string& path);

// Writes `content` to a temporary file beside `path`, fsyncs it and links it to `path`, which
// must not exist (never overwritten). On any failure nothing is left and Error is thrown.
void write_new_file(const std::string& path, std::string_view content);

}  // namespace shmcount

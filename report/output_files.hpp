// Result files appear whole or not at all, and never replace an earlier file.
//
// Everything that would make writing the results fail is found in set-up, before any shared
// memory exists or any kernel runs: the two files of a run are created there, unnamed
// (O_TMPFILE) in their final folder, and kept open until the records are written. Only then are
// they given their names, back to back, by linkat(), which fails rather than replace a file.
// Where the file system has no O_TMPFILE (NFS, some FUSE), each is a hidden temporary
// (".shmcount-XXXXXX") in the same folder, removed on every failure path; only kill -9 can then
// leave one behind.
#pragma once

#include <string>
#include <string_view>

namespace shmcount {

// One file of a run, created before the run and named after it. Move-only; destroying one that
// was not linked leaves nothing (a hidden temporary is removed).
class PendingFile {
 public:
  PendingFile() = default;
  PendingFile(PendingFile&& other) noexcept;
  PendingFile& operator=(PendingFile&& other) noexcept;
  PendingFile(const PendingFile&) = delete;
  ~PendingFile();

  // Writes all of `content` and flushes it to the disk. Throws Error (e.g. no space left).
  void write(std::string_view content);
  // Gives the file its name. Throws Error when the name was taken meanwhile (never replaced).
  void link();
  void unlink_after_link();  // Takes the name away again (the other file of a pair failed).

  const std::string& path() const { return path_; }
  bool is_hidden_temporary() const { return !temp_path_.empty(); }

 private:
  friend class OutputFiles;
  void discard() noexcept;  // Closes the file; a hidden temporary is removed.
  int fd_ = -1;
  std::string path_;       // Final name.
  std::string temp_path_;  // Hidden temporary name, when O_TMPFILE is not available.
  bool linked_ = false;
};

// The CSV and run context of one run, prepared in set-up. When they go to the default folder
// (results/) and it did not exist, it is created, and removed again if the run fails while no
// other run uses it: every run into the default folder holds it (a shared flock) from set-up to
// the end, and only a run that gets it alone may remove it.
class OutputFiles {
 public:
  // Checks both paths and creates both files unnamed. `default_folder` is the folder shmcount
  // chose ("results"), empty when the user gave --output. Throws UsageError with what is wrong
  // ("'results' is a file, not a folder", "name longer than 255 bytes", "already exists", ...).
  static OutputFiles prepare(const std::string& csv_path, const std::string& json_path,
                             const std::string& default_folder);

  OutputFiles() = default;
  OutputFiles(OutputFiles&&) noexcept;
  OutputFiles& operator=(OutputFiles&&) noexcept;
  ~OutputFiles();

  // Writes both files completely, then names them back to back (CSV first). Throws Error; on
  // failure nothing new is left.
  void commit(std::string_view csv, std::string_view json);

 private:
  void discard() noexcept;
  // Creates the default folder when missing and holds it (see above). Throws UsageError.
  void hold_default_folder(const std::string& folder);
  PendingFile csv_;
  PendingFile json_;
  std::string created_folder_;  // Removed (when empty) unless committed.
  int folder_fd_ = -1;          // The default folder, held with a shared flock.
  bool committed_ = false;
};

// The permission bits new files get: 0666 less this process's umask.
unsigned new_file_mode();

}  // namespace shmcount

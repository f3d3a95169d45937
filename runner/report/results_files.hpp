// Writing files of a results folder so that a failure (a full disk, a removed folder) is seen
// at once, named with its file and the OS error, and never leaves a torn file behind.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tlsmatrix {

// "cannot write results/.../cells.jsonl: No space left on device".
class ResultsWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `text` to `path`, every step checked (open, write, close).
void write_file(const std::filesystem::path& path, std::string_view text);
// The same through `path`.tmp renamed over `path`: `path` is whole or absent, never torn.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// A file written one whole line at a time, such as cells.jsonl: after a failed write the file
// is truncated back to its last whole line before the error is thrown.
class LineFile {
 public:
  LineFile() = default;
  LineFile(const LineFile&) = delete;
  LineFile& operator=(const LineFile&) = delete;
  ~LineFile();
  void open(const std::filesystem::path& path);  // creates or truncates
  bool is_open() const { return fd_ >= 0; }
  // Appends `line` and a newline.
  void append_line(std::string_view line);
  void close();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  long long size_ = 0;  // bytes of whole lines written
};

}  // namespace tlsmatrix

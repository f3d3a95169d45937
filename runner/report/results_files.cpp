#include "results_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tlsmatrix {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, int error) {
  throw ResultsWriteError(fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
}

// 0 when all of `text` went out, else the errno (ENOSPC for a short write on a full disk).
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const auto n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

}  // namespace

namespace {

// 0 when `text` is in `path`, else the errno of the step that failed.
int write_whole(const std::filesystem::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  const int error = write_all(fd, text);
  // close() reports what a file system defers to it (NFS, quotas).
  if (::close(fd) != 0 && error == 0) return errno;
  return error;
}

}  // namespace

void write_file(const std::filesystem::path& path, std::string_view text) {
  if (const int error = write_whole(path, text)) fail(path, error);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  auto temporary = path;
  temporary += ".tmp";
  int error = write_whole(temporary, text);
  if (error == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error) {
    ::unlink(temporary.c_str());
    fail(path, error);
  }
}

LineFile::~LineFile() {
  if (fd_ >= 0) ::close(fd_);
}

void LineFile::open(const std::filesystem::path& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path, errno);
  size_ = 0;
}

void LineFile::append_line(std::string_view line) {
  std::string whole(line);
  whole += '\n';
  if (const int error = write_all(fd_, whole)) {
    // Leave no torn line: whatever part of this one got out is cut off again.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) == 0) ::lseek(fd_, size_, SEEK_SET);
    fail(path_, error);
  }
  size_ += static_cast<long long>(whole.size());
}

void LineFile::close() {
  if (fd_ < 0) return;
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(path_, errno);
}

}  // namespace tlsmatrix

#include "nss_library.hpp"

#include <fmt/format.h>
#include <nss.h>
#include <pk11pub.h>
#include <ssl.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "stack_adapter.hpp"

namespace tlsmatrix::nss_adapter {
namespace {

std::filesystem::path& private_folder() {
  static std::filesystem::path folder;
  return folder;
}

// Removes the private folder (the session cache's files).
void remove_private_folder() {
  std::error_code ignored;
  if (!private_folder().empty()) std::filesystem::remove_all(private_folder(), ignored);
}

void shut_down() {
  // Fails while sockets or keys are still referenced, which only matters for leak checks.
  NSS_Shutdown();
  remove_private_folder();
}

void initialise() {
  std::string folder_template = (std::filesystem::temp_directory_path() / "tlsmatrix-nss-XXXXXX");
  if (mkdtemp(folder_template.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "creating NSS's private folder");
  private_folder() = folder_template;
  // A softoken built with DO_FORK_CHECK refuses every operation (CKR_DEVICE_ERROR) in a process
  // forked after it was initialised unless told not to; a serving peer (`PEER --serve`) forks
  // one process per request from an initialised NSS and reseeds the generator there
  // (reseed_after_fork). Since its PKCS #11 3.0 support softoken is built without the check by
  // default (Debian's 3.110 works after fork without this), so this only matters for such
  // builds. Read by softoken's C_Initialize, so set before it.
  ::setenv("NSS_STRICT_NOFORK", "DISABLED", 1);
  try {
    require_library(NSS_NoDB_Init(nullptr) == SECSuccess, "initialising NSS without a database");
    std::atexit(shut_down);
    require_library(NSS_SetDomesticPolicy() == SECSuccess, "enabling every cipher suite by policy");
    // Once per process: the server's session cache and ticket keys, shared by every connection.
    require_library(
        SSL_ConfigServerSessionIDCache(64, 0, 0, private_folder().c_str()) == SECSuccess,
        "configuring the server session cache");
    // Removed at once when NSS left nothing there (the single-process cache lives in memory),
    // so not even a peer killed mid-cell leaves the folder behind.
    std::error_code not_empty;
    if (std::filesystem::remove(private_folder(), not_empty)) private_folder().clear();
  } catch (...) {
    remove_private_folder();
    throw;
  }
}

}  // namespace

void ensure_library() {
  static std::once_flag once;
  std::call_once(once, initialise);
}

void reseed_after_fork() {
  if (NSS_IsInitialized() == PR_FALSE) return;
  // More than the generator's additional-data cache (8 KiB in freebl's drbg.c) makes
  // RNG_RandomUpdate reseed at once, with fresh entropy from the system besides these bytes;
  // less would only be cached for a later reseed.
  std::vector<unsigned char> fresh(9 * 1024);
  for (std::size_t got = 0; got < fresh.size();) {
    const auto n = ::getrandom(fresh.data() + got, fresh.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "getrandom");
    got += static_cast<std::size_t>(n);
  }
  require_library(PK11_RandomUpdate(fresh.data(), static_cast<int>(fresh.size())) == SECSuccess,
                  "reseeding the random generator after fork");
  // The generator hands out a small request from the rest of its last 32-byte block: up to 31
  // bytes made before the fork, the same in every forked process. Take them one by one (once
  // they are gone, a new block comes from the reseeded state).
  for (int i = 0; i < 32; ++i) {
    unsigned char byte = 0;
    require_library(PK11_GenerateRandom(&byte, 1) == SECSuccess,
                    "draining the random generator after fork");
  }
}

std::string library_version() {
  std::string version = NSS_GetVersion();
  // NSS_GetVersion() may carry a " Basic ECC" style suffix.
  if (const auto space = version.find(' '); space != std::string::npos) version.resize(space);
  return version;
}

std::string error_text(PRErrorCode error) {
  const char* name = PR_ErrorToName(error);
  const char* text = PR_ErrorToString(error, PR_LANGUAGE_I_DEFAULT);
  return fmt::format("{}: {}", name != nullptr ? name : fmt::format("error {}", error),
                     text != nullptr ? text : "");
}

std::string last_error_text() {
  return error_text(PR_GetError());
}

void reject(std::string_view setting, std::string_view why) {
  throw ConfigRejected(std::string(setting), std::string(why));
}

void require_ok(bool ok, std::string_view setting, std::string_view doing) {
  if (!ok)
    reject(setting,
           fmt::format("NSS {} failed {}: {}", library_version(), doing, last_error_text()));
}

void require_library(bool ok, std::string_view doing) {
  if (!ok) throw std::runtime_error(fmt::format("NSS failed {}: {}", doing, last_error_text()));
}

}  // namespace tlsmatrix::nss_adapter

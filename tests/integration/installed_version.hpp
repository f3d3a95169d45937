// Which release of a library a peer's environment installed, asked of the system's package
// manager (dpkg) or, for a source build, read from the release tarball it was built from, so
// the tests can check the version each peer reports at run time (capabilities `version`).
#pragma once

#include <filesystem>
#include <string>

namespace tlsmatrix {

// The upstream release that installed `file` (a path as the peer saw it, inside `root`; "/"
// for the host): dpkg's version of the package owning it, without epoch and Debian revision
// ("3.0.22-1~deb12u2" -> "3.0.22"). When no package owns the file and `source_download` names
// the folder of a source build's download (<pkg>_<version>.orig.tar.*), that version. Empty
// when neither tells.
std::string installed_upstream_version(const std::filesystem::path& root, const std::string& file,
                                       const std::filesystem::path& source_download = {});

}  // namespace tlsmatrix

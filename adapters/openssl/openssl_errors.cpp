#include "openssl_errors.hpp"

#include <openssl/err.h>

namespace tlsmatrix::openssl {

std::string drain_errors() {
  std::string text;
  char buf[256];
  while (const unsigned long code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

}  // namespace tlsmatrix::openssl

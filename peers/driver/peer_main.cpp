#include "peer_driver.hpp"

int main(int argc, char** argv) {
  return tlsmatrix::run_peer(argc, argv);
}

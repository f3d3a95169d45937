#!/usr/bin/env bash
# Regenerates the test PKI the suites refer to by name (certificate: NAME, trust: NAME).
# The files are committed so every run and every stack sees identical certificates; run this
# only to change them. Validity is a century so that results never depend on the date.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
subject_prefix="/O=tlsmatrix test PKI"

root() {  # root NAME KEYSPEC CN
  openssl req -x509 -new -newkey "$2" -nodes -keyout "$1.key" -out "$1.crt" -days "$days" \
    -subj "$subject_prefix/CN=$3" -sha256 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

leaf() {  # leaf NAME KEYSPEC CA SAN EKU
  openssl req -new -newkey "$2" -nodes -keyout "$1.key" -out "$1.csr" \
    -subj "$subject_prefix/CN=${4#DNS:}" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -out "$1.crt" \
    -days "$days" -sha256 -extfile <(printf 'basicConstraints=critical,CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=%s\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$4" "$5") 2>/dev/null
  rm -f "$1.csr"
}

root ca-ecdsa ec:<(openssl ecparam -name prime256v1) "tlsmatrix root ECDSA P-256"
root ca-rsa rsa:2048 "tlsmatrix root RSA 2048"
root ca-unrelated ec:<(openssl ecparam -name prime256v1) "tlsmatrix unrelated root (signs nothing used)"
leaf server-ecdsa-p256 ec:<(openssl ecparam -name prime256v1) ca-ecdsa DNS:server.tlsmatrix.test serverAuth
leaf server-rsa-2048 rsa:2048 ca-rsa DNS:server.tlsmatrix.test serverAuth
leaf client-ecdsa-p256 ec:<(openssl ecparam -name prime256v1) ca-ecdsa DNS:client.tlsmatrix.test clientAuth
rm -f ./*.srl
# Only the leaves' keys are used by peers; the CA keys stay so the set can be extended.
echo "test PKI written to $(pwd)"

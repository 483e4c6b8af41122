#!/usr/bin/env bash
# tests/live/tls_certs.sh DIR - throwaway certificates for the TLS live tests, made with openssl
# (ECDSA P-256, valid 2 days). DIR is created (mode 700) and holds, all PEM:
#   ca.pem ca-key.pem                  the test CA
#   server.pem server-key.pem          CN localhost, SAN DNS:localhost and IP:127.0.0.1, signed by ca
#   client.pem client-key.pem          CN warren-test-client (clientAuth), signed by ca
#   other-ca.pem other-ca-key.pem      a second, unrelated CA
#   other-client.pem other-client-key.pem  a client certificate signed by other-ca
#   client-key-encrypted.pem           client-key.pem encrypted with the passphrase "secret"
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
command -v openssl > /dev/null || { echo "$0: openssl missing (Debian package openssl)" >&2; exit 1; }
dir=$1
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
umask 077

# A config of our own: the system's openssl.cnf must not add or change extensions.
cat > openssl.cnf << 'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

quiet() { local out; out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }; } # stderr only on failure
key() { quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

ca() { # ca NAME CN
  key "$1-key.pem"
  quiet openssl req -config openssl.cnf -new -x509 -days 2 -key "$1-key.pem" -subj "/O=warren tests/CN=$2" \
    -extensions ca_ext -out "$1.pem"
}

leaf() { # leaf NAME CA EXTENSIONS CN
  key "$1-key.pem"
  quiet openssl req -config openssl.cnf -new -key "$1-key.pem" -subj "/O=warren tests/CN=$4" -out "$1.csr"
  quiet openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -set_serial "0x$(openssl rand -hex 8)" \
    -days 2 -extfile openssl.cnf -extensions "$3" -out "$1.pem"
  rm -f "$1.csr"
}

ca ca "warren test CA"
ca other-ca "unrelated test CA"
leaf server ca server_ext localhost
leaf client ca client_ext warren-test-client
leaf other-client other-ca client_ext warren-test-client
quiet openssl pkey -in client-key.pem -aes256 -passout pass:secret -out client-key-encrypted.pem
quiet openssl verify -CAfile ca.pem server.pem client.pem
echo "[tls_certs] certificates in $(pwd)" >&2

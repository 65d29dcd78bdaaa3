#!/usr/bin/env bash
# Creates a throw-away certificate authority and a server certificate signed
# by it, for wss tests on loopback.
#
#   make-test-ca.sh OUTDIR [NAME...]
#   make-test-ca.sh --client OUTDIR FILE CN [URI...]
#
# OUTDIR receives ca.pem, ca.key, server.pem, server.key (and server-chain.pem).
# The server certificate is valid for 127.0.0.1, ::1, localhost and any extra
# DNS NAMEs given. Keys are P-256 so generation takes milliseconds.
# With --client, the CA already in OUTDIR signs a client certificate
# (FILE.pem, FILE.key) with subject CN and the subjectAltName URIs given.
set -euo pipefail

if [ "${1:-}" = "--client" ]; then
  if [ $# -lt 4 ]; then
    echo "usage: $0 --client OUTDIR FILE CN [URI...]" >&2
    exit 2
  fi
  dir=$2
  cd "$dir"
  file=$3
  cn=$4
  shift 4
  openssl ecparam -name prime256v1 -genkey -noout -out "$file.key" 2>/dev/null
  openssl req -new -key "$file.key" -subj "/CN=$cn" -out "$file.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=clientAuth"
    if [ $# -gt 0 ]; then
      san=""
      for u in "$@"; do san="${san:+$san,}URI:$u"; done
      echo "subjectAltName=$san"
    fi
  } > "$file.ext"
  openssl x509 -req -in "$file.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
    -extfile "$file.ext" -out "$file.pem" 2>/dev/null
  rm -f "$file.csr" "$file.ext" ca.srl
  chmod 600 "$file.key"
  echo "CERT $dir/$file.pem"
  exit 0
fi

if [ $# -lt 1 ]; then
  echo "usage: $0 OUTDIR [DNS-NAME...]" >&2
  exit 2
fi
out=$1
shift
mkdir -p "$out"
cd "$out"

san="IP:127.0.0.1,IP:::1,DNS:localhost"
for n in "$@"; do san="$san,DNS:$n"; done

openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=sipws test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem 2>/dev/null

openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr 2>/dev/null
cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
  -extfile server.ext -out server.pem 2>/dev/null
cat server.pem ca.pem > server-chain.pem
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
echo "CA $out/ca.pem"
echo "CERT $out/server.pem"
echo "KEY $out/server.key"

#!/usr/bin/env bash
# Debian packages the tests use as independent oracles: the openssl CLI, Mosquitto 2.0 and its
# clients (the broker's reference), Python paho (an MQTT client of another lineage), sigrok-cli
# (decodes the I2C tap's logic-analyser export with an independent I2C decoder), tshark (dissects
# the capture files we write, as Wireshark would), gcc (compiles the BMP280 datasheet's C
# compensation as an oracle for the driver), chromium (the dashboard's browser tests, driven headless
# by playwright-core, which downloads no browser). Needs root (or sudo).
set -euo pipefail
PACKAGES=(openssl ca-certificates mosquitto mosquitto-clients python3-paho-mqtt sigrok-cli tshark gcc libc6-dev chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all of ${PACKAGES[*]} installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"

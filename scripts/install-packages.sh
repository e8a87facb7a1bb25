#!/usr/bin/env bash
# Installs the Debian packages that the lab, the tests and the benchmarks use, when they are missing.
#   scripts/install-packages.sh [--if-missing]
set -euo pipefail
packages=(openvswitch-switch bind9 bind9-dnsutils bind9-utils libpcap0.8 iproute2 ethtool iputils-ping tcpdump tshark
  # the TLS tests' certificates
  openssl
  # the announcement benchmark's outside reference (arping -U)
  iputils-arping
  # the lab's QEMU guests: the emulator, and what their image is built with (GuestImage)
  qemu-system-x86 busybox-static gcc libc6-dev xz-utils
  # libvirt-managed guests (lab up --libvirt): the lab runs its own libvirtd per host; nothing starts at install
  libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
  # the replicated store (lab up --store): ZooKeeper's server jars; the lab runs its own ensemble, and this
  # package (unlike zookeeperd) has no service that starts at install
  zookeeper)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "cutover: missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 3
fi
echo "cutover: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# openvswitch-switch and bind9 try to start their services; the lab runs its own daemons instead.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || {
  echo "cutover: apt-get install ${missing[*]} failed" >&2
  exit 3
}

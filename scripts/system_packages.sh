#!/usr/bin/env bash
# The first step of `make test`: the Debian packages the tests drive (LibreOffice, poppler, fonts, browsers;
# the list is .ci/apt-packages.txt, one a line, # starts a comment) are installed — or are installed now —
# or make test stops here, before anything runs, with one line naming them and the command that installs them.
#
#   bash scripts/system_packages.sh [LIST]        (LIST defaults to .ci/apt-packages.txt)
#
# It installs when it can: as root, or through sudo that needs no password (sudo -n). Otherwise it names them.
# XL_GONGKAI_SYSTEM_PACKAGES=check makes it never install, only name what is missing, as it does without root
# or sudo: for a machine whose packages someone else manages, and for the test of this script
# (tests/test_system_packages.py). On a system without dpkg-query (not Debian or Ubuntu) it says in one line
# that it did not check, and make test goes on.
set -euo pipefail

list=${1:-.ci/apt-packages.txt}
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$list" | sed '/^$/d')
[ "${#pkgs[@]}" -gt 0 ] || exit 0

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "make test：未检查系统软件包（不是 Debian/Ubuntu），测试需要 / system packages not checked (not Debian/Ubuntu), the tests need: ${pkgs[*]}" >&2
  exit 0
fi

# a package counts as present when it is installed, or provided by an installed one (some builds of nodejs
# provide npm and conflict with Debian's npm package: installing that one would remove nodejs)
provided=$(dpkg-query -W -f='${Status}|${Provides}\n' 2>/dev/null | sed -n 's/^install ok installed|//p' \
  | tr ',' '\n' | sed -E 's/\(.*\)//; s/[[:space:]]//g' || true)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
  grep -qx -- "$p" <<<"$provided" || missing+=("$p")
done
[ "${#missing[@]}" -gt 0 ] || exit 0

install="apt-get install -y --no-install-recommends ${missing[*]}"
as=""
can=no
if [ "${XL_GONGKAI_SYSTEM_PACKAGES:-install}" != check ]; then
  if [ "$(id -u)" -eq 0 ]; then
    can=yes
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    can=yes
    as="sudo -n"
  fi
fi

if [ "$can" = no ]; then
  echo "make test：缺少系统软件包 / missing system packages: ${missing[*]} — 请先安装 / install them first: sudo apt-get update && sudo $install" >&2
  exit 1
fi

echo "make test：安装缺少的系统软件包 / installing missing system packages: ${missing[*]}" >&2
if ! { $as apt-get update -qq && $as env DEBIAN_FRONTEND=noninteractive $install -qq; }; then
  echo "make test：系统软件包安装失败（见上）/ installing system packages failed (see above): sudo apt-get update && sudo $install" >&2
  exit 1
fi

# Shell functions shared by the scripts that start livescore beside Debian's nginx and
# PostgreSQL (cluster-demo.sh, deploy-check.sh). Sourced; each script defines `die` and `say`.

# <n> distinct loopback ports no socket uses right now, below the kernel's ephemeral range
# (outgoing connections take their local ports from there, and bind() fails on those too).
free_ports() { # <n>
  local low port found=" "
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  for _ in $(seq 500); do
    port=$((10000 + RANDOM % (low - 10000)))
    case "$found" in *" $port "*) continue ;; esac
    if command -v ss >/dev/null; then
      [ -z "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ] || continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    found="$found$port "
    [ "$(wc -w <<<"$found")" -lt "$1" ] || { echo $found; return; }
  done
  die "no $1 free ports found"
}

# Install a Debian package when missing (root only; anyone else is told what to install).
need_package() { # <package> <what is missing>
  [ "$(id -u)" -eq 0 ] || die "$2 not found: install Debian's $1 package (apt-get install $1)"
  say "installing $1 (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

# nginx from Debian's package, installed when missing; prints the binary's path. Debian starts
# an installed nginx on port 80 of every interface where services may start; these scripts
# expose nothing beyond 127.0.0.1, so that one is stopped (it is ours: we installed it).
need_nginx() {
  if ! command -v nginx >/dev/null && ! [ -x /usr/sbin/nginx ]; then
    need_package nginx nginx >&2
    if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
      systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
  fi
  command -v nginx || echo /usr/sbin/nginx
}

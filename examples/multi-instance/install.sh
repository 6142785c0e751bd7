#!/bin/sh
# Three NATS brokers on one host, each its own OS service (a systemd unit on
# Linux): install and start them, show them, then remove them again.
#
#   ./install.sh            the whole tour: install, list, uninstall
#   ./install.sh install    install and start the three, then list them
#   ./install.sh uninstall  remove the three with their logs
#
# Run it as root for system services, or as a user with a systemd user
# manager (loginctl enable-linger) for per-user ones. NATSVISOR names the
# binary (default: natsvisor on PATH).
set -eu
natsvisor=${NATSVISOR:-natsvisor}

install() {
	"$natsvisor" install --name east --start -- -p 4222
	"$natsvisor" install --name west --start -- -p 4223
	"$natsvisor" install --name north --start -- -p 4224
	"$natsvisor" list
}

uninstall() {
	"$natsvisor" uninstall --purge east
	"$natsvisor" uninstall --purge west
	"$natsvisor" uninstall --purge north
	"$natsvisor" list
}

case "${1:-tour}" in
install) install ;;
uninstall) uninstall ;;
tour)
	install
	"$natsvisor" status east
	uninstall
	;;
*)
	echo "usage: $0 [install|uninstall]" >&2
	exit 2
	;;
esac

package main

import (
	"slices"
	"strconv"
	"strings"
)

// runArgs is a `natsvisor run` command line: natsvisor's own flags, which
// are recognised only before "--", and the broker's flags, which are the
// other arguments before "--" followed by everything after it.
type runArgs struct {
	name, home string
	nameSet    bool
	homeSet    bool
	service    bool
	broker     []string
}

// parseRunArgs splits args. Own flags are spelled with two dashes
// (--name v, --name=v), so that nats-server's single-dash spellings (-n,
// -name) keep their meaning.
func parseRunArgs(args []string) (runArgs, error) {
	var ra runArgs
	head, tail := args, []string(nil)
	if i := slices.Index(args, "--"); i >= 0 {
		head, tail = args[:i], args[i+1:]
	}
	for i := 0; i < len(head); i++ {
		flag, value, hasValue := strings.Cut(head[i], "=")
		switch flag {
		case "--name", "--home":
			if !hasValue {
				if i+1 >= len(head) {
					return ra, usagef("flag needs an argument: %s", flag)
				}
				i++
				value = head[i]
			}
			if flag == "--name" {
				ra.name, ra.nameSet = value, true
			} else {
				ra.home, ra.homeSet = value, true
			}
		case "--service":
			on := true
			if hasValue {
				b, err := strconv.ParseBool(value)
				if err != nil {
					return ra, usagef("invalid boolean value %q for flag --service", value)
				}
				on = b
			}
			ra.service = on
		default:
			ra.broker = append(ra.broker, head[i])
		}
	}
	ra.broker = append(ra.broker, tail...)
	return ra, nil
}

// check refuses combinations that cannot mean what was typed.
func (ra runArgs) check() error {
	switch {
	case ra.nameSet && ra.name == "":
		return usagef("--name is empty")
	case ra.homeSet && ra.home == "":
		return usagef("--home is empty")
	case !ra.nameSet && ra.homeSet:
		return usagef("--home applies to run --name <instance> only")
	case !ra.nameSet && ra.service:
		return usagef("--service needs --name <instance>")
	case ra.nameSet && len(ra.broker) > 0:
		return usagef("run --name %s takes the broker flags saved by install, not %s: change them with natsvisor install --name %s -- <flags>; for the broker's server name, put the flag after \"--\": natsvisor run -- --name %s",
			ra.name, quoteArgs(ra.broker), ra.name, ra.name)
	case ra.service:
		return checkService()
	}
	return nil
}

package instance

import "errors"

// Errors of the instance API; test them with errors.Is. Each is wrapped
// with the instance's name and what to do about it.
var (
	// ErrInvalidName: the name breaks ValidateName's rules.
	ErrInvalidName = errors.New("invalid instance name")
	// ErrInvalidArgs: a broker flag is unknown, malformed, or makes no
	// sense for a service (-h, -v, -t, --signal).
	ErrInvalidArgs = errors.New("invalid broker flags")
	// ErrInvalidConfig: the config file (-c) cannot be read or is invalid,
	// or the options it and the flags give are.
	ErrInvalidConfig = errors.New("invalid broker configuration")
	// ErrNotFound: no instance of that name is registered.
	ErrNotFound = errors.New("no such instance")
	// ErrPortInUse: a port of the instance is already used by another
	// registered instance.
	ErrPortInUse = errors.New("port already used by another instance")
	// ErrNameTaken: another instance has the same name but for case; service
	// names and file names are case-insensitive on Windows and macOS.
	ErrNameTaken = errors.New("name taken by another instance")
)

// Package startup tells the service manager how a broker's start-up is
// going and bounds it. Ready, Status, Reloading, Stopping and
// ExtendTimeout write to systemd's $NOTIFY_SOCKET on Linux and do nothing
// elsewhere or when the socket is not set, so callers never branch on the
// OS or on whether a service manager runs them (on Windows the service
// loop reports progress to the SCM itself). Delay reads NATS_STARTUP_DELAY
// and Wait waits that long for every listener, saying what it waits for.
//
// How a broker process uses it:
//
//	startup.Status("waiting for the client listener") // optional, any time
//	// ... the broker accepts connections ...
//	startup.Ready()                                    // READY=1
//	// on SIGHUP:
//	startup.Reloading()                                // RELOADING=1
//	// ... reload ...
//	startup.Ready()                                    // READY=1 again
//	// on shutdown, before stopping the broker:
//	startup.Stopping()                                 // STOPPING=1
package startup

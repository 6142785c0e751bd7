package instance

import "os"

// reopenSignals is empty on Windows: a console process has no SIGUSR1; a
// service reopens on the SCM's control 128 (Env.Reopen).
var reopenSignals []os.Signal

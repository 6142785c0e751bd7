package instance

import "os"

// reloadSignals is empty on Windows: a console process has no SIGHUP; a
// service reloads on the SCM's ParamChange control.
var reloadSignals []os.Signal

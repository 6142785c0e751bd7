package main

// checkService accepts --service: on Windows it says the SCM started this
// process, which then speaks the SCM's protocol (supervisor.RunService).
func checkService() error { return nil }

package instance

import "path/filepath"

// Paths are an instance's files and directories, all absolute (unless a
// config file names a relative pid or log file: the broker resolves those
// against its working directory, which for a service is the manager's).
type Paths struct {
	// Home is the registry's home directory.
	Home string `json:"home"`
	// Dir is the instance's own directory, Home/Name: its registry entry,
	// and by default its pid file, log file and data. uninstall --purge
	// removes it; nothing else there is the user's.
	Dir string `json:"dir"`
	// Entry is the instance's registry file, Dir/instance.json.
	Entry string `json:"entry"`
	// ConfigFile is the -c file; empty without one. It is the user's and
	// never removed.
	ConfigFile string `json:"config_file,omitempty"`
	// PidFile holds the broker's pid while it runs: -P, the config's
	// pid_file, or Dir/Name.pid.
	PidFile string `json:"pid_file"`
	// LogFile is the broker's log: -l, the config's log_file, or
	// Dir/Name.log.
	LogFile string `json:"log_file"`
	// ReloadStatus is where the broker writes the outcome of each reload
	// (broker.ReloadResult as JSON): PidFile + ".reload".
	ReloadStatus string `json:"reload_status"`
	// DataDir is the instance's data directory, Dir/data, for state that
	// outlives the process (such as a JetStream store).
	DataDir string `json:"data_dir"`
	// PortsFileDir is the --ports_file_dir directory; empty without one.
	PortsFileDir string `json:"ports_file_dir,omitempty"`
}

// entryFile is the registry file's name inside an instance's directory.
const entryFile = "instance.json"

// Dir is the instance's own directory, Home/Name.
func (i *Instance) Dir() string { return filepath.Join(i.Home, i.Name) }

func (i *Instance) defaultPidFile() string { return filepath.Join(i.Dir(), i.Name+".pid") }
func (i *Instance) defaultLogFile() string { return filepath.Join(i.Dir(), i.Name+".log") }

// Paths returns the instance's paths as the broker will use them. It does
// not fail: with an unreadable config file it reports what the flags give.
func (i *Instance) Paths() Paths {
	o := setByUser(i.BrokerArgs())
	reload := o.ReloadStatusFile
	if reload == "" && o.PidFile != "" {
		reload = o.PidFile + ".reload"
	}
	return Paths{
		Home:         i.Home,
		Dir:          i.Dir(),
		Entry:        filepath.Join(i.Dir(), entryFile),
		ConfigFile:   o.ConfigFile,
		PidFile:      o.PidFile,
		LogFile:      o.LogFile,
		ReloadStatus: reload,
		DataDir:      filepath.Join(i.Dir(), "data"),
		PortsFileDir: o.PortsFileDir,
	}
}

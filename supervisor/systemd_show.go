package supervisor

import (
	"strconv"
	"strings"
	"time"
)

// parseShow reads `systemctl show` output (KEY=VALUE lines) into a map.
func parseShow(out string) map[string]string {
	props := make(map[string]string)
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimRight(l, "\r"), "="); ok {
			props[k] = v
		}
	}
	return props
}

// stateFromShow turns `systemctl show` properties into a State. ours says
// whether the unit file carries natsvisor's marker.
func stateFromShow(name string, p map[string]string, ours bool) State {
	st := State{Name: name, Active: p["ActiveState"], Sub: p["SubState"], StatusText: p["StatusText"]}
	if st.Active == "" {
		st.Active = "inactive"
	}
	st.Installed = p["LoadState"] != "" && p["LoadState"] != "not-found"
	st.Ours = st.Installed && ours
	st.PID, _ = strconv.Atoi(p["MainPID"])
	st.ExitCode, _ = strconv.Atoi(p["ExecMainStatus"])
	st.Restarts, _ = strconv.Atoi(p["NRestarts"])
	// Since: when the unit entered its current state.
	key := map[string]string{
		"active":       "ActiveEnterTimestamp",
		"reloading":    "ActiveEnterTimestamp",
		"activating":   "InactiveExitTimestamp",
		"deactivating": "ActiveExitTimestamp",
	}[st.Active]
	if key == "" {
		key = "InactiveEnterTimestamp"
	}
	st.Since = parseTimestamp(p[key])
	return st
}

// parseTimestamp reads a systemctl timestamp: "@1700000000" (with
// --timestamp=unix, systemd 248 and later) or the default
// "Sat 2026-11-21 09:49:08 UTC". Empty or unreadable gives the zero time.
func parseTimestamp(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" || v == "n/a" {
		return time.Time{}
	}
	if strings.HasPrefix(v, "@") {
		if f, err := strconv.ParseFloat(v[1:], 64); err == nil && f > 0 {
			sec := int64(f)
			return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
		}
		return time.Time{}
	}
	for _, layout := range []string{"Mon 2006-01-02 15:04:05 MST", "Mon 2006-01-02 15:04:05.000000 MST"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

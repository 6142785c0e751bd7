package supervisor

import (
	"testing"
	"time"
)

func TestStateFromShow(t *testing.T) {
	since := time.Unix(1763718548, 0).UTC()
	tests := []struct {
		name string
		show string
		ours bool
		want State
	}{
		{"running", "LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\nStatusText=ready\n" +
			"ExecMainStatus=0\nNRestarts=1\nActiveEnterTimestamp=@1763718548\n", true,
			State{Name: "a", Installed: true, Ours: true, Active: "active", Sub: "running", PID: 4242,
				StatusText: "ready", Since: since, Restarts: 1}},
		{"failed config", "LoadState=loaded\nActiveState=failed\nSubState=failed\nMainPID=0\nExecMainStatus=3\n" +
			"InactiveEnterTimestamp=Fri 2025-11-21 09:49:08 UTC\nActiveEnterTimestamp=n/a\n", true,
			State{Name: "a", Installed: true, Ours: true, Active: "failed", Sub: "failed", ExitCode: 3,
				Since: time.Date(2025, 11, 21, 9, 49, 8, 0, time.UTC)}},
		{"starting", "LoadState=loaded\nActiveState=activating\nSubState=start\nMainPID=77\n" +
			"InactiveExitTimestamp=@1763718548.5\n", false,
			State{Name: "a", Installed: true, Active: "activating", Sub: "start", PID: 77,
				Since: since.Add(500 * time.Millisecond)}},
		{"not found", "LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n", true,
			State{Name: "a", Active: "inactive", Sub: "dead"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := stateFromShow("a", parseShow(tc.show), tc.ours)
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"n/a", time.Time{}},
		{"@0", time.Time{}},
		{"@1700000000", time.Unix(1700000000, 0).UTC()},
		{"Sat 2026-11-21 09:49:08 UTC", time.Date(2026, 11, 21, 9, 49, 8, 0, time.UTC)},
		{"garbage", time.Time{}},
	}
	for _, tc := range tests {
		if got := parseTimestamp(tc.in); !got.Equal(tc.want) {
			t.Errorf("parseTimestamp(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestStateFromSCM(t *testing.T) {
	tests := []struct {
		name string
		st   scmStatus
		want State
	}{
		{"running", scmStatus{state: scmRunning, pid: 12}, State{Active: "active", Sub: "running", PID: 12}},
		{"starting", scmStatus{state: scmStartPending, pid: 12}, State{Active: "activating", Sub: "start_pending", PID: 12}},
		{"stopping", scmStatus{state: scmStopPending, pid: 12}, State{Active: "deactivating", Sub: "stop_pending", PID: 12}},
		{"never started", scmStatus{state: scmStopped, win32Exit: errNeverStarted},
			State{Active: "inactive", Sub: "stopped"}},
		{"stopped cleanly", scmStatus{state: scmStopped}, State{Active: "inactive", Sub: "stopped"}},
		{"config error", scmStatus{state: scmStopped, pid: 12, win32Exit: errServiceSpecific, specificExit: 3},
			State{Active: "failed", Sub: "stopped", ExitCode: 3}},
		{"win32 error", scmStatus{state: scmStopped, win32Exit: 5}, State{Active: "failed", Sub: "stopped", ExitCode: 5}},
		{"paused", scmStatus{state: scmPaused, pid: 12}, State{Active: "inactive", Sub: "paused", PID: 12}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Name, tc.want.Installed, tc.want.Ours = "w", true, true
			if got := stateFromSCM("w", tc.st, true); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

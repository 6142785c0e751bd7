package startup

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	for _, tc := range []struct {
		env     string
		set     bool
		want    time.Duration
		wantErr bool
	}{
		{"", false, DefaultDelay, false},
		{"3s", true, 3 * time.Second, false},
		{"250ms", true, 250 * time.Millisecond, false},
		{"ten", true, DefaultDelay, true},
		{"-1s", true, DefaultDelay, true},
		{"10", true, DefaultDelay, true},
	} {
		if tc.set {
			t.Setenv(DelayEnv, tc.env)
		}
		got, err := Delay()
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("Delay() with %q = %v, %v; want %v, error %v", tc.env, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestWait(t *testing.T) {
	calls := 0
	err := Wait(context.Background(), time.Second, func() (bool, string) {
		calls++
		return calls >= 3, "client listener"
	})
	if err != nil || calls != 3 {
		t.Fatalf("Wait = %v after %d checks", err, calls)
	}

	start := time.Now()
	err = Wait(context.Background(), 100*time.Millisecond, func() (bool, string) { return false, "client listener on :4222" })
	var nr *ErrNotReady
	if !errors.As(err, &nr) || nr.WaitingFor != "client listener on :4222" {
		t.Fatalf("Wait = %v, want ErrNotReady", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("gave up after %v, before the delay", d)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Wait(ctx, time.Second, func() (bool, string) { return false, "x" }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled context = %v", err)
	}
}

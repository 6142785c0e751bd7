package instance

import (
	"errors"
	"strconv"
	"sync"
	"testing"
)

// Installs racing for one port, each through its own Registry (as separate
// natsvisor processes would), end with exactly one owner of the port.
func TestPutRaceForAPort(t *testing.T) {
	home := t.TempDir()
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reg, err := OpenRegistry(home)
			if err != nil {
				errs[i] = err
				return
			}
			inst, err := reg.New("i"+strconv.Itoa(i), home, []string{"-p", "4333"})
			if err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = reg.Put(inst)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrPortInUse):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	reg, _ := OpenRegistry(home)
	all, err := reg.List()
	if won != 1 || err != nil || len(all) != 1 {
		t.Fatalf("%d installs won the port, %d registered (%v); want exactly 1", won, len(all), err)
	}
}

package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTimes is CPU time used so far: by this process, by PostgreSQL (when
// known) and by the whole machine (every process, from /proc/stat; 0
// where there is none).
type cpuTimes struct {
	self, postgres, machine time.Duration
}

// clockTick is the unit of /proc/stat (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

func cpuNow(postgres func() time.Duration) cpuTimes {
	var t cpuTimes
	if postgres != nil {
		t.postgres = postgres()
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		// cpu user nice system idle iowait irq softirq steal ...
		f := strings.Fields(line)
		for i, v := range f {
			if i == 0 || i == 4 || i == 5 || i > 8 {
				continue // label, idle, iowait, guest
			}
			n, _ := strconv.ParseInt(v, 10, 64)
			t.machine += time.Duration(n) * clockTick
		}
	}
	return t
}

// CPU is the CPU time a run used per finished process, in milliseconds:
// by the bench process itself (with an embedded stack: the API, the
// worker, Temporal and the load driver), by an embedded PostgreSQL, and
// by the rest of the machine (other programs: should be near zero, or the
// figures are disturbed).
type CPU struct {
	SelfMsPerProcess     float64 `json:"self_ms_per_process"`
	PostgresMsPerProcess float64 `json:"postgres_ms_per_process,omitempty"`
	OtherMsPerProcess    float64 `json:"other_ms_per_process,omitempty"`
}

func cpuPerProcess(before, after cpuTimes, processes int) CPU {
	if processes == 0 {
		return CPU{}
	}
	per := func(d time.Duration) float64 { return round(float64(d.Microseconds())/1000/float64(processes), 1) }
	self, pg := after.self-before.self, after.postgres-before.postgres
	c := CPU{SelfMsPerProcess: per(self), PostgresMsPerProcess: per(pg)}
	if m := after.machine - before.machine; m > 0 {
		c.OtherMsPerProcess = per(max(m-self-pg, 0))
	}
	return c
}

// ProcessTreeCPU returns a function reporting the CPU time used so far by
// process pid and its children, living or reaped (a PostgreSQL
// postmaster and its backends), from /proc; 0 where there is none.
func ProcessTreeCPU(pid int) func() time.Duration {
	return func() time.Duration {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			return 0
		}
		var ticks int64
		for _, e := range entries {
			p, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
			if err != nil {
				continue
			}
			// pid (comm) state ppid ... utime stime cutime cstime: the
			// command may hold spaces and parentheses, so cut at the last ')'.
			i := strings.LastIndexByte(string(b), ')')
			if i < 0 {
				continue
			}
			f := strings.Fields(string(b)[i+1:])
			if len(f) < 15 {
				continue
			}
			field := func(n int) int64 { v, _ := strconv.ParseInt(f[n-3], 10, 64); return v }
			switch {
			case p == pid: // its own time and its reaped children's
				ticks += field(14) + field(15) + field(16) + field(17)
			case field(4) == int64(pid):
				ticks += field(14) + field(15)
			}
		}
		return time.Duration(ticks) * clockTick
	}
}

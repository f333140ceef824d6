package devserver

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"
)

// Ports handed out by freePort are kept in [minFreePort, maxFreePort]: below the
// Linux ephemeral range (32768+), so the kernel will not hand them to outgoing
// connections, and below 32768 so they fit in a SMALLINT (Temporal on
// PostgreSQL stores membership ports that way).
const (
	minFreePort = 20000
	maxFreePort = 32000

	freePortAttempts = 500
	// A port handed out recently is not handed out again for this long, so
	// that several ports picked before the server binds any are distinct.
	freePortQuarantine = time.Minute
)

var (
	freePortMu   sync.Mutex
	freePortUsed = map[int]time.Time{}
)

// freePort returns a TCP port in [minFreePort, maxFreePort] that could be
// listened on at host just now. It tries random ports by listening on them.
// There is an inherent race between this check and the real listener; the
// quarantine only protects against handing the same port out twice.
func freePort(host string) (int, error) {
	freePortMu.Lock()
	defer freePortMu.Unlock()
	now := time.Now()
	for p, t := range freePortUsed {
		if now.Sub(t) > freePortQuarantine {
			delete(freePortUsed, p)
		}
	}
	for range freePortAttempts {
		port := minFreePort + rand.IntN(maxFreePort-minFreePort+1)
		if _, taken := freePortUsed[port]; taken {
			continue
		}
		if checkPortFree(host, port) != nil {
			continue
		}
		freePortUsed[port] = now
		return port, nil
	}
	return 0, fmt.Errorf("no free TCP port in %d-%d on %s after %d attempts",
		minFreePort, maxFreePort, host, freePortAttempts)
}

// checkPortFree reports whether host:port can be listened on right now.
func checkPortFree(host string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
)

// The complaint register is a register like any other (registers.go);
// what is the complaint's own is its public reply.

// Reply is the public reply to a complainant: all of the complaint a
// customer ever sees.
type Reply struct {
	ProcessID string     `json:"process_id"`
	Level     string     `json:"level"`
	Method    string     `json:"method"`
	Text      string     `json:"reply"`
	RepliedAt *time.Time `json:"replied_at"`
}

// ComplaintReply returns a complaint's public reply — the latest completed
// reply step, read from the task row its completion wrote, so it is there
// the moment the reply task is done — or not found while it has none. The
// caller has decided that the viewer may read the complaint.
func (s *Store) ComplaintReply(ctx context.Context, processID string) (Reply, error) {
	r := Reply{ProcessID: processID, Level: zhidu.Public.String()}
	err := s.Pool.QueryRow(ctx, `SELECT data->>'method', data->>'reply', completed_at FROM tasks
        WHERE process_id = $1 AND step = 'reply' AND state = 'completed' AND data ? 'reply'
        ORDER BY completed_at DESC LIMIT 1`, processID).Scan(&r.Method, &r.Text, &r.RepliedAt)
	if err != nil {
		return r, mapErr(err, fmt.Sprintf("reply of %s", processID))
	}
	r.Text = strings.TrimSpace(r.Text)
	return r, nil
}

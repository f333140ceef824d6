// Package signature signs the actor facts zhidu's API puts into a
// workflow — a process's start input (its starter) and every update
// (complete, delegate, reassign, cancel, set level) — and has the worker
// check them before any workflow code sees them.
//
// The API's Temporal client signs with a client interceptor: an
// HMAC-SHA256 over the workflow ID, the workflow type or update name, the
// update ID, a timestamp and the arguments exactly as the worker will
// decode them, carried in a Temporal header. The worker's interceptor
// refuses an update whose signature is missing, made with an unknown key,
// stale, or over other facts (the update is rejected: nothing is written
// to history), and fails a process started with one before its first
// step. A client that reaches Temporal directly therefore cannot act as
// anyone. Validators do not run on replay, and the start check runs only
// when a workflow's first task is new, so histories recorded before
// signing replay unchanged. The keys stay out of the workflows package.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/zhidu/zhidu/payload"
)

// HeaderName is the Temporal header carrying the signature.
const HeaderName = "zhidu-actor-signature"

// MaxAge is how far a signature's time may lie from the workflow's clock
// (the start time for a start, the workflow task's time for an update).
const MaxAge = 10 * time.Minute

// Errors of Verify.
var (
	ErrMissing = errors.New("the actor facts are not signed")
	ErrInvalid = errors.New("the actor facts' signature does not match")
	ErrStale   = errors.New("the actor facts' signature is too old or from the future")
)

// Signer signs with its active key and verifies with all of them.
type Signer struct {
	active string
	keys   map[string][]byte
	// Now is the signing clock (time.Now unless a test sets it).
	Now func() time.Time
}

// New returns a signer; keys[0] signs.
func New(keys []payload.Key) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("no actor signing key")
	}
	s := &Signer{active: keys[0].ID, keys: map[string][]byte{}, Now: time.Now}
	for _, k := range keys {
		if len(k.Secret) != payload.KeySize || k.ID == "" {
			return nil, fmt.Errorf("actor key %q: want a non-empty ID and %d bytes", k.ID, payload.KeySize)
		}
		if _, dup := s.keys[k.ID]; dup {
			return nil, fmt.Errorf("actor key %s appears twice", k.ID)
		}
		s.keys[k.ID] = k.Secret
	}
	return s, nil
}

// Kinds of signed message.
const (
	KindStart  = "start"
	KindUpdate = "update"
)

// Message is what a signature covers.
type Message struct {
	Kind       string // KindStart or KindUpdate
	WorkflowID string
	Name       string // workflow type or update name
	UpdateID   string // updates only
	Args       []any  // as the worker decodes them
}

// stamp is the header's value.
type stamp struct {
	KeyID string `json:"kid"`
	At    int64  `json:"at"` // Unix milliseconds
	MAC   []byte `json:"mac"`
}

func mac(key []byte, m Message, at int64, args []byte) []byte {
	h := hmac.New(sha256.New, key)
	var b []byte
	for _, s := range []string{"zhidu/actor/v1", m.Kind, m.WorkflowID, m.Name, m.UpdateID, strconv.FormatInt(at, 10)} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(args)))
	h.Write(b)
	h.Write(args)
	return h.Sum(nil)
}

// Sign returns the header payload for m. Its arguments are first passed
// through the SDK's default converter and back into their own types, so
// the bytes signed are the ones the worker will compute from what it
// decodes.
func (s *Signer) Sign(m Message) (*commonpb.Payload, error) {
	args, err := asDecoded(m.Args)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("sign actor facts: %w", err)
	}
	at := s.Now().UnixMilli()
	return converter.GetDefaultDataConverter().ToPayload(stamp{KeyID: s.active, At: at, MAC: mac(s.keys[s.active], m, at, b)})
}

// Verify checks the header payload p against m, whose Args are the
// decoded arguments, at the workflow's time now.
func (s *Signer) Verify(p *commonpb.Payload, m Message, now time.Time) error {
	if p == nil {
		return ErrMissing
	}
	var st stamp
	if err := converter.GetDefaultDataConverter().FromPayload(p, &st); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	key, ok := s.keys[st.KeyID]
	if !ok {
		return fmt.Errorf("%w: unknown key %q", ErrInvalid, st.KeyID)
	}
	b, err := json.Marshal(m.Args)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !hmac.Equal(st.MAC, mac(key, m, st.At, b)) {
		return ErrInvalid
	}
	if d := now.Sub(time.UnixMilli(st.At)); d > MaxAge || d < -MaxAge {
		return fmt.Errorf("%w (%s)", ErrStale, d.Round(time.Second))
	}
	return nil
}

// asDecoded returns args as the worker will see them: encoded with the
// default converter and decoded into fresh values of their own types.
func asDecoded(args []any) ([]any, error) {
	dc := converter.GetDefaultDataConverter()
	out := make([]any, len(args))
	for i, a := range args {
		if a == nil {
			continue
		}
		p, err := dc.ToPayload(a)
		if err != nil {
			return nil, fmt.Errorf("sign actor facts: %w", err)
		}
		v := reflect.New(reflect.TypeOf(a))
		if err := dc.FromPayload(p, v.Interface()); err != nil {
			return nil, fmt.Errorf("sign actor facts: %w", err)
		}
		out[i] = v.Elem().Interface()
	}
	return out, nil
}

package main

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/zhidu/zhidu/payload"
	"github.com/zhidu/zhidu/signature"
)

// secrets are the keys the API and the workers share: the payload keyring
// (what zhidu hands Temporal is encrypted) and the actor signer (what the
// API puts into a workflow is signed).
type secrets struct {
	ring   *payload.Keyring
	signer *signature.Signer
}

// resolveKeys loads the keys: ZHIDU_PAYLOAD_KEYS / ZHIDU_ACTOR_KEYS when
// set, else the key file (--keys-file). devFile is the file zhidu dev
// keeps in its data directory, created on first start; "" for serve and
// worker, which refuse to run without keys.
func (c *config) resolveKeys(devFile string, logf func(string, ...any)) error {
	var keys payload.Keys
	var err error
	file := c.KeysFile
	if file == "" {
		file = devFile
	}
	if file != "" && (c.PayloadKeys == "" || c.ActorKeys == "") {
		var created bool
		if file == devFile {
			keys, created, err = payload.LoadOrCreateFile(file, time.Now())
		} else {
			keys, err = payload.LoadFile(file)
		}
		if err != nil {
			return err
		}
		if created && logf != nil {
			logf("generated the payload encryption and actor signing keys in %s", file)
		}
	}
	if c.PayloadKeys != "" {
		if keys.Payload, err = payload.ParseKeys(c.PayloadKeys); err != nil {
			return fmt.Errorf("ZHIDU_PAYLOAD_KEYS: %w", err)
		}
	}
	if c.ActorKeys != "" {
		if keys.Actor, err = payload.ParseKeys(c.ActorKeys); err != nil {
			return fmt.Errorf("ZHIDU_ACTOR_KEYS: %w", err)
		}
	}
	if len(keys.Payload) == 0 || len(keys.Actor) == 0 {
		return errors.New("no keys: set ZHIDU_KEYS_FILE (--keys-file), or ZHIDU_PAYLOAD_KEYS and ZHIDU_ACTOR_KEYS " +
			"(id:base64 of 32 bytes, comma-separated, the first one active); every API and worker replica needs the same")
	}
	return c.useKeys(keys)
}

// useKeys builds the keyring and signer from keys.
func (c *config) useKeys(keys payload.Keys) error {
	ring, err := payload.NewKeyring(keys.Payload)
	if err != nil {
		return fmt.Errorf("payload keys: %w", err)
	}
	signer, err := signature.New(keys.Actor)
	if err != nil {
		return fmt.Errorf("actor keys: %w", err)
	}
	c.secrets = &secrets{ring: ring, signer: signer}
	return nil
}

// ephemeralKeys gives a configuration without keys fresh ones, for runs
// whose every client and worker is in this process (zhidu bench).
func (c *config) ephemeralKeys() error {
	if c.PayloadKeys != "" || c.ActorKeys != "" || c.KeysFile != "" {
		return c.resolveKeys("", nil)
	}
	now := time.Now()
	return c.useKeys(payload.Keys{Payload: []payload.Key{payload.NewKey("p", now)}, Actor: []payload.Key{payload.NewKey("a", now)}})
}

// clientOptions adds encryption and signing to a Temporal client's options.
func (s *secrets) clientOptions(o client.Options) client.Options {
	dc := payload.DataConverter(s.ring)
	o.DataConverter = dc
	o.FailureConverter = payload.FailureConverter(dc)
	o.Interceptors = append(o.Interceptors, interceptor.ClientInterceptor(s.signer.ClientInterceptor()))
	return o
}

// workerOptions adds the actor check to a worker's options (the worker
// encrypts with its client's data converter).
func (s *secrets) workerOptions(o worker.Options) worker.Options {
	o.Interceptors = append(o.Interceptors, s.signer.WorkerInterceptor())
	return o
}

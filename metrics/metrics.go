// Package metrics holds zhidu's Prometheus metrics, registered on the
// default registry and served at /metrics by every process.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	// RequestDuration is the latency of API requests by route and status.
	RequestDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "zhidu_http_request_duration_seconds",
		Help:    "Latency of HTTP API requests.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route", "status"})

	// TasksCreated counts human tasks created, by process kind.
	TasksCreated = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "zhidu_tasks_created_total",
		Help: "Human tasks created.",
	}, []string{"kind"})

	// TasksCompleted counts human tasks completed, by process kind.
	TasksCompleted = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "zhidu_tasks_completed_total",
		Help: "Human tasks completed.",
	}, []string{"kind"})

	// ProcessStarts counts processes started through the API, by kind.
	ProcessStarts = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "zhidu_process_starts_total",
		Help: "Processes started.",
	}, []string{"kind"})
)

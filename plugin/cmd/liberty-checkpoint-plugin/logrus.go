package main

import (
	"github.com/hashicorp/go-hclog"
	"github.com/sirupsen/logrus"
)

// hclogHook forwards logrus entries (from the Podman bindings) to the plugin's hclog logger.
type hclogHook struct{ logger hclog.Logger }

func (h hclogHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h hclogHook) Fire(e *logrus.Entry) error {
	switch e.Level {
	case logrus.DebugLevel, logrus.TraceLevel:
		h.logger.Debug(e.Message)
	case logrus.InfoLevel:
		h.logger.Info(e.Message)
	case logrus.WarnLevel:
		h.logger.Warn(e.Message)
	default:
		h.logger.Error(e.Message)
	}
	return nil
}

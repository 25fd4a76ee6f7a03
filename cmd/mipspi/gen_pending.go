//go:build !generate_landed

package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// Temporary until fixtures.Generate lands.
func generateCommand(s *streams) *cli.Command {
	return &cli.Command{Name: "generate", Action: func(*cli.Context) error { return errors.New("db generate: not built yet") }}
}
